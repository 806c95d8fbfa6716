"""Every performance target of issue 11, measured on this machine, in one table.

``python benchmarks/run.py`` measures each target of issue 11 ("Performance:
faster than PyTorch on the CPU"), side by side with PyTorch where the target is
a ratio, and prints one markdown table (target, median figure, spread over the
rounds, threshold, met?) followed by "N of M targets met" and the details.

Groups (``--only`` takes these names; issue 11's targets in its order):

1. ``training``: ``partial_fit`` throughput, numeric and token input, every
   cell, H = 32 / 128 / 256, skrnn / torch (>= 2.0x tanh and GRU, >= 1.0x LSTM).
2. ``inference``: ``predict_proba`` throughput (>= 1.5x) and one-sequence
   latency (<= 0.4x torch's forward), numeric and token input.
3. ``overhead``: ``partial_fit`` against the network layer alone on the same
   batches (>= 0.95).
4. ``small-batches``: time per minibatch step of a tiny model, batch 1 (the
   upper bound of the fixed cost, <= 20 us); the tutorial setting against its
   plain numpy loop (>= 10x).
5. ``char-model``: character model training chars/s (>= 1.0x) and generation
   (>= 5x torch's step-by-step sampling loop).
6. ``efficiency``: LSTM H=256 training, FLOP rate per core as a fraction of a
   1-thread float32 GEMM measured in the same rounds (>= 60%).
7. ``memory``: peak memory of prediction and of truncated-BPTT training; it
   must not grow with the length of the series.
8. ``startup``: ``import skrnn`` + a small fit with a warm cache (<= 1.5 s);
   cold-cache compile time of a default fit and predict, summed over the
   estimators that compile (<= 30 s).
9. ``threads``: training at 2 threads against 1 (>= 1.8x at H >= 128), the
   fitted weights bit-identical.

The throughput, inference and overhead rows come from ``bench_training.py``
(its sides and its round structure); the character model rows from
``bench_char_model.py``'s sides. Every ratio is paired: both sides measured in
the same round, their order flipped from round to round; the figure is the
median over rounds of the paired ratios, the spread their minimum and maximum.

Run it alone on an otherwise idle machine. ``--quick`` runs tiny sizes in about
a minute (a smoke test: figures meaningless). torch is imported only
when a selected group needs it. See benchmarks/README.md.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import os

# As in bench_training.py: thread pools are sized when numpy, numba and torch
# load, so the defaults (2 threads, the benchmark machines' cores) go into the
# environment first; values set in the shell are kept.
os.environ.setdefault("NUMBA_NUM_THREADS", "2")
os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("MKL_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import argparse
import gc
import hashlib
import json
import statistics
import string
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
import warnings
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace

import numba
import numpy as np
from sklearn.exceptions import ConvergenceWarning

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_char_model
import bench_training
from bench_training import (
    BUSY_LOAD,
    EstimatorSide,
    TorchSide,
    bench_config,
    make_data,
)

import skrnn
from skrnn import (
    RNNClassifier,
    RNNRegressor,
    RNNSequenceGenerator,
    Tokenizer,
)
from skrnn.datasets import load_sentiment, load_shakespeare

GROUPS = (
    "training",
    "inference",
    "overhead",
    "small-batches",
    "char-model",
    "efficiency",
    "memory",
    "startup",
    "threads",
)
TORCH_GROUPS = {"training", "inference", "overhead", "char-model"}
CELLS = bench_training.CELLS

# Token input of targets 1 and 2: Embedding(VOCABULARY, EMBEDDING) -> cell ->
# Linear, the same T=50, B=32, 2 classes and Adam as the numeric task.
VOCABULARY = 64
EMBEDDING = bench_training.N_FEATURES  # 32: torch's cell input then matches
FIRST_WORD_ID = 4  # ids 0-3 are padding and skrnn's reserved ids
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
CHAR_VOCABULARY = 65  # the character model (tiny Shakespeare's size)
# Copies of the input a call may make (validation, padding, the compute dtype),
# as in tests/test_memory.py: growth of the peak beyond them is what target 7
# forbids.
INPUT_COPIES = 4
# Begin and end markers of skrnn's token sequences (public: ids 1-3 reserved).
BEGIN_ID, END_ID = 2, 3
# CPU time other processes may take (in cores, averaged over a group) before
# the report flags that group's figures.
BUSY_OTHERS = 0.3

SETTINGS = {
    "full": {
        # bench_training.py's own sizes for targets 1-3
        "grid": bench_training.FULL,
        "tiny_n_seq": 5000,
        "tutorial_sentences": 50,
        "tutorial_epochs": 150,
        "char_hidden": [128, 256],
        "char_windows": 20,
        "gen_chars": 2000,
        "gen_batch_chars": 500,
        "efficiency_n_seq": 2048,
        "gemm_size": 1024,
        "gemm_calls": 10,
        "memory_hidden": 32,
        "memory_predict_lengths": (5_000, 50_000),
        "memory_bptt_shapes": ((1, 100_000), (64, 20_000)),
        "bptt_steps": 500,
        "threads_hidden": [128, 256],
        "threads_n_seq": 2048,
        "cold_rounds": None,  # --rounds
        "cold_estimators": ("RNNClassifier", "RNNRegressor", "RNNSequenceGenerator"),
    },
    "quick": {
        # bench_training.py's own sizes for targets 1-3
        "grid": bench_training.QUICK,
        "tiny_n_seq": 300,
        "tutorial_sentences": 50,
        "tutorial_epochs": 3,
        "char_hidden": [64],
        "char_windows": 2,
        "gen_chars": 200,
        "gen_batch_chars": 50,
        "efficiency_n_seq": 64,
        "gemm_size": 256,
        "gemm_calls": 5,
        "memory_hidden": 8,
        "memory_predict_lengths": (500, 5_000),
        "memory_bptt_shapes": ((1, 20_000), (8, 2_000)),
        "bptt_steps": 100,
        "threads_hidden": [128],
        "threads_n_seq": 64,
        "cold_rounds": 1,
        "cold_estimators": ("RNNRegressor",),  # 15-25 s of compiling each
    },
}


# ---------------------------------------------------------------- the table
@dataclass
class Row:
    """One line of the table: a target, its figure and whether it is met.

    ``value``, ``low``, ``high`` and ``bound`` are the numbers behind
    ``figure``, ``spread`` and ``threshold`` (the median, the spread's minimum
    and maximum, the threshold), for ``--json-out``; None in rows that are not
    a median against a threshold.
    """

    target: str
    figure: str
    spread: str
    threshold: str
    met: bool
    value: float | None = None
    low: float | None = None
    high: float | None = None
    bound: float | None = None


def threshold_row(target, values, op, threshold, unit="x", digits=2):
    """A row for per-round ``values`` whose median must be ``op threshold``."""
    med = statistics.median(values)
    met = med >= threshold if op == ">=" else med <= threshold
    bar = f"{threshold:g}"
    if unit == "x" and "." not in bar:
        bar += ".0"  # "2.0x", as the issue writes ratios
    return Row(
        target,
        f"{med:,.{digits}f}{unit}",
        f"{min(values):,.{digits}f}-{max(values):,.{digits}f}{unit}",
        f"{op} {bar}{unit}",
        met,
        float(med),
        float(min(values)),
        float(max(values)),
        float(threshold),
    )


def paired(a, b):
    """Paired ratios a / b of two per-round lists."""
    return [x / y for x, y in zip(a, b, strict=True)]


def paired_rounds(sides, measure, rounds):
    """``measure(side)`` for every side, ``rounds`` times, order flipped each
    round; returns {side name: [value per round]}."""
    values = {side.name: [] for side in sides}
    for r in range(rounds):
        for side in sides if r % 2 == 0 else sides[::-1]:
            values[side.name].append(measure(side))
    return values


def timed(func):
    """Wall seconds of ``func()`` (garbage collected first)."""
    gc.collect()
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def quiet(func, *args, **kwargs):
    """Call ``func`` with the convergence and user warnings of short fits off."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        return func(*args, **kwargs)


def train_flops(cell, hidden, n_in, steps, n_out):
    """FLOPs of one training sequence: forward 2*G*H*(F+H) per step + the head,
    backward twice the forward (6 = 3 x 2 per multiply-add)."""
    return 6 * steps * GATES[cell] * hidden * (n_in + hidden) + 6 * hidden * n_out


class OtherLoad:
    """CPU time taken by other processes (or stolen by the hypervisor) while
    a group ran, in cores: busy time of the machine (/proc/stat) minus this
    process's and its children's own CPU time, over the wall time."""

    def __init__(self):
        self.tick = os.sysconf("SC_CLK_TCK")
        self.start = self._snapshot()

    def _snapshot(self):
        try:
            with open("/proc/stat") as f:
                fields = [int(v) for v in f.readline().split()[1:]]
        except OSError:
            return None
        busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
        own = sum(os.times()[:4])
        return time.perf_counter(), busy / self.tick, own

    def cores(self):
        end = self._snapshot()
        if self.start is None or end is None:
            return float("nan")
        wall = end[0] - self.start[0]
        return max(0.0, (end[1] - self.start[1]) - (end[2] - self.start[2])) / wall


# ------------------------------------------- 1-3: throughput, latency, overhead
def make_token_data(n, seed):
    """Word ids in [4, 64), T=50; the label is whether the last 10 steps hold
    more high ids than low ones (learnable; speed does not depend on it)."""
    rng = np.random.default_rng(seed)
    X = rng.integers(FIRST_WORD_ID, VOCABULARY, size=(n, bench_training.N_STEPS))
    y = ((X[:, -10:] >= (FIRST_WORD_ID + VOCABULARY) // 2).sum(axis=1) > 5).astype(
        np.int64
    )
    return X.astype(np.int64), y


class TokenEstimatorSide(EstimatorSide):
    """bench_training's estimator side with token input: Embedding(64, 32)."""

    def __init__(self, cell, hidden, X, y):
        super().__init__(cell, hidden, X, y)
        self.estimator.set_params(
            input_type="tokens", embedding_dim=EMBEDDING, vocabulary_size=VOCABULARY
        )


class TokenTorchSide(TorchSide):
    """bench_training's torch side with an nn.Embedding(64, 32) in front."""

    def __init__(self, cell, hidden, X, y, torch):
        super().__init__(cell, hidden, X, y, torch)
        self.embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING)
        self.model["embedding"] = self.embedding
        self.optimizer = torch.optim.Adam(
            self.model.parameters(),
            lr=bench_training.LEARNING_RATE,
            betas=(bench_training.BETA_1, bench_training.BETA_2),
            eps=bench_training.EPSILON,
        )

    def _forward(self, x):
        out, _ = self.rnn(self.embedding(x))
        return self.head(out[:, -1])


def grid(ctx, kind):
    """bench_training's rounds for every (cell, H), numeric or token input;
    computed once and shared by the groups that read it."""
    key = f"grid-{kind}"
    if key in ctx.cache:
        return ctx.cache[key]
    s = ctx.settings["grid"]
    opts = SimpleNamespace(**{**s, "rounds": ctx.rounds, "skip_net": False})
    if kind == "numeric":
        X, y = make_data(s["n_seq"], seed=0)
        X_inf, _ = make_data(s["n_infer"], seed=1)
    else:
        X, y = make_token_data(s["n_seq"], seed=0)
        X_inf, _ = make_token_data(s["n_infer"], seed=1)
    results = {}
    for cell in s["cells"]:
        for hidden in s["hidden"]:
            ctx.log(f"  {kind} input, cell={cell} H={hidden}")
            sides = None  # numeric: bench_training's skrnn, skrnn-net, torch
            if kind == "tokens":
                sides = [
                    TokenEstimatorSide(cell, hidden, X, y),
                    TokenTorchSide(cell, hidden, X, y, ctx.torch),
                ]
            results[cell, hidden] = bench_config(
                cell, hidden, opts, ctx.torch, (X, y, X_inf), ctx.log, sides
            )
    ctx.cache[key] = results
    return results


def grid_details(ctx, kind, results):
    """Per-side medians, GFLOP/s per core and the loss checks of a grid."""
    med = statistics.median
    lines = [f"{kind} input (figures per side: median over rounds)"]
    threads = numba.get_num_threads()
    for (cell, hidden), res in results.items():
        v = res["values"]
        flops = train_flops(
            cell, hidden, bench_training.N_FEATURES, bench_training.N_STEPS, 2
        )
        parts = []
        for side in v["train"]:
            rate = med(v["train"][side])
            parts.append(
                f"{side} train {rate:,.0f} seq/s "
                f"({rate * flops / threads / 1e9:.1f} GFLOP/s per core), predict "
                f"{med(v['predict'][side]):,.0f} seq/s, latency "
                f"{med(v['latency'][side]):.3f} ms"
            )
        loss = res["loss"]
        falling = [n for n in loss if loss[n][-1] < loss[n][0]]
        note = f"training loss falls for {', '.join(falling) or 'no side'}"
        if "skrnn-net" in loss:
            same = loss["skrnn"] == loss["skrnn-net"]
            note += f"; skrnn and skrnn-net losses {'identical' if same else 'DIFFER'}"
        lines.append(f"  {cell} H={hidden}: " + "; ".join(parts) + f" ({note})")
    return lines


def measure_training(ctx):
    rows, details = [], []
    for kind in ("numeric", "tokens"):
        results = grid(ctx, kind)
        for (cell, hidden), res in results.items():
            v = res["values"]["train"]
            bar = 1.0 if cell == "lstm" else 2.0
            rows.append(
                threshold_row(
                    f"1. training, {kind}, {cell} H={hidden}: skrnn / torch seq/s",
                    paired(v["skrnn"], v["torch"]),
                    ">=",
                    bar,
                )
            )
        details += grid_details(ctx, kind, results)
    details.append(
        "GFLOP/s per core: "
        "6*T*G*H*(F+H) + 6*H*C FLOPs per training sequence (G gates, T=50, F=32 "
        f"features or embedding, C=2 classes) x seq/s / {numba.get_num_threads()} "
        "threads."
    )
    return rows, details


def measure_inference(ctx):
    rows = []
    for kind in ("numeric", "tokens"):
        for (cell, hidden), res in grid(ctx, kind).items():
            v = res["values"]
            rows.append(
                threshold_row(
                    f"2. predict_proba, {kind}, {cell} H={hidden}: skrnn / torch seq/s",
                    paired(v["predict"]["skrnn"], v["predict"]["torch"]),
                    ">=",
                    1.5,
                )
            )
        for (cell, hidden), res in grid(ctx, kind).items():
            v = res["values"]
            rows.append(
                threshold_row(
                    f"2. one-sequence latency, {kind}, {cell} H={hidden}: "
                    "skrnn / torch ms",
                    paired(v["latency"]["skrnn"], v["latency"]["torch"]),
                    "<=",
                    0.4,
                )
            )
    details = [
        "predict_proba: batches of "
        f"{ctx.settings['grid']['infer_batch']} on both sides; latency: "
        "predict_proba of one (1, 50, F) sequence, input validation included, "
        "against torch's no_grad forward + softmax from numpy to numpy."
    ]
    if "training" not in ctx.selected:
        for kind in ("numeric", "tokens"):
            details += grid_details(ctx, kind, grid(ctx, kind))
    return rows, details


def measure_overhead(ctx):
    rows = []
    results = grid(ctx, "numeric")
    for (cell, hidden), res in results.items():
        v = res["values"]["train"]
        rows.append(
            threshold_row(
                f"3. estimator overhead, {cell} H={hidden}: "
                "partial_fit / network alone seq/s",
                paired(v["skrnn"], v["skrnn-net"]),
                ">=",
                0.95,
            )
        )
    details = [
        "network alone: RNNNetwork.loss_and_grad + AdamOptimizer.update on the "
        "same pre-cut batches from the same initial weights (bench_training's "
        "skrnn-net side); 1.00 = partial_fit adds nothing."
    ]
    if not ctx.selected & {"training", "inference"}:
        details += grid_details(ctx, "numeric", results)
    return rows, details


# ------------------------------------------------------------ 4: small batches
class NumpyTutorialRNN:
    """The classic numpy RNN tutorial's model and loop: the yardstick.

    Word ids -> embedding (E) -> tanh RNN (H) -> softmax over the vocabulary
    at every step, trained by full backpropagation through time and plain SGD,
    one sentence per update: the model of skrnn's side (begin and end markers
    included). Only the recurrence runs step by step in Python; the input
    projection, the head and the weight gradients are one product per
    sentence, which makes this loop faster (a harder yardstick) than the
    tutorial's own step-by-step version.
    """

    def __init__(self, vocabulary, embedding, hidden, learning_rate, seed=0):
        rng = np.random.default_rng(seed)

        def uniform(shape, bound):
            return rng.uniform(-bound, bound, size=shape).astype(np.float32)

        self.emb = uniform((vocabulary, embedding), 0.05)
        self.w_x = uniform((embedding, hidden), 1 / np.sqrt(hidden))
        self.w_h = uniform((hidden, hidden), 1 / np.sqrt(hidden))
        self.b = np.zeros(hidden, dtype=np.float32)
        self.w_y = uniform((hidden, vocabulary), 1 / np.sqrt(hidden))
        self.b_y = np.zeros(vocabulary, dtype=np.float32)
        self.learning_rate = learning_rate

    def sgd_step(self, x, y):
        """Forward, BPTT and one SGD update on one sentence; its mean loss."""
        n, steps = len(x), np.arange(len(x))
        e = self.emb[x]
        a = e @ self.w_x + self.b
        h = np.zeros((n + 1, self.b.size), dtype=np.float32)  # h[0]: initial
        for t in range(n):
            h[t + 1] = np.tanh(a[t] + h[t] @ self.w_h)
        logits = h[1:] @ self.w_y + self.b_y
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[steps, y]).mean()
        p[steps, y] -= 1
        p /= n  # d loss / d logits
        d_h = p @ self.w_y.T
        d_z = np.empty_like(d_h)
        carry = np.zeros(self.b.size, dtype=np.float32)
        for t in range(n - 1, -1, -1):
            d_z[t] = (d_h[t] + carry) * (1 - h[t + 1] * h[t + 1])
            carry = d_z[t] @ self.w_h.T
        lr = self.learning_rate
        np.subtract.at(self.emb, x, lr * (d_z @ self.w_x.T))
        self.w_y -= lr * (h[1:].T @ p)
        self.b_y -= lr * p.sum(axis=0)
        self.w_h -= lr * (h[:-1].T @ d_z)
        self.w_x -= lr * (e.T @ d_z)
        self.b -= lr * d_z.sum(axis=0)
        return loss

    def fit(self, sentences, epochs):
        """``epochs`` passes over the sentences in order; the last epoch's
        mean loss."""
        pairs = [
            (np.r_[BEGIN_ID, s].astype(np.int64), np.r_[s, END_ID].astype(np.int64))
            for s in sentences
        ]
        for _ in range(epochs):
            loss = np.mean([self.sgd_step(x, y) for x, y in pairs])
        return loss


def tutorial_estimator(epochs):
    """skrnn's side of the tutorial setting: a tanh RNN of 64 units on word
    ids, plain SGD (lr 0.005, no momentum), one sentence per step, in order,
    for exactly ``epochs`` epochs (no stopping rule, no clipping, no L2)."""
    return RNNSequenceGenerator(
        cell="rnn",
        hidden_size=64,
        input_type="tokens",
        optimizer="sgd",
        momentum=0.0,
        nesterovs_momentum=False,
        learning_rate_init=0.005,
        batch_size=1,
        clip_norm=None,
        alpha=0.0,
        shuffle=False,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        random_state=0,
    )


def measure_small_batches(ctx):
    s = ctx.settings
    rows, details = [], []

    # Fixed cost: a tanh RNN of 4 units on 2-step sequences of 1 feature,
    # batch 1, SGD: the kernels' own work is a few hundred FLOPs, so the time
    # per step is (an upper bound of) the per-step fixed cost.
    n = s["tiny_n_seq"]
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 2, 1), dtype=np.float32)
    y = (X[:, -1, 0] > 0).astype(np.int64)
    tiny = RNNClassifier(
        cell="rnn",
        hidden_size=4,
        batch_size=1,
        optimizer="sgd",
        momentum=0.0,
        clip_norm=None,
        alpha=0.0,
        shuffle=False,
        max_iter=1,
        random_state=0,
    )
    quiet(tiny.partial_fit, X, y, classes=[0, 1])
    per_step = [
        timed(lambda: quiet(tiny.partial_fit, X, y)) / n * 1e6
        for _ in range(ctx.rounds)
    ]
    rows.append(
        threshold_row(
            "4. fixed cost per minibatch step (upper bound: tanh H=4, T=2, "
            "batch 1, SGD, partial_fit)",
            per_step,
            "<=",
            20,
            unit=" us",
            digits=1,
        )
    )
    details.append(
        f"fixed cost: one partial_fit epoch of {n:,} sequences of 2 steps x 1 "
        "feature, batch 1; time per step includes the kernels (a few hundred "
        "FLOPs), so it bounds the fixed cost from above."
    )

    # The tutorial setting: 50 sentences of word ids, batch 1, SGD.
    docs = load_sentiment().data[: s["tutorial_sentences"]]
    ids = Tokenizer().fit(docs).transform(docs)
    sentences = [row[row > 0] for row in ids]
    vocabulary = int(ids.max()) + 1
    epochs = s["tutorial_epochs"]
    n_steps = len(sentences) * epochs
    quiet(tutorial_estimator(1).fit, sentences)  # compile / load the kernels

    class SkrnnTutorial:
        name = "skrnn"

        def run(self):
            self.model = tutorial_estimator(epochs)
            quiet(self.model.fit, sentences)
            self.loss = self.model.loss_curve_[-1]

    class NumpyTutorial:
        name = "numpy"

        def run(self):
            self.model = NumpyTutorialRNN(vocabulary, 32, 64, 0.005)
            self.loss = self.model.fit(sentences, epochs)

    sides = [SkrnnTutorial(), NumpyTutorial()]
    seconds = paired_rounds(sides, lambda side: timed(side.run), ctx.rounds)
    rows.append(
        threshold_row(
            "4. tutorial setting (tanh H=64, SGD, batch 1, 50 sentences): "
            "numpy loop time / skrnn fit time",
            paired(seconds["numpy"], seconds["skrnn"]),
            ">=",
            10,
        )
    )
    skrnn_s, numpy_s = (statistics.median(seconds[k]) for k in ("skrnn", "numpy"))
    scale = 1500 / epochs
    details.append(
        f"tutorial: {len(sentences)} sentences ({sum(map(len, sentences))} words, "
        f"vocabulary {vocabulary}), embedding 32, {epochs} epochs timed "
        f"({n_steps:,} steps) and scaled to 1,500: skrnn fit "
        f"{skrnn_s * scale:.1f} s ({skrnn_s / n_steps * 1e6:.0f} us per step), "
        f"numpy loop {numpy_s * scale:.1f} s ({numpy_s / n_steps * 1e6:.0f} us per "
        f"step); last-epoch loss skrnn {sides[0].loss:.3f}, numpy "
        f"{sides[1].loss:.3f} (ln V = {np.log(vocabulary):.3f})."
    )
    return rows, details


# -------------------------------------------------------------- 5: char model
def char_text(n_chars):
    """``n_chars + 1`` characters of Hamlet holding exactly 65 distinct ones
    (the speed does not depend on which): the rarest characters replaced by
    spaces, or missing ones sprinkled every 97th position."""
    full = load_shakespeare().text
    text = (full * (n_chars // len(full) + 2))[: n_chars + 1]
    counts = Counter(text)
    for char, _ in sorted(counts.items(), key=lambda kv: (kv[1], kv[0])):
        if len(set(text)) <= CHAR_VOCABULARY:
            break
        if char != " ":
            text = text.replace(char, " ")
    visible = string.ascii_letters + string.digits + string.punctuation
    missing = [c for c in sorted(set(full) | set(visible)) if c not in text]
    chars = list(text)
    for k in range(CHAR_VOCABULARY - len(set(text))):
        chars[97 * k] = missing[k]
    return "".join(chars)


def measure_char_model(ctx):
    s = ctx.settings
    n_chars = bench_char_model.LANES * bench_char_model.T_WINDOW * s["char_windows"]
    text = char_text(n_chars)
    vocabulary = {c: i for i, c in enumerate(sorted(set(text)))}
    rows, details = [], []
    long, batch = s["gen_chars"], s["gen_batch_chars"]
    metrics = {
        "training chars/s": lambda side: n_chars / timed(side.train),
        f"generation chars/s, 1 text of {long}": lambda side: (
            long / timed(lambda: side.generate(long, 1))
        ),
        f"generation chars/s, 32 texts of {batch}": lambda side: (
            32 * batch / timed(lambda: side.generate(batch, 32))
        ),
    }
    med = statistics.median
    for hidden in s["char_hidden"]:
        ctx.log(f"  character model, LSTM H={hidden}")
        sides = [
            bench_char_model.SkrnnSide(hidden, text),
            bench_char_model.TorchSide(hidden, text, vocabulary),
        ]
        for side in sides:
            side.warm_up()
        for name, measure in metrics.items():
            rates = paired_rounds(sides, measure, ctx.rounds)
            bar = 1.0 if name.startswith("training") else 5.0
            rows.append(
                threshold_row(
                    f"5. character model LSTM H={hidden}, {name}: skrnn / torch",
                    paired(rates["skrnn"], rates["torch"]),
                    ">=",
                    bar,
                )
            )
            details.append(
                f"character model H={hidden}, {name}: skrnn "
                f"{med(rates['skrnn']):,.0f}, torch {med(rates['torch']):,.0f}"
            )
    details.append(
        f"character model: V={len(vocabulary)} characters, embedding "
        f"{bench_char_model.EMBEDDING}, windows of T={bench_char_model.T_WINDOW} "
        f"in B={bench_char_model.LANES} lanes, {n_chars:,} characters per pass "
        "(bench_char_model.py's sides; torch samples step by step in Python)."
    )
    return rows, details


# -------------------------------------------------------------- 6: efficiency
def gemm_rate(size, calls):
    """float32 GFLOP/s of a (size x size) @ (size x size) numpy product on one
    BLAS thread."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    c = np.empty_like(a)
    with threadpool_limits(limits=1, user_api="blas"):
        np.matmul(a, b, out=c)
        start = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=c)
        wall = time.perf_counter() - start
    return 2 * size**3 * calls / wall / 1e9


def measure_efficiency(ctx):
    s = ctx.settings
    hidden, n = 256, s["efficiency_n_seq"]
    X, y = make_data(n, seed=0)
    side = EstimatorSide("lstm", hidden, X, y)
    side.warm_up()
    threads = numba.get_num_threads()
    flops = train_flops(
        "lstm", hidden, bench_training.N_FEATURES, bench_training.N_STEPS, 2
    )

    class Training:
        name = "skrnn"

        def measure(self):
            return n / timed(lambda: side.train(1)) * flops / threads / 1e9

    class Gemm:
        name = "gemm"

        def measure(self):
            return gemm_rate(s["gemm_size"], s["gemm_calls"])

    rates = paired_rounds([Training(), Gemm()], lambda m: m.measure(), ctx.rounds)
    fractions = [100 * f for f in paired(rates["skrnn"], rates["gemm"])]
    med = statistics.median
    row = threshold_row(
        "6. LSTM H=256 training FLOP rate per core / 1-thread float32 GEMM rate",
        fractions,
        ">=",
        60,
        unit="%",
        digits=0,
    )
    row.figure += (
        f" ({med(rates['skrnn']):.1f} of {med(rates['gemm']):.1f} GFLOP/s per core)"
    )
    details = [
        f"efficiency: skrnn partial_fit, numeric F=32, T=50, B=32, {n:,} "
        f"sequences per round on {threads} threads; FLOPs per sequence "
        "6*T*4H*(F+H) + 6*H*C (forward 2*(F+H)*4H per step, training 3x the "
        f"forward) = {flops / 1e6:.1f} MFLOP, divided by the thread count; GEMM: "
        f"numpy float32 {s['gemm_size']}^3 matmul, 1 BLAS thread (threadpoolctl), "
        "measured in the same rounds."
    ]
    return [row], details


# ------------------------------------------------------------------ 7: memory
def peak_megabytes(call):
    """Peak MB that Python and numpy allocated during ``call()``."""
    gc.collect()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def series(T, n, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.normal(size=T) for _ in range(n)]


def flat_row(target, call_for_length, lengths, n_series):
    """Peaks at two lengths; met when the peak grows by at most INPUT_COPIES
    copies of the extra input (float64 series)."""
    short, long = (peak_megabytes(lambda T=T: call_for_length(T)) for T in lengths)
    allowed = INPUT_COPIES * n_series * (lengths[1] - lengths[0]) * 8 / 1e6
    return Row(
        target,
        f"{long:,.1f} MB (T={lengths[0]:,}: {short:,.1f} MB)",
        "deterministic, 1 run",
        f"growth <= {INPUT_COPIES} input copies ({allowed:,.1f} MB)",
        long - short <= allowed,
    )


# Sequences (the generator: lanes) per batch in the truncated-BPTT memory rows.
BPTT_BATCH = 4


def measure_memory(ctx):
    s = ctx.settings
    hidden, window = s["memory_hidden"], s["bptt_steps"]
    rows = []
    estimators = (RNNClassifier, RNNRegressor, RNNSequenceGenerator)

    def targets(Estimator, n):
        if Estimator is RNNClassifier:
            return np.arange(n) % 2
        if Estimator is RNNRegressor:
            return np.linspace(-1, 1, n)
        return None

    # Prediction: 4 series of each length, LSTM, no training caches expected.
    lengths = s["memory_predict_lengths"]
    for Estimator in estimators:
        est = Estimator(cell="lstm", hidden_size=hidden, max_iter=1, random_state=0)
        quiet(est.fit, series(20, 8), targets(Estimator, 8))
        predict = (
            est.score_samples if Estimator is RNNSequenceGenerator else est.predict
        )
        predict(series(20, 4))  # kernels compiled before measuring
        name = "score_samples" if Estimator is RNNSequenceGenerator else "predict"
        ctx.log(f"  {Estimator.__name__}.{name}")
        rows.append(
            flat_row(
                f"7. peak memory, {Estimator.__name__}.{name}, 4 series of "
                f"T={lengths[1]:,}",
                lambda T, f=predict: f(series(T, 4)),
                lengths,
                4,
            )
        )

    # Truncated BPTT: one epoch of partial_fit, windows of `window` steps.
    for n, T in s["memory_bptt_shapes"]:
        for Estimator in estimators:
            ctx.log(f"  {Estimator.__name__}.partial_fit, {n} x {T:,} steps")
            # A fixed batch (lanes for the generator): O(batch x window x H)
            # is then flat in T. With "auto", the generator's lanes fill up
            # to 32 as a longer series is cut into more pieces.
            est = Estimator(
                cell="lstm",
                hidden_size=hidden,
                bptt_steps=window,
                batch_size=BPTT_BATCH,
                max_iter=1,
                random_state=0,
            )
            y = targets(Estimator, n)
            extra = {"classes": [0, 1]} if Estimator is RNNClassifier else {}
            quiet(est.partial_fit, series(2 * window, n), y, **extra)
            rows.append(
                flat_row(
                    f"7. peak memory, {Estimator.__name__}.partial_fit "
                    f"bptt_steps={window}, batch_size={BPTT_BATCH}, {n} series of "
                    f"T={T:,}",
                    lambda T, e=est, y=y, n=n: quiet(e.partial_fit, series(T, n), y),
                    (T // 2, T),
                    n,
                )
            )
    details = [
        f"memory: tracemalloc peaks (Python and numpy buffers), LSTM H={hidden}, "
        "float64 series in; each call measured at two lengths, the target is met "
        "when the peak grows by at most "
        f"{INPUT_COPIES} copies of the extra input (tests/test_memory.py's rule): "
        "then prediction keeps no per-step caches and truncated BPTT keeps its "
        "window's only (O(batch x window x H), not O(T))."
    ]
    return rows, details


# ----------------------------------------------------------------- 8: startup
WARM_SCRIPT = textwrap.dedent(
    """
    import warnings
    import numpy as np
    import skrnn
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(32, 10))
    y = (X[:, -1] > 0).astype(int)
    skrnn.RNNClassifier(max_iter=10, random_state=0).fit(X, y).predict(X)
    """
)

COLD_SCRIPT = textwrap.dedent(
    """
    import json, sys, time, warnings
    import numpy as np
    from skrnn import RNNClassifier, RNNRegressor, RNNSequenceGenerator
    from skrnn.datasets import load_sentiment, load_shakespeare
    warnings.simplefilter("ignore")

    def run(name):
        if name == "RNNClassifier":  # raw text, words
            data = load_sentiment()
            X, y = data.data[:64], data.target[:64]
            RNNClassifier(max_iter=2, random_state=0).fit(X, y).predict(X)
        elif name == "RNNRegressor":  # numeric series
            X = np.random.RandomState(0).normal(size=(64, 20))
            RNNRegressor(max_iter=2, random_state=0).fit(X, X[:, -1]).predict(X)
        else:  # characters
            text = load_shakespeare().text[:4000]
            gen = RNNSequenceGenerator(max_iter=2, random_state=0).fit([text])
            gen.predict([text[:200]])
            gen.generate(50, random_state=0)

    times = []
    for _ in range(2):
        start = time.perf_counter()
        run(sys.argv[1])
        times.append(time.perf_counter() - start)
    print(json.dumps(times))
    """
)


def run_python(script_args, env=None):
    """Run ``python *script_args`` in a subprocess; (wall seconds, stdout)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *script_args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"subprocess failed:\n{done.stderr[-2000:]}")
    return wall, done.stdout


def measure_startup(ctx):
    rows = []
    run_python(["-c", WARM_SCRIPT])  # makes sure the cache is warm
    warm = [run_python(["-c", WARM_SCRIPT])[0] for _ in range(ctx.rounds)]
    rows.append(
        threshold_row(
            "8. warm cache: python start + import skrnn + first small fit "
            "(subprocess wall time)",
            warm,
            "<=",
            1.5,
            unit=" s",
        )
    )
    names = ctx.settings["cold_estimators"]
    compile_s = {name: [] for name in names}
    for r in range(ctx.settings["cold_rounds"] or ctx.rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            ctx.log(f"  cold cache, {name}, round {r + 1}")
            with tempfile.TemporaryDirectory() as cache:
                env = {**os.environ, "NUMBA_CACHE_DIR": cache}
                first, second = json.loads(
                    run_python(["-c", COLD_SCRIPT, name], env)[1]
                )
            compile_s[name].append(first - second)
    totals = [sum(per_round) for per_round in zip(*compile_s.values(), strict=True)]
    rows.append(
        threshold_row(
            "8. cold cache: compile time of default fit + predict, summed over "
            + ", ".join(names),
            totals,
            "<=",
            30,
            unit=" s",
            digits=1,
        )
    )
    med = statistics.median
    details = [
        "warm start: a fresh `python -c` (interpreter start, imports of numpy, "
        "scikit-learn, numba and skrnn) fitting RNNClassifier(max_iter=10) "
        "(LSTM 64) on 32 numeric series of 10 steps and predicting them.",
        "cold cache: each estimator in a fresh subprocess with an empty "
        "temporary NUMBA_CACHE_DIR runs its default fit (max_iter=2) + predict "
        "twice; compile time = first run - second run (Tokenizer compiles "
        "nothing). RNNClassifier on 64 sentences of text, RNNRegressor on 64 "
        "numeric series, RNNSequenceGenerator on 4,000 characters (+ generate). "
        "Per estimator, median s: "
        + ", ".join(f"{name} {med(v):.1f}" for name, v in compile_s.items()),
    ]
    return rows, details


# ----------------------------------------------------------------- 9: threads
def threads_worker(spec):
    """In a subprocess (NUMBA_NUM_THREADS set by the parent): train each
    configuration and print its rate and a hash of the fitted weights."""
    X, y = make_data(spec["n_seq"], seed=0)
    out = {}
    for cell, hidden in spec["configs"]:
        side = EstimatorSide(cell, hidden, X, y)
        side.warm_up()
        seconds = timed(lambda side=side: side.train(1))
        estimator = side.estimator
        digest = hashlib.sha256(
            np.ascontiguousarray(estimator._network.theta).tobytes()
            + np.asarray(estimator.loss_curve_, dtype=np.float64).tobytes()
        ).hexdigest()[:16]
        out[f"{cell} {hidden}"] = {"rate": len(X) / seconds, "hash": digest}
    print(json.dumps(out))


def measure_threads(ctx):
    s = ctx.settings
    configs = [[cell, h] for cell in CELLS for h in s["threads_hidden"]]
    spec = json.dumps({"configs": configs, "n_seq": s["threads_n_seq"]})
    runs = {1: [], 2: []}
    for r in range(ctx.rounds):
        for threads in (1, 2) if r % 2 == 0 else (2, 1):
            ctx.log(f"  {threads} thread(s), round {r + 1}")
            env = {
                **os.environ,
                **{
                    var: str(threads)
                    for var in (
                        "NUMBA_NUM_THREADS",
                        "OMP_NUM_THREADS",
                        "MKL_NUM_THREADS",
                        "OPENBLAS_NUM_THREADS",
                    )
                },
            }
            stdout = run_python([__file__, "--threads-worker", spec], env)[1]
            runs[threads].append(json.loads(stdout.strip().splitlines()[-1]))
    rows = []
    identical = 0
    for cell, hidden in configs:
        key = f"{cell} {hidden}"
        rows.append(
            threshold_row(
                f"9. threads, training {cell} H={hidden}: 2 threads / 1 thread seq/s",
                paired(
                    [run[key]["rate"] for run in runs[2]],
                    [run[key]["rate"] for run in runs[1]],
                ),
                ">=",
                1.8,
            )
        )
        hashes = {run[key]["hash"] for run in runs[1] + runs[2]}
        identical += len(hashes) == 1
    rows.append(
        Row(
            "9. threads: fitted weights bit-identical at 1 and 2 threads",
            f"{identical} of {len(configs)} configurations",
            f"{len(runs[1]) + len(runs[2])} fits each",
            "all",
            identical == len(configs),
        )
    )
    details = [
        "threads: each thread count in its own subprocess (NUMBA_NUM_THREADS, "
        "OMP/MKL/OPENBLAS_NUM_THREADS set), bench_training's estimator side, "
        f"numeric F=32, T=50, B=32, {s['threads_n_seq']:,} sequences, one "
        "warm-up epoch then one timed epoch; weights hashed (SHA-256 of the "
        "parameter vector and the loss curve) after both epochs."
    ]
    return rows, details


MEASURES = {
    "training": measure_training,
    "inference": measure_inference,
    "overhead": measure_overhead,
    "small-batches": measure_small_batches,
    "char-model": measure_char_model,
    "efficiency": measure_efficiency,
    "memory": measure_memory,
    "startup": measure_startup,
    "threads": measure_threads,
}


# -------------------------------------------------------------------- report
def build_report(ctx, rows, details, loads, elapsed):
    model, simd = bench_training.cpu_info()
    torch_line = (
        f"torch {ctx.torch.__version__} ({ctx.torch.get_num_threads()} threads)"
        if ctx.torch is not None
        else "torch not imported"
    )
    pulled = "YES (a bug)" if bench_training.SKRNN_IMPORTED_TORCH else "no"
    lines = [
        "# skrnn performance targets (issue 11)",
        "",
        f"- skrnn {skrnn.__version__} (git {bench_training.git_revision()}), numba "
        f"{numba.__version__} ({numba.get_num_threads()} threads), numpy "
        f"{np.__version__}, {torch_line}; importing skrnn imported torch: {pulled}",
        f"- CPU: {model}; {os.cpu_count()} logical CPUs; SIMD: {' '.join(simd)}",
        f"- {ctx.rounds} round(s); groups: {', '.join(ctx.selected_order)}; "
        f"load average (1 min) before: {loads['before']:.2f}; total time "
        f"{elapsed / 60:.1f} min",
        "- other processes' CPU use while each group ran (cores): "
        + ", ".join(f"{g} {c:.2f}" for g, c in loads["others"].items()),
        "",
    ]
    if ctx.quick:
        lines += [
            "**Quick run (`--quick`): tiny sizes, a smoke test. The figures are "
            "meaningless; do not quote them.**",
            "",
        ]
    busy = [g for g, c in loads["others"].items() if c > BUSY_OTHERS]
    if loads["before"] > BUSY_LOAD or busy:
        lines += [
            f"**Warning: the machine was busy (load average {loads['before']:.2f} "
            f"before the run; other processes above {BUSY_OTHERS} cores during: "
            f"{', '.join(busy) or 'none'}). Other processes distort these figures, "
            "PyTorch's far more than skrnn's (benchmarks/README.md); do not "
            "quote them.**",
            "",
        ]
    lines += [
        "| target | figure (median) | spread (min-max over rounds) | threshold "
        "| met? |",
        "| --- | ---: | ---: | ---: | :---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row.target} | {row.figure} | {row.spread} | {row.threshold} "
            f"| {'yes' if row.met else 'no'} |"
        )
    met = sum(row.met for row in rows)
    lines += [
        "",
        f"**{met} of {len(rows)} targets met.**",
        "",
        "Ratios are paired (both sides in the same round, order flipped every "
        "round); figure = median over rounds, spread = min-max of the per-round "
        "values.",
    ]
    not_met = [row.target for row in rows if not row.met]
    if not_met:
        lines += ["", "Not met:", *(f"- {t}" for t in not_met)]
    lines += ["", "## Details", ""]
    # Lines indented by two spaces are sub-items of the line above.
    lines += [
        f"  - {line.strip()}" if line.startswith("  ") else f"- {line}"
        for line in details
    ]
    return "\n".join(lines) + "\n"


def write_json(ctx, rows, path):
    """The table as JSON: the revision, the rounds and every row's fields
    (examples/plot_speed_vs_pytorch.py reads benchmarks/results.json)."""
    results = {
        "revision": bench_training.git_revision(),
        "rounds": ctx.rounds,
        "quick": ctx.quick,
        "rows": [asdict(row) for row in rows],
    }
    path.write_text(json.dumps(results, indent=1) + "\n")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes for a smoke test (figures meaningless)",
    )
    ap.add_argument("--rounds", type=int, help="rounds per figure (3; quick: 2)")
    ap.add_argument(
        "--only",
        nargs="+",
        choices=GROUPS,
        metavar="GROUP",
        help=f"run these groups only: {' '.join(GROUPS)}",
    )
    ap.add_argument("--markdown-out", type=Path, help="also write the report here")
    ap.add_argument(
        "--json-out", type=Path, help="also write the table's rows here as JSON"
    )
    ap.add_argument("--threads-worker", help=argparse.SUPPRESS)
    opts = ap.parse_args(argv)
    if opts.rounds is None:
        opts.rounds = 2 if opts.quick else 3
    if opts.rounds < 1:
        ap.error("--rounds must be at least 1")
    return opts


def main(argv=None):
    opts = parse_args(argv)
    if opts.threads_worker is not None:
        threads_worker(json.loads(opts.threads_worker))
        return

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    selected = set(opts.only or GROUPS)
    ctx = SimpleNamespace(
        quick=opts.quick,
        rounds=opts.rounds,
        settings=SETTINGS["quick" if opts.quick else "full"],
        selected=selected,
        selected_order=[g for g in GROUPS if g in selected],
        cache={},
        torch=None,
        log=log,
    )
    loads = {"before": os.getloadavg()[0], "others": {}}
    if loads["before"] > BUSY_LOAD:
        log(
            f"warning: 1-min load average is {loads['before']:.2f} before the run; "
            "other processes may distort the figures"
        )
    if selected & TORCH_GROUPS:
        # Imported before any Numba parallel region runs, as in bench_training.
        ctx.torch = bench_training.import_torch()
        ctx.torch.set_num_threads(numba.get_num_threads())
    start = time.perf_counter()
    rows, details = [], []
    for group in ctx.selected_order:
        log(f"[{group}]")
        other = OtherLoad()
        group_rows, group_details = MEASURES[group](ctx)
        loads["others"][group] = other.cores()
        rows += group_rows
        details += group_details
    report = build_report(ctx, rows, details, loads, time.perf_counter() - start)
    bench_training.emit_report(report, opts.markdown_out, log)
    if opts.json_out is not None:
        write_json(ctx, rows, opts.json_out)
        log(f"rows written to {opts.json_out}")


if __name__ == "__main__":
    main()
