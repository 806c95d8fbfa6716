"""How many threads the parallel kernels use in the calling thread."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import os

import numba


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
