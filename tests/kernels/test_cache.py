"""Compiled kernels are loaded from numba's cache: no recompilation.

A subprocess fits and uses a small model, twice, with a fresh, temporary
``NUMBA_CACHE_DIR``: the first run compiles (cache misses), the second loads
every kernel it needs from that cache (hits, and not a single miss). A kernel
that defeats ``cache=True`` (a function argument, a dynamic global) makes the
second run recompile, and this test fail.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import json, warnings
    import numpy as np
    from skrnn import RNNClassifier
    from tests.numba_cache import kernel_cache_stats

    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(12, 5)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    clf = RNNClassifier(cell="rnn", hidden_size=3, max_iter=2)
    clf.fit(X, y).predict_proba(X)

    print(json.dumps(kernel_cache_stats()))
    """
)


def run_with_cache(cache_dir):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    # From the repository's root, where ``tests`` is importable.
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
        check=True, cwd=root,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_cache_second_run_compiles_nothing(tmp_path):
    first = run_with_cache(tmp_path)
    second = run_with_cache(tmp_path)
    assert first["misses"] > 0
    # The kernels called from Python are loaded (the helpers they call are
    # compiled into them, so they are not counted again).
    assert second["misses"] == 0 and second["hits"] > 0
