"""Training and inference speed of skrnn against PyTorch on the CPU, side by side.

Task: many-to-one classification of float32 sequences, T=50 steps of F=32
features (numeric 3-D input, no embedding), batches of B=32, 2 classes, one
recurrent layer (tanh RNN, LSTM or GRU) of H units and a dense head on the
last step, cross-entropy loss, Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8).
Gradient clipping is OFF on both sides and skrnn's L2 penalty is 0.

Sides, all on the same data and the same batches in the same order:

* ``skrnn``: the library path a user runs, ``RNNClassifier.partial_fit`` (one
  epoch per call, ``shuffle=False``, ``clip_norm=None``, ``alpha=0``), then
  ``predict_proba``;
* ``skrnn-net``: the lower layer alone, ``RNNNetwork.loss_and_grad`` and
  ``AdamOptimizer.update`` on pre-cut batches, then ``RNNNetwork.predict``
  (raw head outputs); the gap to ``skrnn`` is the estimator's overhead;
* ``torch``: ``torch.nn.RNN(nonlinearity="tanh")`` / ``LSTM`` / ``GRU``
  (``batch_first=True``) + ``Linear`` on the last step + ``CrossEntropyLoss``
  + ``torch.optim.Adam`` (its default implementation); inference under
  ``torch.no_grad()`` with a softmax, from numpy to numpy.

Each configuration is warmed up (JIT compilation or cache load, first epoch),
then timed for ``--rounds`` rounds; inside a round every metric is measured
on each side in turn, and the order of the sides flips from round to round.
Reported: the median over rounds per side, and ``ratio`` = the median over
rounds of the paired ratio skrnn / torch measured in the same round.

Run ``python benchmarks/bench_training.py --help``; see benchmarks/README.md.
torch is an optional extra (``pip install -e ".[bench]"``) imported only here.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import os

# Thread pools are sized when numpy, numba and torch load, so the defaults go
# into the environment first: 2 threads everywhere (the benchmark machines have
# 2 cores). Values already set in the shell are kept; --threads then sets the
# thread counts both sides actually use at run time, and the report prints all
# of them.
os.environ.setdefault("NUMBA_NUM_THREADS", "2")
os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("MKL_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import argparse
import gc
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numba
import numpy as np
import sklearn

import skrnn
from skrnn import RNNClassifier
from skrnn._network import RNNNetwork
from skrnn._optimizers import AdamOptimizer

# Whether importing skrnn pulled torch in (it must not: torch is bench-only).
SKRNN_IMPORTED_TORCH = "torch" in sys.modules

CELLS = ("rnn", "lstm", "gru")
N_STEPS = 50
N_FEATURES = 32
BATCH_SIZE = 32
N_CLASSES = 2
LEARNING_RATE = 1e-3
BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-8  # the defaults of both libraries
# 1-minute load average above which the report flags the machine as busy.
BUSY_LOAD = 0.5

ENV_VARS = (
    "NUMBA_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMBA_THREADING_LAYER",
    "OPENBLAS_CORETYPE",
    "OMP_WAIT_POLICY",
    "GOMP_SPINCOUNT",
)

FULL = {
    "cells": list(CELLS),
    "hidden": [32, 128, 256],
    "rounds": 3,
    "n_seq": 2048,
    "epochs": 2,
    "n_infer": 2048,
    "infer_batch": 256,
    "predict_passes": 3,
    "latency_calls": 200,
}
QUICK = {
    "cells": list(CELLS),
    "hidden": [32],
    "rounds": 2,
    "n_seq": 128,
    "epochs": 1,
    "n_infer": 128,
    "infer_batch": 64,
    "predict_passes": 1,
    "latency_calls": 10,
}


# --------------------------------------------------------------------- data
def make_data(n, seed):
    """Standard-normal sequences; the label is the sign of a sum over the last
    10 steps of the first 2 features (learnable by every cell in a few epochs;
    the speed of either library does not depend on the values)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, N_STEPS, N_FEATURES), dtype=np.float32)
    y = (X[:, -10:, :2].sum(axis=(1, 2)) > 0).astype(np.int64)
    return X, y


def batch_bounds(n, size):
    return [(lo, min(lo + size, n)) for lo in range(0, n, size)]


# -------------------------------------------------------------------- sides
class EstimatorSide:
    """skrnn's public estimator: partial_fit / predict_proba."""

    name = "skrnn"

    def __init__(self, cell, hidden, X, y):
        self.estimator = RNNClassifier(
            cell=cell,
            hidden_size=hidden,
            batch_size=BATCH_SIZE,
            max_iter=1,
            shuffle=False,
            clip_norm=None,
            alpha=0,
            learning_rate_init=LEARNING_RATE,
            random_state=0,
        )
        self.X, self.y = X, y

    def warm_up(self):
        self.estimator.partial_fit(self.X, self.y, classes=np.arange(N_CLASSES))
        return self.estimator.loss_curve_[-1]

    def train(self, epochs):
        for _ in range(epochs):
            self.estimator.partial_fit(self.X, self.y)
        return self.estimator.loss_curve_[-1]

    def predict(self, X, batch):
        for lo, hi in batch_bounds(len(X), batch):
            self.estimator.predict_proba(X[lo:hi])

    def latency(self, X, calls):
        for i in range(calls):
            k = i % len(X)
            self.estimator.predict_proba(X[k : k + 1])


class NetworkSide:
    """skrnn's lower layer: RNNNetwork.loss_and_grad + AdamOptimizer.update."""

    name = "skrnn-net"

    def __init__(self, cell, hidden, X, y):
        # Same initial weights as EstimatorSide (RandomState(0), drawn first).
        self.net = RNNNetwork(cell, N_FEATURES, hidden, 1, False, N_CLASSES, "float32")
        self.net.initialize(np.random.RandomState(0))
        self.optimizer = AdamOptimizer(
            self.net.theta.shape[0], np.float32, LEARNING_RATE, BETA_1, BETA_2, EPSILON
        )
        self.grad = np.zeros_like(self.net.theta)
        self.batches = []
        for lo, hi in batch_bounds(len(X), BATCH_SIZE):
            b = hi - lo
            self.batches.append(
                (
                    np.ascontiguousarray(X[lo:hi]),
                    np.full(b, N_STEPS, dtype=np.int64),
                    np.ascontiguousarray(y[lo:hi]),
                    np.full(b, 1.0 / b, dtype=np.float32),
                )
            )
        self.n = len(X)

    def _epoch(self):
        total = 0.0
        for xb, lengths, yb, weights in self.batches:
            value = self.net.loss_and_grad(
                xb, lengths, yb, weights, "softmax", self.grad
            )
            self.optimizer.update(self.net.theta, self.grad)
            total += value * len(yb)
        return total / self.n

    def warm_up(self):
        return self._epoch()

    def train(self, epochs):
        for _ in range(epochs):
            loss = self._epoch()
        return loss

    def predict(self, X, batch):
        for lo, hi in batch_bounds(len(X), batch):
            lengths = np.full(hi - lo, N_STEPS, dtype=np.int64)
            self.net.predict(X[lo:hi], lengths)

    def latency(self, X, calls):
        lengths = np.full(1, N_STEPS, dtype=np.int64)
        for i in range(calls):
            k = i % len(X)
            self.net.predict(X[k : k + 1], lengths)


class TorchSide:
    """PyTorch: nn.RNN / LSTM / GRU + Linear on the last step, Adam."""

    name = "torch"

    def __init__(self, cell, hidden, X, y, torch):
        self.torch = torch
        nn = torch.nn
        torch.manual_seed(0)
        if cell == "rnn":
            rnn = nn.RNN(N_FEATURES, hidden, nonlinearity="tanh", batch_first=True)
        elif cell == "lstm":
            rnn = nn.LSTM(N_FEATURES, hidden, batch_first=True)
        else:
            rnn = nn.GRU(N_FEATURES, hidden, batch_first=True)
        self.rnn = rnn
        self.head = nn.Linear(hidden, N_CLASSES)
        self.model = nn.ModuleDict({"rnn": self.rnn, "head": self.head})
        self.optimizer = torch.optim.Adam(
            self.model.parameters(),
            lr=LEARNING_RATE,
            betas=(BETA_1, BETA_2),
            eps=EPSILON,
        )
        self.loss_fn = nn.CrossEntropyLoss()
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)  # shared memory, no copy
        self.batches = [
            (Xt[lo:hi], yt[lo:hi]) for lo, hi in batch_bounds(len(X), BATCH_SIZE)
        ]
        self.n = len(X)

    def _forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])

    def _epoch(self):
        total = 0.0
        for xb, yb in self.batches:
            self.optimizer.zero_grad(set_to_none=True)
            loss = self.loss_fn(self._forward(xb), yb)
            loss.backward()
            self.optimizer.step()
            total += loss.item() * len(yb)
        return total / self.n

    def warm_up(self):
        self.model.train()
        return self._epoch()

    def train(self, epochs):
        self.model.train()
        for _ in range(epochs):
            loss = self._epoch()
        return loss

    def _proba(self, x):
        with self.torch.no_grad():
            logits = self._forward(self.torch.from_numpy(x))
            return self.torch.softmax(logits, dim=1).numpy()

    def predict(self, X, batch):
        self.model.eval()
        for lo, hi in batch_bounds(len(X), batch):
            self._proba(X[lo:hi])

    def latency(self, X, calls):
        self.model.eval()
        for i in range(calls):
            k = i % len(X)
            self._proba(X[k : k + 1])


# ------------------------------------------------------------------- timing
def timed(fn):
    """Run fn(); return (wall seconds, process CPU seconds / wall, result)."""
    gc.collect()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t0
    return wall, (time.process_time() - cpu0) / wall, out


def bench_config(cell, hidden, opts, torch, data, log, sides=None):
    """All rounds of one (cell, hidden) configuration.

    ``sides`` (default: skrnn, skrnn-net unless ``opts.skip_net``, torch) lets
    another script time its own sides (``name``, ``warm_up``, ``train``,
    ``predict``, ``latency``; one named "skrnn", one "torch") the same way.

    Returns {"values": {metric: {side: [per round]}}, "cpu": ..., "loss": ...,
    "warmup_s": {side: seconds}}. Metrics: "train" and "predict" in sequences/s,
    "latency" in ms per single-sequence call.
    """
    X, y, X_inf = data
    if sides is None:
        sides = [EstimatorSide(cell, hidden, X, y)]
        if not opts.skip_net:
            sides.append(NetworkSide(cell, hidden, X, y))
        sides.append(TorchSide(cell, hidden, X, y, torch))
    names = [s.name for s in sides]
    metrics = ("train", "predict", "latency")
    values = {m: {n: [] for n in names} for m in metrics}
    cpu = {m: {n: [] for n in names} for m in metrics}
    loss = {n: [] for n in names}
    warmup_s = {}

    def run(side, metric):
        if metric == "train":
            wall, util, last = timed(lambda: side.train(opts.epochs))
            loss[side.name].append(last)
            return opts.epochs * len(X) / wall, util
        if metric == "predict":
            wall, util, _ = timed(
                lambda: [
                    side.predict(X_inf, opts.infer_batch)
                    for _ in range(opts.predict_passes)
                ]
            )
            return opts.predict_passes * len(X_inf) / wall, util
        wall, util, _ = timed(lambda: side.latency(X_inf, opts.latency_calls))
        return wall / opts.latency_calls * 1e3, util

    for side in sides:
        wall, _, first = timed(side.warm_up)
        warmup_s[side.name] = wall
        loss[side.name].append(first)
        side.predict(X_inf[: opts.infer_batch], opts.infer_batch)
        side.latency(X_inf, 3)
    log(f"  warm-up done ({', '.join(f'{k} {v:.1f}s' for k, v in warmup_s.items())})")
    for r in range(opts.rounds):
        order = sides if r % 2 == 0 else sides[::-1]
        for metric in metrics:
            for side in order:
                value, util = run(side, metric)
                values[metric][side.name].append(value)
                cpu[metric][side.name].append(util)
        log(
            f"  round {r + 1}/{opts.rounds}: train "
            + ", ".join(f"{n} {values['train'][n][-1]:,.0f}" for n in names)
            + " seq/s"
        )
    return {"values": values, "cpu": cpu, "loss": loss, "warmup_s": warmup_s}


def paired_ratios(a, b):
    return [x / y for x, y in zip(a, b, strict=True)]


# ------------------------------------------------------------------- report
def cpu_info():
    model, flags = "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model == "unknown":
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    simd = [
        f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile") if f in flags
    ]
    return model, simd


def git_revision():
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes" if dirty else "")


def threading_runtimes():
    """Paths of the OpenMP / TBB runtimes mapped into this process."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return "unknown"
    found = set()
    for line in maps.splitlines():
        path = line.split()[-1]
        name = Path(path).name
        if name.startswith(("libgomp", "libiomp", "libomp", "libtbb")):
            found.add(path)
    return ", ".join(sorted(found)) or "none"


def machine_info(torch, threads):
    model, simd = cpu_info()
    try:
        layer = numba.threading_layer()
    except ValueError:
        layer = "(no parallel region run yet)"
    try:
        from threadpoolctl import threadpool_info

        pools = ", ".join(
            f"{p.get('internal_api')} {p.get('version')} x{p.get('num_threads')}"
            for p in threadpool_info()
        )
    except ImportError:
        pools = "(threadpoolctl not installed)"
    env = ", ".join(f"{k}={os.environ.get(k, '(unset)')}" for k in ENV_VARS)
    pulled = "YES (a bug: torch must stay optional)" if SKRNN_IMPORTED_TORCH else "no"
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return [
        f"- CPU: {model}; {os.cpu_count()} logical CPUs, {affinity} usable by this "
        f"process; SIMD: {' '.join(simd) or 'none of avx2/avx512f'}",
        f"- Python {platform.python_version()}, numpy {np.__version__}, numba "
        f"{numba.__version__}, scikit-learn {sklearn.__version__}, torch "
        f"{torch.__version__}, skrnn {skrnn.__version__} (git {git_revision()})",
        f"- threads requested: {threads}; numba: {numba.get_num_threads()} of a pool "
        f"of {numba.config.NUMBA_NUM_THREADS}, threading layer {layer}; torch: "
        f"{torch.get_num_threads()} intra-op, {torch.get_num_interop_threads()} "
        f"inter-op, oneDNN {'on' if torch.backends.mkldnn.enabled else 'off'}, "
        f"CPU capability {torch.backends.cpu.get_cpu_capability()}",
        f"- environment: {env}",
        f"- native thread pools (threadpoolctl): {pools}",
        f"- OpenMP/TBB runtimes loaded: {threading_runtimes()}",
        f"- importing skrnn imported torch: {pulled}",
    ]


def fmt_rate(v):
    return f"{v:,.0f}"


def fmt_ms(v):
    return f"{v:.3f}"


def build_report(opts, results, info, load_before, load_after, elapsed):
    med = statistics.median
    has_net = not opts.skip_net
    lines = [
        "# skrnn vs PyTorch: many-to-one classification on the CPU",
        "",
        f"float32, T={N_STEPS} steps, F={N_FEATURES} features per step, batch "
        f"{BATCH_SIZE}, {N_CLASSES} classes, 1 layer; Adam lr {LEARNING_RATE:g}, "
        "gradient clipping off on both sides, no L2 penalty.",
        "",
        f"Training: {opts.n_seq} sequences per epoch ({-(-opts.n_seq // BATCH_SIZE)} "
        f"optimizer steps), {opts.epochs} timed epoch(s) per side per round after "
        "one warm-up epoch. Predict: "
        f"{opts.n_infer} sequences in batches of {opts.infer_batch}, "
        f"{opts.predict_passes} pass(es) per round. Latency: one sequence per call, "
        f"{opts.latency_calls} calls per round.",
        "",
        f"{opts.rounds} round(s), sides measured in turn (order flipped every "
        "round). Figures: median over rounds per side. **ratio** = median over "
        "rounds of the paired ratio skrnn / torch from the same round "
        "(throughput: > 1 means skrnn is faster; latency in ms: < 1 means skrnn "
        "is faster).",
        "",
        "## Machine",
        "",
        *info,
        f"- load average (1 min) before / after: {load_before:.2f} / "
        f"{load_after:.2f}; total run time {elapsed:.0f} s",
        "",
    ]
    if max(load_before, load_after) > BUSY_LOAD:
        lines += [
            f"**Warning: the machine was busy (load average above {BUSY_LOAD}). "
            "Other processes distort these figures, PyTorch's far more than "
            "skrnn's (see benchmarks/README.md); do not quote them.**",
            "",
        ]
    lines += [
        "## Throughput",
        "",
        "| cell | H | train seq/s skrnn | train seq/s torch | ratio "
        "| predict seq/s skrnn | predict seq/s torch | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (cell, hidden), res in results.items():
        v = res["values"]
        row = [cell, str(hidden)]
        for metric in ("train", "predict"):
            s, t = v[metric]["skrnn"], v[metric]["torch"]
            row += [
                fmt_rate(med(s)),
                fmt_rate(med(t)),
                f"{med(paired_ratios(s, t)):.2f}",
            ]
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "## Single-sequence latency (predict_proba of one sequence)",
        "",
        "| cell | H | ms skrnn | ms torch | ratio |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for (cell, hidden), res in results.items():
        s, t = res["values"]["latency"]["skrnn"], res["values"]["latency"]["torch"]
        lines.append(
            f"| {cell} | {hidden} | {fmt_ms(med(s))} | {fmt_ms(med(t))} "
            f"| {med(paired_ratios(s, t)):.2f} |"
        )
    if has_net:
        lines += [
            "",
            "## Estimator overhead: skrnn-net (RNNNetwork + AdamOptimizer directly)",
            "",
            "ratio net/torch: paired, as above; estimator/net: paired ratio of the "
            "estimator's figure to the lower layer's (1.00 = no overhead).",
            "",
            "| cell | H | train seq/s net | ratio net/torch | estimator/net "
            "| predict seq/s net | ratio net/torch | estimator/net | latency ms net |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for (cell, hidden), res in results.items():
            v = res["values"]
            row = [cell, str(hidden)]
            for metric in ("train", "predict"):
                n, s, t = (v[metric][k] for k in ("skrnn-net", "skrnn", "torch"))
                row += [
                    fmt_rate(med(n)),
                    f"{med(paired_ratios(n, t)):.2f}",
                    f"{med(paired_ratios(s, n)):.2f}",
                ]
            row.append(fmt_ms(med(v["latency"]["skrnn-net"])))
            lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "## Details",
        "",
        "Per configuration and side: values per round; cpu = process CPU time / "
        "wall time while timing (about 2 = both cores busy; spinning idle "
        "threads count too); loss = mean training loss of the warm-up epoch -> "
        "of the last timed epoch; warm-up = first epoch incl. JIT compilation "
        "or cache load.",
        "",
        "```",
    ]
    for (cell, hidden), res in results.items():
        v, c = res["values"], res["cpu"]
        lines.append(f"cell={cell} H={hidden}")
        for name in v["train"]:
            first, last = res["loss"][name][0], res["loss"][name][-1]
            trend = "decreasing" if last < first else "NOT DECREASING"
            lines.append(
                f"  {name:<9} train seq/s "
                + " ".join(fmt_rate(x) for x in v["train"][name])
                + f" (cpu {med(c['train'][name]):.2f}) | predict seq/s "
                + " ".join(fmt_rate(x) for x in v["predict"][name])
                + f" (cpu {med(c['predict'][name]):.2f}) | latency ms "
                + " ".join(fmt_ms(x) for x in v["latency"][name])
                + f" | loss {first:.4f} -> {last:.4f} {trend}"
                + f" | warm-up {res['warmup_s'][name]:.2f}s"
            )
        for metric in ("train", "predict", "latency"):
            s, t = v[metric]["skrnn"], v[metric]["torch"]
            pr = paired_ratios(s, t)
            lines.append(
                f"  {metric} skrnn/torch: paired ratios "
                + " ".join(f"{x:.2f}" for x in pr)
                + f", ratio of medians {med(s) / med(t):.2f}"
            )
        if has_net:
            a, b = res["loss"]["skrnn"], res["loss"]["skrnn-net"]
            same = (
                "identical"
                if a == b
                else f"differ (max {max(abs(np.subtract(a, b))):.2e})"
            )
            lines.append(
                f"  losses of skrnn and skrnn-net (same init, same batches): {same}"
            )
    lines.append("```")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------- main
def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cells", nargs="+", choices=CELLS, help="default: rnn lstm gru")
    ap.add_argument("--hidden", nargs="+", type=int, help="default: 32 128 256")
    ap.add_argument("--rounds", type=int, help="interleaved rounds (default 3)")
    ap.add_argument("--n-seq", type=int, help="training sequences per epoch (2048)")
    ap.add_argument("--epochs", type=int, help="timed epochs per side per round (2)")
    ap.add_argument("--n-infer", type=int, help="sequences to predict (2048)")
    ap.add_argument(
        "--infer-batch", type=int, help="predict batch, same on both sides (256)"
    )
    ap.add_argument("--predict-passes", type=int, help="predict passes per round (3)")
    ap.add_argument(
        "--latency-calls", type=int, help="single-sequence calls per round (200)"
    )
    ap.add_argument("--threads", type=int, default=2, help="threads per side (2)")
    ap.add_argument(
        "--skip-net", action="store_true", help="leave out the skrnn-net side"
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="tiny settings for a smoke test (seconds; figures meaningless)",
    )
    ap.add_argument("--markdown-out", type=Path, help="also write the report here")
    opts = ap.parse_args(argv)
    defaults = QUICK if opts.quick else FULL
    for key, value in defaults.items():
        if getattr(opts, key) is None:
            setattr(opts, key, value)
    positive = ("rounds", "n_seq", "epochs", "n_infer", "infer_batch")
    for key in (*positive, "predict_passes", "latency_calls", "threads"):
        if getattr(opts, key) < 1:
            ap.error(f"--{key.replace('_', '-')} must be at least 1")
    return opts


def import_torch():
    try:
        import torch
    except ImportError:
        sys.exit('torch is needed for this benchmark: pip install -e ".[bench]"')
    return torch


def main(argv=None):
    opts = parse_args(argv)
    torch = import_torch()
    if opts.threads > numba.config.NUMBA_NUM_THREADS:
        sys.exit(
            f"--threads {opts.threads} exceeds numba's pool of "
            f"{numba.config.NUMBA_NUM_THREADS}: set NUMBA_NUM_THREADS={opts.threads}"
        )
    numba.set_num_threads(opts.threads)
    torch.set_num_threads(opts.threads)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    load_before = os.getloadavg()[0]
    if load_before > BUSY_LOAD:
        log(
            f"warning: 1-min load average is {load_before:.2f} before the run; "
            "other processes may distort the figures"
        )
    start = time.perf_counter()
    X, y = make_data(opts.n_seq, seed=0)
    X_inf, _ = make_data(opts.n_infer, seed=1)
    results = {}
    configs = [(c, h) for c in opts.cells for h in opts.hidden]
    for i, (cell, hidden) in enumerate(configs, 1):
        log(f"[{i}/{len(configs)}] cell={cell} H={hidden}")
        results[cell, hidden] = bench_config(
            cell, hidden, opts, torch, (X, y, X_inf), log
        )
    info = machine_info(torch, opts.threads)
    report = build_report(
        opts,
        results,
        info,
        load_before,
        os.getloadavg()[0],
        time.perf_counter() - start,
    )
    emit_report(report, opts.markdown_out, log)


def emit_report(report, markdown_out, log):
    """Print the report; also write it to ``markdown_out`` when given."""
    print(report, end="")
    if markdown_out is not None:
        markdown_out.write_text(report)
        log(f"report written to {markdown_out}")


if __name__ == "__main__":
    main()
