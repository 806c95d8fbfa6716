"""Per-step labels on real and generated data: RNNSequenceTagger vs PyTorch.

Part-of-speech tagging of the Turkish Web Treebank (Google; Apache-2.0),
which the PyPI package ``turkish-treebanks==1.0.0`` ships as CoNLL-U files
(4,851 hand-annotated sentences, 81,370 tokens, the 12 universal tags of
Petrov et al. plus ONOM and AFFIX). Every tenth sentence is the test set
(the split the treebank's README suggests), the rest trains. The same
bidirectional LSTM tagger (word embedding -> BiLSTM -> softmax at every
word), the same vocabulary (training words seen at least twice, the rest
out of vocabulary), optimizer, batches and epochs on both sides; PyTorch's
weights are drawn from skrnn's initial distributions. A most-frequent-tag-
per-word baseline gives the floor.

Then frame labelling of generated signals (``make_regime_signals``): the
regime of every frame, which a per-frame classifier cannot see.

Run alone on an idle machine (figures are paired ratios within one run)::

    pip install -e ".[bench]"
    pip install --no-deps turkish-treebanks==1.0.0
    python benchmarks/bench_tagger.py [--seeds 3] [--epochs 10] [--quick]
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import importlib.metadata
import math
import statistics
import sys
import time
import warnings
from collections import Counter

import numpy as np

TREEBANK = "turkish-treebanks"
TREEBANK_VERSION = "1.0.0"
FILES = ("data/web.conllu", "data/wiki.conllu")
# Timed predictions of the test set per fitted model (after one untimed).
PREDICT_REPEATS = 5


# ------------------------------------------------------------------ data
def treebank_files():
    """Paths of the treebank's CoNLL-U files in the installed distribution."""
    try:
        dist = importlib.metadata.distribution(TREEBANK)
    except importlib.metadata.PackageNotFoundError:
        sys.exit(
            f"{TREEBANK} is not installed; it carries this benchmark's data: "
            f"pip install --no-deps {TREEBANK}=={TREEBANK_VERSION}"
        )
    if dist.version != TREEBANK_VERSION:
        sys.exit(f"{TREEBANK}=={TREEBANK_VERSION} expected, found {dist.version}")
    return [dist.locate_file(name) for name in FILES]


def load_split():
    from skrnn.datasets import load_conllu

    sentences = [
        pair
        for path in treebank_files()
        for pair in zip(*load_conllu(path, return_X_y=True))
    ]
    test = [s for i, s in enumerate(sentences) if i % 10 == 0]
    train = [s for i, s in enumerate(sentences) if i % 10 != 0]
    return train, test


def word_ids(train, sentences, min_count=2):
    """Padded word ids (0 pad, 1 out of vocabulary, words from 4) and lengths."""
    counts = Counter(w for words, _ in train for w in words)
    vocabulary = {
        w: i
        for i, w in enumerate(sorted(w for w, c in counts.items() if c >= min_count), 4)
    }
    lengths = np.array([len(words) for words, _ in sentences])
    ids = np.zeros((len(sentences), lengths.max()), dtype=np.int64)
    for i, (words, _) in enumerate(sentences):
        ids[i, : len(words)] = [vocabulary.get(w, 1) for w in words]
    return ids, lengths, len(vocabulary) + 4


def most_frequent_tag_baseline(train, test):
    by_word = {}
    for words, tags in train:
        for w, t in zip(words, tags):
            by_word.setdefault(w, Counter())[t] += 1
    overall = Counter(t for _, tags in train for t in tags).most_common(1)[0][0]
    best = {w: c.most_common(1)[0][0] for w, c in by_word.items()}
    hits = sum(
        best.get(w, overall) == t for words, tags in test for w, t in zip(words, tags)
    )
    return hits / sum(len(tags) for _, tags in test)


# --------------------------------------------------------------- skrnn
def skrnn_tagger(params, seed, vocabulary_size):
    from skrnn import RNNSequenceTagger

    return RNNSequenceTagger(
        input_type="tokens",
        vocabulary_size=vocabulary_size,
        cell="lstm",
        bidirectional=True,
        hidden_size=params["hidden"],
        embedding_dim=params["embedding"],
        learning_rate_init=params["lr"],
        batch_size=params["batch"],
        max_iter=params["epochs"],
        tol=0.0,
        n_iter_no_change=params["epochs"],
        random_state=seed,
    )


# --------------------------------------------------------- PyTorch twin
class TorchTagger:
    """The same BiLSTM tagger in PyTorch, trained like skrnn's.

    Adam with skrnn's settings, skrnn's L2 term (``alpha / 2 * ||W||^2`` over
    the weight matrices, divided by the batch's labelled steps) and global
    norm clipping at 5; the mean cross-entropy over the batch's real steps.
    """

    def __init__(self, torch, estimator, seed):
        self.torch, self.p, self.seed = torch, estimator.get_params(), seed

    def build(self, vocabulary_size, n_tags):
        torch, p = self.torch, self.p
        nn = torch.nn
        torch.manual_seed(self.seed)
        H, E = p["hidden_size"], p["embedding_dim"]
        self.embedding = nn.Embedding(vocabulary_size, E)
        self.rnn = nn.LSTM(E, H, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * H, n_tags)
        self.modules = nn.ModuleList([self.embedding, self.rnn, self.head])
        with torch.no_grad():
            nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
            bound = math.sqrt(6.0 / (E + H))
            for suffix in ("l0", "l0_reverse"):
                w_ih = getattr(self.rnn, f"weight_ih_{suffix}")
                w_hh = getattr(self.rnn, f"weight_hh_{suffix}")
                for g in range(4):
                    block = slice(g * H, (g + 1) * H)
                    nn.init.uniform_(w_ih[block], -bound, bound)
                    nn.init.orthogonal_(w_hh[block])
                getattr(self.rnn, f"bias_ih_{suffix}").zero_()
                getattr(self.rnn, f"bias_hh_{suffix}").zero_()
                getattr(self.rnn, f"bias_ih_{suffix}")[H : 2 * H] = 1.0  # forget
            bound = math.sqrt(6.0 / (2 * H + n_tags))
            nn.init.uniform_(self.head.weight, -bound, bound)
            self.head.bias.zero_()
        self.weights = [
            self.embedding.weight,
            self.rnn.weight_ih_l0,
            self.rnn.weight_hh_l0,
            self.rnn.weight_ih_l0_reverse,
            self.rnn.weight_hh_l0_reverse,
            self.head.weight,
        ]
        self.optimizer = torch.optim.Adam(
            self.modules.parameters(),
            lr=p["learning_rate_init"],
            betas=(p["beta_1"], p["beta_2"]),
            eps=p["epsilon"],
        )
        return self

    def logits(self, x, lengths):
        torch = self.torch
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            self.embedding(x), lengths, batch_first=True, enforce_sorted=False
        )
        out, _ = self.rnn(packed)
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(
            out, batch_first=True, total_length=x.shape[1]
        )
        return self.head(out)

    def fit(self, X, lengths, Y, epochs):
        torch, p = self.torch, self.p
        X, lengths, Y = (torch.from_numpy(a) for a in (X, lengths, Y))
        n, size = X.shape[0], p["batch_size"]
        rng = np.random.RandomState(self.seed)
        for _ in range(epochs):
            order = rng.permutation(n)
            for lo in range(0, n, size):
                idx = torch.from_numpy(order[lo : lo + size])
                L = lengths[idx]
                T = int(L.max())
                logits = self.logits(X[idx, :T], L)
                real = torch.arange(T)[None, :] < L[:, None]
                loss = torch.nn.functional.cross_entropy(logits[real], Y[idx, :T][real])
                penalty = sum((w * w).sum() for w in self.weights)
                loss = loss + p["alpha"] / 2 * penalty / int(real.sum())
                self.optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(
                    self.modules.parameters(), p["clip_norm"]
                )
                self.optimizer.step()
        return self

    def predict(self, X, lengths):
        torch = self.torch
        out = []
        with torch.no_grad():
            for lo in range(0, X.shape[0], 1024):
                L = torch.from_numpy(lengths[lo : lo + 1024])
                x = torch.from_numpy(X[lo : lo + 1024, : int(L.max())])
                tags = self.logits(x, L).argmax(-1).numpy()
                out += [row[:n] for row, n in zip(tags, L.tolist())]
        return out


# ------------------------------------------------------------- running
def accuracy(predicted, truth):
    hits = sum(int(np.sum(p == t)) for p, t in zip(predicted, truth))
    return hits / sum(len(t) for t in truth)


def word_tagging(args, torch):
    train, test = load_split()
    X_train, len_train, V = word_ids(train, train)
    X_test, len_test, _ = word_ids(train, test)
    tags = sorted({t for _, ts in train for t in ts})
    code = {t: i for i, t in enumerate(tags)}
    Y_train = np.zeros_like(X_train)
    for i, (_, ts) in enumerate(train):
        Y_train[i, : len(ts)] = [code[t] for t in ts]
    truth = [np.array([code.get(t, -1) for t in ts]) for _, ts in test]
    if args.quick:
        X_train, len_train, Y_train = X_train[:400], len_train[:400], Y_train[:400]
    params = {
        "hidden": 64, "embedding": 64, "lr": 0.002, "batch": 32,
        "epochs": args.epochs,
    }  # fmt: skip
    n_tokens = int(len_test.sum())
    print(
        f"Turkish Web Treebank ({TREEBANK}=={TREEBANK_VERSION}): "
        f"{len(len_train)} training sentences ({int(len_train.sum()):,} words), "
        f"{len(test)} test sentences ({n_tokens:,} words), {len(tags)} tags, "
        f"vocabulary {V:,} (training words seen twice or more); "
        f"out-of-vocabulary test words {np.mean(X_test[X_test > 0] == 1):.1%}"
    )
    baseline = most_frequent_tag_baseline(train, test)
    print(f"most frequent tag per word: accuracy {baseline:.4f}")
    print(
        f"BiLSTM tagger: embedding {params['embedding']}, 2 x {params['hidden']} "
        f"units, Adam lr {params['lr']}, batch {params['batch']}, "
        f"{params['epochs']} epochs, L2 1e-4, clip 5; seeds {list(range(args.seeds))}"
    )
    results = {"skrnn": [], "torch": []}
    for seed in range(args.seeds):
        sides = ["skrnn", "torch"] if seed % 2 == 0 else ["torch", "skrnn"]
        for side in sides:
            model = skrnn_tagger(params, seed, V)
            start = time.perf_counter()
            if side == "skrnn":
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(X_train, [y[:n] for y, n in zip(Y_train, len_train)])
                fit_s = time.perf_counter() - start

                def predict(model=model):
                    return model.predict(X_test)

            else:
                twin = TorchTagger(torch, model, seed).build(V, len(tags))
                twin.fit(X_train, len_train, Y_train, params["epochs"])
                fit_s = time.perf_counter() - start

                def predict(twin=twin):
                    return twin.predict(X_test, len_test)

            predicted = predict()  # warm-up, untimed
            times = []
            for _ in range(PREDICT_REPEATS):
                start = time.perf_counter()
                predict()
                times.append(time.perf_counter() - start)
            predict_s = statistics.median(times)
            acc = accuracy(predicted, truth)
            results[side].append((acc, fit_s, predict_s))
            print(
                f"  seed {seed} {side:5s}: accuracy {acc:.4f}, fit {fit_s:6.1f} s, "
                f"predict {n_tokens / predict_s:,.0f} words/s (median of "
                f"{PREDICT_REPEATS})"
            )
    summary = {}
    for side, rows in results.items():
        accs = [r[0] for r in rows]
        summary[side] = statistics.mean(accs)
        print(
            f"{side:5s}: accuracy mean {statistics.mean(accs):.4f} "
            f"(min {min(accs):.4f}, max {max(accs):.4f})"
        )
    fit_ratio = [t[1] / s[1] for s, t in zip(results["skrnn"], results["torch"])]
    predict_ratio = [t[2] / s[2] for s, t in zip(results["skrnn"], results["torch"])]
    gap = summary["skrnn"] - summary["torch"]
    within = "yes" if gap >= -0.01 else "no"
    print(
        f"skrnn - torch accuracy: {gap:+.4f} (within 0.01 or better: {within}); "
        f"speed skrnn/torch: training {statistics.median(fit_ratio):.2f}x "
        f"({min(fit_ratio):.2f}-{max(fit_ratio):.2f}), prediction "
        f"{statistics.median(predict_ratio):.2f}x "
        f"({min(predict_ratio):.2f}-{max(predict_ratio):.2f})"
    )


def frame_labelling(args):
    from sklearn.ensemble import HistGradientBoostingClassifier

    from skrnn import RNNSequenceTagger
    from skrnn.datasets import make_regime_signals

    n = 120 if args.quick else 300
    X, y = make_regime_signals(n, 200, random_state=0)
    X = X.astype(np.float32)
    n_train = 2 * n // 3
    frame = HistGradientBoostingClassifier(random_state=0).fit(
        X[:n_train].reshape(-1, 1), y[:n_train].ravel()
    )
    frame_acc = frame.score(X[n_train:].reshape(-1, 1), y[n_train:].ravel())
    tagger = RNNSequenceTagger(
        hidden_size=32, bidirectional=True, learning_rate_init=0.005,
        max_iter=30 if args.quick else 150, random_state=0,
    )  # fmt: skip
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tagger.fit(X[:n_train], y[:n_train])
    fit_s = time.perf_counter() - start
    acc = tagger.score(X[n_train:], y[n_train:])
    print(
        f"frame labelling (make_regime_signals, {n_train} training series of 200 "
        f"steps, {n - n_train} test series): per-frame gradient boosting "
        f"{frame_acc:.4f}; BiLSTM tagger 2 x 32 {acc:.4f} (>= 0.95: "
        f"{'yes' if acc >= 0.95 else 'no'}; fit {fit_s:.1f} s, {tagger.n_iter_} epochs)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="smoke test")
    parser.add_argument("--only", choices=["words", "frames"])
    args = parser.parse_args()
    torch = None
    if args.only != "frames":
        import torch  # before any Numba parallel region (see bench_training.py)

        torch.set_num_threads(2)
    if args.only != "frames":
        word_tagging(args, torch)
    if args.only != "words":
        frame_labelling(args)


if __name__ == "__main__":
    main()
