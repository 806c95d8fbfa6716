"""JIT options shared by every kernel, kept in one place."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# Cached compilation: a fresh process loads kernels from __pycache__ instead of
# recompiling them (kernels never take functions as arguments, which would
# silently defeat the cache).
CACHE = True

# No "nnan"/"ninf" (they let LLVM delete NaN checks) and no "reassoc": every sum
# keeps its written order, so a sample's result never depends on how the
# compiler vectorised the loops around it (bit-identical across batches).
FASTMATH = frozenset({"nsz", "arcp", "contract"})

# Kernels release the GIL so joblib threads can overlap them.
NOGIL = True

# numba's default "python" error model puts a zero-division check on every "/",
# which keeps LLVM from vectorising the rational tanh/sigmoid.
ERROR_MODEL = "numpy"

# Samples per parallel block: a constant (never derived from the thread count),
# so the partition of a batch, and hence every floating-point sum, is the same
# whatever NUMBA_NUM_THREADS is. A batch of one block runs its block in the
# calling thread, outside any parallel region: waking the pool costs a few
# microseconds on an idle machine and hundreds when the other cores are busy,
# more than a small block's work (batch 1, one-sequence predict). That
# branch passes its first row as ``B - B``: a literal 0 would make Numba
# compile the chunk function a second time, specialised on the constant.
CHUNK_SIZE = 16

JIT_OPTIONS = {
    "cache": CACHE,
    "fastmath": set(FASTMATH),
    "nogil": NOGIL,
    "error_model": ERROR_MODEL,
}
