"""Predict speed of an exported skrnn model in onnxruntime, beside skrnn and PyTorch.

Issue 16 asks the benchmark to print onnxruntime's predict throughput and
one-sequence latency beside skrnn's and PyTorch's. One model per (cell, H):
``RNNClassifier(cell, hidden_size=H)`` on numeric sequences (T=50 steps of
F=32 features, bench_training.py's data), trained for one epoch, then

* **skrnn**: ``predict_proba`` (the estimator's path, input validation
  included);
* **onnxruntime**: the graph of ``skrnn.onnx.to_onnx`` (ONNX's RNN, LSTM or
  GRU operator, Gemm, Softmax, ArgMax), ``InferenceSession.run`` on ``X``
  and ``lengths``, ``intra_op_num_threads`` = the thread count (its pool not
  spinning between calls, which would take the cores from the next side);
* **torch**: ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` + ``nn.Linear`` holding
  skrnn's weights, ``softmax`` of the last step's logits under
  ``torch.no_grad()``.

The three compute the same probabilities: the report prints the largest
difference of onnxruntime's and PyTorch's from skrnn's on 256 sequences.
Throughput: the held-out sequences in batches of ``--infer-batch``
(sequences/s); latency: one sequence per call (ms). Rounds are paired (the
three sides in one round, their order reversed every other round); figures
are medians over rounds, spreads the min-max of the per-round values.

    pip install -e ".[bench,onnx]"
    NUMBA_NUM_THREADS=2 python benchmarks/bench_onnx.py [--quick]

Run it alone: two cores shared with another job skew even paired ratios.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import os

# Thread pools are sized when numpy, numba, onnxruntime and torch load.
os.environ.setdefault("NUMBA_NUM_THREADS", "2")
os.environ.setdefault("OMP_NUM_THREADS", "2")

import argparse
import gc
import statistics
import sys
import time
import warnings
from pathlib import Path

import numba
import numpy as np
from bench_training import N_CLASSES, N_FEATURES, N_STEPS, make_data

import skrnn
from skrnn import RNNClassifier

CELLS = ("rnn", "lstm", "gru")
DEFAULTS = {
    "cells": list(CELLS),
    "hidden": [32, 128, 256],
    "rounds": 5,
    "n_infer": 8192,
    "infer_batch": 256,
    "latency_calls": 300,
}
QUICK = {
    "cells": list(CELLS),
    "hidden": [32],
    "rounds": 2,
    "n_infer": 128,
    "infer_batch": 64,
    "latency_calls": 10,
}


# -------------------------------------------------------------------- sides
class SkrnnSide:
    name = "skrnn"

    def __init__(self, estimator):
        self.estimator = estimator

    def proba(self, X):
        return self.estimator.predict_proba(X)


class OnnxSide:
    name = "onnxruntime"

    def __init__(self, estimator, threads):
        import onnxruntime as ort

        from skrnn.onnx import to_onnx

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # onnxruntime's pool spins after each run by default: on 2 cores it
        # would take the CPU from the side timed next.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            to_onnx(estimator).SerializeToString(),
            options,
            providers=["CPUExecutionProvider"],
        )

    def proba(self, X):
        lengths = np.full(len(X), X.shape[1], dtype=np.int64)
        return self.session.run(["probabilities"], {"X": X, "lengths": lengths})[0]


class TorchSide:
    name = "torch"

    def __init__(self, estimator, torch):
        """PyTorch's layer and head holding the estimator's weights (skrnn's
        gate blocks are in PyTorch's order; ``W_x`` is ``weight_ih`` transposed)."""
        self.torch = torch
        nn = torch.nn
        p = estimator._network.params
        H = estimator.hidden_size
        cell = estimator.cell
        if cell == "rnn":
            rnn = nn.RNN(N_FEATURES, H, nonlinearity="tanh", batch_first=True)
        elif cell == "lstm":
            rnn = nn.LSTM(N_FEATURES, H, batch_first=True)
        else:
            rnn = nn.GRU(N_FEATURES, H, batch_first=True)
        head = nn.Linear(H, N_CLASSES)
        b_h = p["layer0.dir0.b_h"] if cell == "gru" else None
        with torch.no_grad():
            rnn.weight_ih_l0.copy_(torch.from_numpy(p["layer0.dir0.W_x"].T.copy()))
            rnn.weight_hh_l0.copy_(torch.from_numpy(p["layer0.dir0.W_h"].T.copy()))
            rnn.bias_ih_l0.copy_(torch.from_numpy(p["layer0.dir0.b"].copy()))
            rnn.bias_hh_l0.zero_()
            if b_h is not None:  # skrnn's b_h: the candidate's recurrent bias
                rnn.bias_hh_l0[2 * H :] = torch.from_numpy(b_h.copy())
            head.weight.copy_(torch.from_numpy(p["head.W"].T.copy()))
            head.bias.copy_(torch.from_numpy(p["head.b"].copy()))
        self.rnn, self.head = rnn.eval(), head.eval()

    def proba(self, X):
        torch = self.torch
        with torch.no_grad():
            out, _ = self.rnn(torch.from_numpy(X))
            return torch.softmax(self.head(out[:, -1]), dim=1).numpy()


# ------------------------------------------------------------------ timing
def throughput(side, X, batch):
    gc.collect()
    start = time.perf_counter()
    for lo in range(0, len(X), batch):
        side.proba(X[lo : lo + batch])
    return len(X) / (time.perf_counter() - start)


def latency(side, X, calls):
    gc.collect()
    start = time.perf_counter()
    for i in range(calls):
        k = i % len(X)
        side.proba(X[k : k + 1])
    return (time.perf_counter() - start) / calls * 1e3


def bench_config(cell, hidden, opts, torch, data, log):
    X, y, X_inf = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one epoch: ConvergenceWarning
        estimator = RNNClassifier(
            cell=cell, hidden_size=hidden, max_iter=1, shuffle=False, random_state=0
        ).fit(X, y)
    sides = [
        SkrnnSide(estimator),
        OnnxSide(estimator, opts.threads),
        TorchSide(estimator, torch),
    ]
    check = X_inf[:256]
    reference = sides[0].proba(check)
    gaps = {
        side.name: float(np.abs(side.proba(check) - reference).max())
        for side in sides[1:]
    }
    for side in sides:  # warm up: compiled kernels, session, allocator
        throughput(side, X_inf[: opts.infer_batch], opts.infer_batch)
        latency(side, X_inf, 3)
    values = {m: {s.name: [] for s in sides} for m in ("predict", "latency")}
    for r in range(opts.rounds):
        order = sides if r % 2 == 0 else sides[::-1]
        for side in order:
            values["predict"][side.name].append(
                throughput(side, X_inf, opts.infer_batch)
            )
        for side in order:
            values["latency"][side.name].append(
                latency(side, X_inf, opts.latency_calls)
            )
        log(
            f"  round {r + 1}/{opts.rounds}: predict "
            + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in values["predict"].items())
            + " seq/s"
        )
    return {"values": values, "gaps": gaps}


# ------------------------------------------------------------------ report
def _spread(values, digits, unit=""):
    return (
        f"{statistics.median(values):.{digits}f}{unit} "
        f"({min(values):.{digits}f}-{max(values):.{digits}f})"
    )


def _ratio(a, b):
    return [x / y for x, y in zip(a, b, strict=True)]


def build_report(opts, results, elapsed, load_before, load_after, versions):
    lines = [
        "# ONNX export: prediction speed of skrnn, onnxruntime and PyTorch",
        "",
        f"skrnn {skrnn.__version__}, {versions}; {opts.threads} threads; "
        f"T={N_STEPS}, F={N_FEATURES}, {opts.n_infer} held-out sequences in "
        f"batches of {opts.infer_batch}; {opts.rounds} paired rounds; load "
        f"average {load_before:.2f} before, {load_after:.2f} after; "
        f"{elapsed / 60:.1f} min.",
    ]
    tables = (
        ("predict", "predict_proba throughput (sequences/s; median, min-max over "
         "rounds)", 0),
        ("latency", "one-sequence latency (ms per call; lower is better)", 3),
    )  # fmt: skip
    for metric, title, digits in tables:
        lines += [
            "",
            f"## {title}",
            "",
            "| cell | H | skrnn | onnxruntime | torch | onnxruntime / skrnn "
            "| skrnn / torch | onnxruntime / torch |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for (cell, hidden), res in results.items():
            v = res["values"][metric]
            s, o, t = v["skrnn"], v["onnxruntime"], v["torch"]
            ratios = [_ratio(o, s), _ratio(s, t), _ratio(o, t)]
            lines.append(
                f"| {cell} | {hidden} | "
                + " | ".join(_spread(x, digits) for x in (s, o, t))
                + " | "
                + " | ".join(_spread(r, 2, "x") for r in ratios)
                + " |"
            )
    lines += [
        "",
        "## agreement with skrnn (largest |probability difference|, 256 sequences)",
        "",
        "| cell | H | onnxruntime | torch |",
        "| --- | --- | --- | --- |",
    ]
    for (cell, hidden), res in results.items():
        g = res["gaps"]
        lines.append(
            f"| {cell} | {hidden} | {g['onnxruntime']:.1e} | {g['torch']:.1e} |"
        )
    return "\n".join(lines) + "\n"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    ap.add_argument("--cells", nargs="+", choices=CELLS)
    ap.add_argument("--hidden", nargs="+", type=int)
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--markdown-out", type=Path)
    opts = ap.parse_args(argv)
    base = QUICK if opts.quick else DEFAULTS
    for key, value in base.items():
        if getattr(opts, key, None) is None:
            setattr(opts, key, value)
    return opts


def main(argv=None):
    opts = parse_args(argv)
    try:
        import onnxruntime
        import torch
    except ImportError:
        sys.exit('torch and onnxruntime are needed: pip install -e ".[bench,onnx]"')
    numba.set_num_threads(opts.threads)
    torch.set_num_threads(opts.threads)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    X, y = make_data(512, seed=0)
    X_inf, _ = make_data(opts.n_infer, seed=1)
    results = {}
    configs = [(c, h) for c in opts.cells for h in opts.hidden]
    for i, (cell, hidden) in enumerate(configs, 1):
        log(f"[{i}/{len(configs)}] cell={cell} H={hidden}")
        results[cell, hidden] = bench_config(
            cell, hidden, opts, torch, (X, y, X_inf), log
        )
    versions = f"onnxruntime {onnxruntime.__version__}, torch {torch.__version__}"
    report = build_report(
        opts,
        results,
        time.perf_counter() - start,
        load_before,
        os.getloadavg()[0],
        versions,
    )
    print(report, end="")
    if opts.markdown_out is not None:
        opts.markdown_out.write_text(report)


if __name__ == "__main__":
    main()
