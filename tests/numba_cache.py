"""Numba cache statistics of skrnn's kernels (shared by the cache tests)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import pkgutil


def kernel_cache_stats():
    """Numba cache hits and misses of skrnn's kernels in this process.

    Counts the dispatchers defined in ``skrnn._kernels``' modules (the
    kernels called from Python; the helpers they call are compiled into
    them).
    """
    from numba.core.dispatcher import Dispatcher

    import skrnn._kernels

    hits = misses = 0
    for info in pkgutil.iter_modules(skrnn._kernels.__path__):
        name = f"skrnn._kernels.{info.name}"
        for obj in vars(importlib.import_module(name)).values():
            if isinstance(obj, Dispatcher) and obj.py_func.__module__ == name:
                hits += sum(obj.stats.cache_hits.values())
                misses += sum(obj.stats.cache_misses.values())
    return {"hits": hits, "misses": misses}
