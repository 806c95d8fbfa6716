"""The parallel kernels' threads: capped at OMP_NUM_THREADS unless NUMBA_NUM_THREADS;
serial twins in children forked after a parallel kernel ran.

Numba fixes its pool size when it is imported, so a subprocess starts with a
pool of 3 threads (``NUMBA_NUM_THREADS=3``), then removes the variable from
its environment and calls ``limit_threads`` in fresh threads (Numba's thread
count is per thread) under each ``OMP_NUM_THREADS``.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json, os, threading, warnings
    import numba
    import numpy as np
    from skrnn import RNNRegressor
    from skrnn._kernels._threads import limit_threads

    # Compile the fit's kernels first, while NUMBA_NUM_THREADS is still set:
    # Numba rereads the environment when it compiles, and a pool size that
    # differs from the launched pool's is an error.
    X = np.random.RandomState(0).normal(size=(20, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        RNNRegressor(hidden_size=3, max_iter=1).fit(X, X[:, 0])

    def in_a_thread(omp, numba_env=None, preset=None, fit=False):
        os.environ.pop("OMP_NUM_THREADS", None)
        os.environ.pop("NUMBA_NUM_THREADS", None)
        if omp is not None:
            os.environ["OMP_NUM_THREADS"] = omp
        if numba_env is not None:
            os.environ["NUMBA_NUM_THREADS"] = numba_env
        out = []

        def run():
            if preset is not None:
                numba.set_num_threads(preset)
            if fit:
                X = np.random.RandomState(0).normal(size=(20, 5))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    RNNRegressor(hidden_size=3, max_iter=1).fit(X, X[:, 0])
            else:
                limit_threads()
            out.append(numba.get_num_threads())

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        return out[0]

    print(json.dumps({
        "pool": numba.config.NUMBA_NUM_THREADS,
        "omp 2": in_a_thread("2"),
        "omp 2,1": in_a_thread("2,1"),
        "omp unset": in_a_thread(None),
        "omp invalid": in_a_thread("many"),
        "omp 0": in_a_thread("0"),
        "omp 8": in_a_thread("8"),
        "numba set, omp 1": in_a_thread("1", numba_env="3"),
        "user's 1, omp 2": in_a_thread("2", preset=1),
        "fit, omp 1": in_a_thread("1", fit=True),
        "fit, omp unset": in_a_thread(None, fit=True),
    }))
    """
)


def test_limit_threads_caps_numba_at_omp_num_threads():
    env = {**os.environ, "NUMBA_NUM_THREADS": "3"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
        check=True, timeout=300,
    )  # fmt: skip
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts == {
        "pool": 3,
        "omp 2": 2,
        "omp 2,1": 2,  # the first level of a nested list
        "omp unset": 3,
        "omp invalid": 3,
        "omp 0": 3,
        "omp 8": 3,  # never above the pool
        "numba set, omp 1": 3,  # an explicit NUMBA_NUM_THREADS wins
        "user's 1, omp 2": 1,  # never raises what the user set
        "fit, omp 1": 1,  # the kernels called through a fit apply it
        "fit, omp unset": 3,
    }


FORK_SCRIPT = textwrap.dedent(
    """
    import json, multiprocessing, warnings
    import joblib
    import numpy as np
    from skrnn import RNNClassifier, RNNSequenceGenerator

    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 8, 2)).astype(np.float32)
    y = rng.randint(0, 2, size=60)
    params = dict(hidden_size=4, max_iter=2, batch_size=40, random_state=0)
    # The parent runs the parallel kernels (GNU OpenMP) before forking.
    clf = RNNClassifier(**params).fit(X, y)
    gen = RNNSequenceGenerator(hidden_size=4, max_iter=1, random_state=0)
    gen.fit(["to be or not to be"] * 3)
    expected = {
        "predict": clf.predict_proba(X).tolist(),
        "fit": RNNClassifier(**params).fit(X, y).predict_proba(X).tolist(),
        "generate": gen.generate(20, n_samples=20, random_state=0),
    }

    def work(task):
        if task == "predict":
            return clf.predict_proba(X).tolist()
        if task == "fit":
            return RNNClassifier(**params).fit(X, y).predict_proba(X).tolist()
        return gen.generate(20, n_samples=20, random_state=0)

    tasks = ["predict", "fit", "generate"]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        forked = pool.map(work, tasks, chunksize=1)
    joblib_mp = joblib.Parallel(n_jobs=2, backend="multiprocessing")(
        joblib.delayed(work)(task) for task in tasks
    )
    print(json.dumps({
        "pool": [out == expected[task] for task, out in zip(tasks, forked)],
        "joblib": [out == expected[task] for task, out in zip(tasks, joblib_mp)],
    }))
    """
)


def test_kernels_run_in_children_forked_after_a_parallel_kernel():
    # Without the serial twins, GNU OpenMP kills each forked worker at its
    # first parallel region and the pool waits forever: hence the timeout.
    done = subprocess.run(
        [sys.executable, "-c", FORK_SCRIPT], capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "fork() called" not in done.stderr
    equal = json.loads(done.stdout.strip().splitlines()[-1])
    assert equal == {"pool": [True] * 3, "joblib": [True] * 3}
