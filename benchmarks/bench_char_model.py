"""Character language model: learning on Hamlet, and speed against PyTorch.

Two parts, run alone on an otherwise idle machine (2 threads per side):

1. **Learning** (``--part learn``): ``RNNSequenceGenerator`` (LSTM, character
   level, truncated BPTT of 100 steps in 32 stateful lanes) on
   ``load_shakespeare()`` split 90/10 by position. After each epoch it prints
   the held-out bits per character (``-score / ln 2``: log2 of the held-out
   perplexity; the end marker counts as one more predicted token) and the
   training time so far; at the end, the rate of ``bz2`` level 9 on the same
   held-out text, the bar to beat, and a generated sample.

2. **Speed** (``--part speed``): skrnn against PyTorch 2.13 on the same
   character model: embedding (32), one LSTM layer of H units, a dense head
   on every step, softmax cross-entropy over the ``V`` characters, Adam
   (lr 2e-3), windows of T=100 steps in B=32 lanes with the state carried
   between windows (``detach`` in torch), clipping off and skrnn's L2 term 0.
   Training is timed in characters per second over one pass of a fixed text
   (``B * T * n_windows`` characters); skrnn runs its public estimator
   (``partial_fit``: one epoch per call). Generation is timed in characters
   per second for one text of 2,000 characters (skrnn: ``generate``, its
   sampling loop in Numba; torch: the usual Python loop of one LSTM step,
   softmax and ``torch.multinomial`` per character under ``no_grad``), and
   for 32 texts at once. Each figure is measured ``--rounds`` times with the
   order of the sides flipping; ``ratio`` is the median of the paired
   skrnn / torch ratios.

torch is an optional extra (``pip install -e ".[bench]"``) imported only by
part 2. Run ``python benchmarks/bench_char_model.py --help``.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "2")
os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("MKL_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import argparse
import bz2
import platform
import statistics
import time
import warnings

import numba
import numpy as np
from sklearn.exceptions import ConvergenceWarning

import skrnn
from skrnn import RNNSequenceGenerator
from skrnn.datasets import load_shakespeare

T_WINDOW = 100
LANES = 32
EMBEDDING = 32
LEARNING_RATE = 2e-3


def header():
    print(
        f"skrnn {skrnn.__version__}, numba {numba.__version__}, "
        f"NUMBA_NUM_THREADS={numba.get_num_threads()}, "
        f"{platform.processor() or platform.machine()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )


# ------------------------------------------------------------------ learning
def learn(hidden, epochs, learning_rate):
    text = load_shakespeare().text
    cut = int(len(text) * 0.9)
    train, test = text[:cut], text[cut:]
    bz2_bpc = 8 * len(bz2.compress(test.encode("utf-8"), 9)) / len(test)
    gen = RNNSequenceGenerator(
        hidden_size=hidden,
        bptt_steps=T_WINDOW,
        learning_rate_init=learning_rate,
        max_iter=1,
        warm_start=True,
        random_state=0,
    )
    print(
        f"\nLearning: {len(train):,} training / {len(test):,} held-out characters; "
        f"LSTM {hidden}, embedding 32, bptt_steps={T_WINDOW}, {LANES} lanes, "
        f"Adam lr {learning_rate}"
    )
    print("\n| epoch | training time (s) | training loss | held-out bits/char |")
    print("| ---: | ---: | ---: | ---: |")
    elapsed = 0.0
    best = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            gen.fit([train])  # warm_start: one more epoch per call
            elapsed += time.perf_counter() - start
            bpc = -gen.score([test]) / np.log(2)
            best = min(best, bpc)
            print(
                f"| {epoch} | {elapsed:.1f} | {gen.loss_curve_[-1]:.3f} | {bpc:.3f} |",
                flush=True,
            )
    print(f"\nbz2 -9 on the held-out text: {bz2_bpc:.3f} bits/char")
    verdict = "met" if bpc < bz2_bpc else "NOT met"
    print(f"final held-out {bpc:.3f} bits/char (best {best:.3f}): bar {verdict}")
    print("(the first epoch includes compiling or loading the Numba kernels)")
    sample = gen.generate(300, prompt="HAMLET.", temperature=0.7, random_state=0)
    print(f"\nSample (temperature 0.7):\n{sample}\n")


# --------------------------------------------------------------------- speed
class SkrnnSide:
    name = "skrnn"

    def __init__(self, hidden, text):
        self.text = text
        self.gen = RNNSequenceGenerator(
            hidden_size=hidden,
            embedding_dim=EMBEDDING,
            bptt_steps=T_WINDOW,
            batch_size=LANES,
            learning_rate_init=LEARNING_RATE,
            clip_norm=None,
            alpha=0.0,
            shuffle=False,
            max_iter=1,
            random_state=0,
        )

    def warm_up(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.gen.partial_fit([self.text])
        self.gen.generate(20, n_samples=2, random_state=0)

    def train(self):
        self.gen.partial_fit([self.text])

    def generate(self, n_chars, n_samples):
        self.gen.generate(
            n_chars, n_samples=n_samples, stop_at_end=False, random_state=0
        )


class TorchSide:
    name = "torch"

    def __init__(self, hidden, text, vocabulary):
        import torch

        self.torch = torch
        torch.manual_seed(0)
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        V = len(vocabulary)
        self.embedding = torch.nn.Embedding(V, EMBEDDING)
        self.lstm = torch.nn.LSTM(EMBEDDING, hidden, batch_first=True)
        self.head = torch.nn.Linear(hidden, V)
        params = [
            *self.embedding.parameters(),
            *self.lstm.parameters(),
            *self.head.parameters(),
        ]
        self.optimizer = torch.optim.Adam(params, lr=LEARNING_RATE)
        self.loss = torch.nn.CrossEntropyLoss()
        ids = np.array([vocabulary[c] for c in text], dtype=np.int64)
        # LANES contiguous streams, read window after window (char-rnn style).
        per_lane = (len(ids) - 1) // LANES
        self.inputs = torch.from_numpy(ids[: LANES * per_lane].reshape(LANES, -1))
        self.targets = torch.from_numpy(
            ids[1 : LANES * per_lane + 1].reshape(LANES, -1)
        )
        self.hidden = hidden

    def warm_up(self):
        self.train()
        self.generate(20, 2)

    def train(self):
        state = None
        for lo in range(0, self.inputs.shape[1], T_WINDOW):
            x = self.inputs[:, lo : lo + T_WINDOW]
            y = self.targets[:, lo : lo + T_WINDOW]
            out, state = self.lstm(self.embedding(x), state)
            state = tuple(s.detach() for s in state)
            logits = self.head(out)
            value = self.loss(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
            self.optimizer.zero_grad()
            value.backward()
            self.optimizer.step()
        return float(value.detach())

    def generate(self, n_chars, n_samples):
        torch = self.torch
        generator = torch.Generator().manual_seed(0)
        with torch.no_grad():
            token = torch.zeros((n_samples, 1), dtype=torch.int64)
            state = None
            for _ in range(n_chars):
                out, state = self.lstm(self.embedding(token), state)
                p = torch.softmax(self.head(out[:, -1]), dim=-1)
                token = torch.multinomial(p, 1, generator=generator)


def speed(hiddens, rounds, n_windows):
    text = load_shakespeare().text
    n_chars = LANES * T_WINDOW * n_windows
    text = (text * (n_chars // len(text) + 2))[: n_chars + 1]
    # Case kept on both sides, as skrnn's default character tokenizer does.
    vocabulary = {c: i for i, c in enumerate(sorted(set(text)))}
    print(
        f"\nSpeed: {n_chars:,} training characters per pass (B={LANES} lanes x "
        f"T={T_WINDOW} x {n_windows} windows), V={len(vocabulary)} characters, "
        f"{rounds} paired rounds"
    )
    print("\n| H | metric | skrnn | torch | ratio skrnn/torch |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for hidden in hiddens:
        sides = [SkrnnSide(hidden, text), TorchSide(hidden, text, vocabulary)]
        for side in sides:
            side.warm_up()
        metrics = {
            "training chars/s": lambda s: n_chars / _timed(s.train),
            "generation chars/s (1 text)": lambda s: (
                2000 / _timed(lambda: s.generate(2000, 1))
            ),
            "generation chars/s (32 texts)": lambda s: (
                32 * 500 / _timed(lambda: s.generate(500, 32))
            ),
        }
        for name, measure in metrics.items():
            rates = {side.name: [] for side in sides}
            ratios = []
            for r in range(rounds):
                order = sides if r % 2 == 0 else sides[::-1]
                got = {side.name: measure(side) for side in order}
                for key, value in got.items():
                    rates[key].append(value)
                ratios.append(got["skrnn"] / got["torch"])
            print(
                f"| {hidden} | {name} | {statistics.median(rates['skrnn']):,.0f} | "
                f"{statistics.median(rates['torch']):,.0f} | "
                f"{statistics.median(ratios):.2f} |",
                flush=True,
            )


def _timed(func):
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["learn", "speed", "both"], default="both")
    parser.add_argument("--hidden", type=int, default=256, help="learning part")
    parser.add_argument("--epochs", type=int, default=10, help="learning part")
    parser.add_argument("--lr", type=float, default=0.005, help="learning part")
    parser.add_argument("--speed-hidden", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--windows", type=int, default=20)
    args = parser.parse_args()
    header()
    if args.part in ("learn", "both"):
        learn(args.hidden, args.epochs, args.lr)
    if args.part in ("speed", "both"):
        speed(args.speed_hidden, args.rounds, args.windows)


if __name__ == "__main__":
    main()
