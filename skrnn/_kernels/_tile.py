"""A register-blocked product tile, written in LLVM IR (Numba intrinsic).

``fma_tile(out, out_rows, src, src_rows, src_step, w, w_starts, n_inner)``
computes, for each of a few output rows ``r`` and each panel ``g`` of
``W = TILE_BYTES // itemsize`` columns (``TILE_VECTORS`` SIMD vectors)::

    o = out_rows[r] + g * W                  # element offsets, flat memory
    acc = out[o : o + W]
    for k in range(n_inner):
        acc = fmuladd(src[src_rows[r] + k * src_step],
                      w[w_starts[g] + k * W : w_starts[g] + (k + 1) * W], acc)
    out[o : o + W] = acc

The accumulators stay in vector registers for the whole inner loop and each
weight vector loaded serves every row: about 110 GFLOP/s per core in float32
on AVX-512, against 70-80 for the same product written as Numba loops, where
LLVM reloads and stores the output at every step of ``k`` (it cannot prove
the arrays distinct).

Each output element is still the chain ``fmuladd`` over ``k`` in order, the
arithmetic that ``_linalg``'s loops produce under the "contract" flag: a
row's result is the same bits whichever rows share its tile, and the same as
those loops'. ``w`` is read as consecutive rows of ``W`` values: packed
panels (see ``_linalg.pack_panels``), so that the rows of a tile sit next to
each other in memory (rows 4 KiB apart in a wide matrix would fall in the
same few cache sets).

The caller checks every index: nothing here is bounds-checked.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from llvmlite import binding, ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


def _vector_bytes():
    # AVX-512's 64-byte registers where the CPU has them; otherwise 32
    # (AVX2): with 16 registers, 64-byte vectors would spill the accumulators.
    features = binding.get_host_cpu_features()
    return 64 if features.get("avx512f", False) else 32


# Bytes per SIMD vector and vectors per tile row: a tile is TILE_VECTORS
# vectors wide; TILE_BYTES // itemsize columns.
VECTOR_BYTES = _vector_bytes()
TILE_VECTORS = 2
TILE_BYTES = VECTOR_BYTES * TILE_VECTORS

# Output rows per full tile: 4 rows x 2 vectors = 8 accumulators, with the
# weights and a broadcast 11 of the 16 (AVX2) or 32 (AVX-512) registers.
TILE_ROWS = 4


@intrinsic
def fma_tile(typingctx, out, out_rows, src, src_rows, src_step, w, w_starts, n_inner):
    """Accumulate one tile (see the module docstring).

    ``out``, ``src`` and ``w`` are arrays of one float dtype (any shape; their
    memory is read flat). ``out_rows`` and ``src_rows`` are tuples of the
    same length, one element offset per tile row; ``w_starts`` a tuple of
    the starts of consecutive panels, whose columns follow each other in
    ``out`` (a row's ``g``-th panel from ``out_rows[r] + g * W``, ``W``
    the tile's width in elements).
    ``src_step`` and ``n_inner`` are integers.

    A tile has ``len(out_rows) * len(w_starts) * TILE_VECTORS`` independent
    accumulators: at least eight keep both FMA units busy (an FMA waits four
    cycles for the previous one on its accumulator), hence several panels
    for a single row.
    """
    arrays = (out, src, w)
    if not all(isinstance(a, types.Array) for a in arrays):
        return None
    dtype = out.dtype
    if dtype not in (types.float32, types.float64):
        return None
    if src.dtype != dtype or w.dtype != dtype:
        return None
    if not out.mutable:
        return None
    tuples = (out_rows, src_rows, w_starts)
    if not all(isinstance(t, types.UniTuple) for t in tuples):
        return None
    if not all(t.dtype == types.intp for t in tuples):
        return None
    n_rows = out_rows.count
    n_groups = w_starts.count
    if src_rows.count != n_rows:
        return None
    sig = types.void(out, out_rows, src, src_rows, types.intp, w, w_starts, types.intp)

    def codegen(context, builder, signature, args):
        out_v, out_rows_v, src_v, src_rows_v, src_step_v, w_v, w_starts_v, n_v = args
        out_t, _, src_t, _, _, w_t, _, _ = signature.args

        def data(array_type, value):
            return context.make_array(array_type)(context, builder, value=value).data

        body = _tile_function(context, builder.module, dtype, n_rows, n_groups)
        offsets = cgutils.unpack_tuple(builder, out_rows_v, n_rows)
        offsets += cgutils.unpack_tuple(builder, src_rows_v, n_rows)
        offsets += cgutils.unpack_tuple(builder, w_starts_v, n_groups)
        pointers = [data(out_t, out_v), data(src_t, src_v), data(w_t, w_v)]
        builder.call(body, [*pointers, *offsets, src_step_v, n_v])
        return context.get_dummy_value()

    return sig, codegen


def _tile_function(context, module, dtype, n_rows, n_groups):
    """The tile's body as a function of its own in ``module``, never inlined.

    Inlined at every call site, the tile's unrolled code made LLVM's work on
    each kernel several times larger (a cold compile of the default fit
    twice as long); a call per tile costs nothing against its inner loop.
    Arguments: the three data pointers, the row offsets of ``out`` and
    ``src``, the panel starts, ``src_step`` and ``n_inner``.
    """
    float_type = context.get_value_type(dtype)
    item = context.get_abi_sizeof(float_type)
    name = f"skrnn_fma_tile_f{8 * item}_{n_rows}x{n_groups}"
    if name in module.globals:
        return module.globals[name]
    intp = context.get_value_type(types.intp)
    pointer = float_type.as_pointer()
    n_offsets = 2 * n_rows + n_groups
    function_type = ir.FunctionType(
        ir.VoidType(), [pointer] * 3 + [intp] * (n_offsets + 2)
    )
    function = ir.Function(module, function_type, name)
    function.linkage = "internal"
    function.attributes.add("noinline")
    builder = ir.IRBuilder(function.append_basic_block("entry"))
    out_p, src_p, w_p = function.args[:3]
    out_offsets = function.args[3 : 3 + n_rows]
    src_offsets = function.args[3 + n_rows : 3 + 2 * n_rows]
    w_offsets = function.args[3 + 2 * n_rows : 3 + n_offsets]
    src_step_v, n_v = function.args[3 + n_offsets :]

    lanes = VECTOR_BYTES // item
    vector_type = ir.VectorType(float_type, lanes)
    vector_ptr = vector_type.as_pointer()
    fmuladd = cgutils.get_or_insert_function(
        module,
        ir.FunctionType(vector_type, [vector_type] * 3),
        f"llvm.fmuladd.v{lanes}f{8 * item}",
    )

    def vector_at(base, offset, extra):
        offset = builder.add(offset, ir.Constant(intp, extra))
        return builder.bitcast(builder.gep(base, [offset]), vector_ptr)

    width = TILE_VECTORS * lanes
    vectors = [(g, v) for g in range(n_groups) for v in range(TILE_VECTORS)]

    def column(g, v):  # element offset of vector v of group g in a row
        return g * width + v * lanes

    # Accumulators live in allocas in the entry block; LLVM's mem2reg turns
    # them into registers.
    accs = {}
    for r in range(n_rows):
        for g, v in vectors:
            slot = cgutils.alloca_once(builder, vector_type)
            start = vector_at(out_p, out_offsets[r], column(g, v))
            builder.store(builder.load(start, align=item), slot)
            accs[r, g, v] = slot
    zero_mask = ir.Constant(ir.VectorType(ir.IntType(32), lanes), [0] * lanes)
    undefined = ir.Constant(vector_type, ir.Undefined)
    with cgutils.for_range(builder, n_v) as loop:
        k = loop.index
        w_row = builder.mul(k, ir.Constant(intp, width))
        weights = {
            (g, v): builder.load(
                vector_at(w_p, builder.add(w_offsets[g], w_row), v * lanes),
                align=item,
            )
            for g, v in vectors
        }
        step = builder.mul(k, src_step_v)
        for r in range(n_rows):
            scalar = builder.load(
                builder.gep(src_p, [builder.add(src_offsets[r], step)])
            )
            one = builder.insert_element(
                undefined, scalar, ir.Constant(ir.IntType(32), 0)
            )
            broadcast = builder.shuffle_vector(one, undefined, zero_mask)
            for g, v in vectors:
                acc = builder.load(accs[r, g, v])
                product = builder.call(fmuladd, [broadcast, weights[g, v], acc])
                builder.store(product, accs[r, g, v])
    for r in range(n_rows):
        for g, v in vectors:
            end = vector_at(out_p, out_offsets[r], column(g, v))
            builder.store(builder.load(accs[r, g, v]), end, align=item)
    builder.ret_void()
    return function
