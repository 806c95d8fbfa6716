"""Which threads run a parallel kernel: how many, and whether it may use them.

Every call of a ``parallel=True`` kernel goes through :func:`runnable`,
which caps the calling thread's Numba threads (:func:`limit_threads`) and,
in a process forked from one that already ran a parallel kernel, returns
the kernel's serial twin instead: Numba's GNU OpenMP layer kills such a
child at its first parallel region ("fork() called from a process already
using GNU OpenMP"). The twin is the same Python function compiled without
``parallel``: its ``prange`` is a ``range`` over the same blocks, merged in
the same order, so it computes the same bits, on one thread.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import types

import numba
from numba import njit

from skrnn._kernels._config import JIT_OPTIONS

# Whether this process has run a parallel kernel (inherited by a fork), and
# whether it is a child forked after that.
_state = {"parallel_used": False, "forked_child": False}
_serial_twins = {}


def _after_fork_in_child():
    _state["forked_child"] = _state["parallel_used"]


os.register_at_fork(after_in_child=_after_fork_in_child)


def omp_thread_limit():
    """``OMP_NUM_THREADS`` as a positive int, or None when unset or invalid.

    Only its first level counts (``"4,2"`` is 4), as in OpenMP.
    """
    value = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def limit_threads():
    """Cap the calling thread's Numba threads at ``OMP_NUM_THREADS``.

    Numba sizes its pool from ``NUMBA_NUM_THREADS`` alone (default: every
    core), but process pools limit ``OMP_NUM_THREADS``: dask's worker
    processes set it to 1 and joblib's loky workers to ``cpu_count //
    n_jobs``. Without this cap each dask worker would run a thread per core
    (oversubscription, which Numba's spinning OpenMP threads pay dearly).
    An explicit ``NUMBA_NUM_THREADS`` wins; the cap never raises the count.
    ``numba.set_num_threads`` is per thread, hence a call before each
    parallel kernel rather than once at import. Results do not depend on
    the number of threads (``CHUNK_SIZE``).
    """
    # Cheapest test first: this runs before every kernel call (about 0.8 us
    # when OMP_NUM_THREADS is unset, against 2 us for the whole check).
    if "OMP_NUM_THREADS" not in os.environ or "NUMBA_NUM_THREADS" in os.environ:
        return
    limit = omp_thread_limit()
    if limit is not None and numba.get_num_threads() > limit:
        numba.set_num_threads(limit)


def serial_twin(kernel):
    """The kernel's Python function compiled without ``parallel``.

    A copy of the function under its own name (``<name>_serial``): Numba's
    on-disk cache is keyed by the function's name, and the parallel and the
    serial machine code must not share an entry.
    """
    twin = _serial_twins.get(kernel)
    if twin is None:
        func = kernel.py_func
        copy = types.FunctionType(
            func.__code__, func.__globals__, func.__name__ + "_serial",
            func.__defaults__, func.__closure__,
        )  # fmt: skip
        copy.__qualname__ = func.__qualname__ + "_serial"
        copy.__module__ = func.__module__
        copy.__doc__ = func.__doc__
        twin = _serial_twins[kernel] = njit(**JIT_OPTIONS)(copy)
    return twin


def runnable(kernel):
    """The callable to run for the parallel ``kernel`` in the calling thread.

    The kernel itself, after :func:`limit_threads`; in a child forked from a
    process that had run a parallel kernel, its :func:`serial_twin`.
    """
    if _state["forked_child"]:
        return serial_twin(kernel)
    limit_threads()
    _state["parallel_used"] = True
    return kernel
