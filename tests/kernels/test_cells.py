"""Tests of the recurrent cell kernels (tanh RNN, LSTM, GRU).

One module for the three cells, parametrized over the names in
``skrnn._kernels.CELLS``: the cells share one signature, so every behaviour is
written once. Each test runs the kernels in float64 on tiny sizes, against the
plain-numpy reference in ``tests/reference.py`` and central finite differences
from ``tests/gradcheck.py``. Output buffers are filled with NaN before each
call, so a value the kernel forgets to write shows up in every comparison.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

from skrnn import _kernels
from skrnn._kernels._config import CHUNK_SIZE
from tests.gradcheck import numerical_gradient, relative_error
from tests.reference import N_GATES, cell_backward, cell_forward

CELLS = ("rnn", "lstm", "gru")


# --------------------------------------------------------------------- helpers
def make_params(cell, F, H, rng, dtype=np.float64):
    """Random cell parameters; ``b_h`` is empty except for the GRU."""
    GH = N_GATES[cell] * H
    params = {
        "W_x": rng.normal(scale=0.5, size=(F, GH)),
        "W_h": rng.normal(scale=0.5, size=(H, GH)),
        "b": rng.normal(scale=0.2, size=GH),
        "b_h": rng.normal(scale=0.2, size=H) if cell == "gru" else np.zeros(0),
    }
    return {k: v.astype(dtype) for k, v in params.items()}


def make_inputs(cell, lengths, T, F, H, rng, dtype=np.float64):
    """Inputs, lengths and initial states of a padded batch.

    The padding of ``x`` holds random values, not zeros: the kernels must
    ignore it. ``c0`` is zeros for the cells without a cell state.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    B = lengths.shape[0]
    x = rng.normal(size=(B, T, F)).astype(dtype)
    h0 = rng.normal(scale=0.5, size=(B, H)).astype(dtype)
    if cell == "lstm":
        c0 = rng.normal(scale=0.5, size=(B, H)).astype(dtype)
    else:
        c0 = np.zeros((B, H), dtype=dtype)
    return x, lengths, h0, c0


def make_dhs(lengths, T, H, rng):
    """Random output gradients, zero past each sample's length."""
    dhs = rng.normal(size=(lengths.shape[0], T, H))
    dhs[np.arange(T)[None, :] >= lengths[:, None]] = 0
    return dhs


def run_forward(cell, x, lengths, params, h0, c0):
    """Call the forward kernel on NaN-filled outputs; return ``(hs, cs, act)``."""
    forward = _kernels.CELLS[cell].forward
    B, T, _ = x.shape
    H = h0.shape[1]
    GH = N_GATES[cell] * H
    hs = np.full((B, T, H), np.nan, dtype=x.dtype)
    cs_shape = (0, 0, 0) if cell == "rnn" else (B, T, H)
    cs = np.full(cs_shape, np.nan, dtype=x.dtype)
    act = np.full((B, T, GH), np.nan, dtype=x.dtype)
    p = params
    forward(x, lengths, p["W_x"], p["W_h"], p["b"], p["b_h"], h0, c0, hs, cs, act)
    return hs, cs, act


def run_backward(cell, x, lengths, params, h0, c0, dhs, need_dx=True, dc_last=None):
    """Forward then backward; gradients keyed like ``reference.cell_backward``.

    ``dc_last`` (LSTM): the gradient w.r.t. each sample's last cell state,
    passed in the ``dc0`` slot (zeros when None).
    """
    backward = _kernels.CELLS[cell].backward
    hs, cs, act = run_forward(cell, x, lengths, params, h0, c0)
    p = params
    g = {k: np.full(v.shape, np.nan) for k, v in p.items()}
    g["x"] = np.full(x.shape, np.nan)
    g["h0"] = np.full(h0.shape, np.nan)
    # In: the gradient w.r.t. the last cell state; out: w.r.t. c0.
    g["c0"] = np.zeros(c0.shape) if dc_last is None else dc_last.copy()
    backward(
        x, lengths, p["W_x"], p["W_h"], p["b_h"], h0, c0, hs, cs, act, dhs.copy(),
        g["x"], g["W_x"], g["W_h"], g["b"], g["b_h"], g["h0"], g["c0"], need_dx,
    )  # fmt: skip
    if cell != "gru":
        del g["b_h"]
    if cell != "lstm":
        del g["c0"]
    return g


def grad_names(cell):
    """Names of the arrays the backward kernel differentiates for ``cell``."""
    names = ["W_x", "W_h", "b", "x", "h0"]
    if cell == "lstm":
        names.append("c0")
    if cell == "gru":
        names.append("b_h")
    return names


def small_problem(cell, seed=0):
    """B=3, T=5, F=3, H=3 with lengths (5, 3, 1)."""
    rng = np.random.default_rng(seed)
    T, F, H = 5, 3, 3
    params = make_params(cell, F, H, rng)
    x, lengths, h0, c0 = make_inputs(cell, [5, 3, 1], T, F, H, rng)
    dhs = make_dhs(lengths, T, H, rng)
    return params, x, lengths, h0, c0, dhs


def random_lengths(B, T, rng):
    """Lengths in ``[1, T]``, with at least one full-length sample."""
    lengths = rng.integers(1, T + 1, size=B)
    lengths[0] = T
    return lengths.astype(np.int64)


# ------------------------------------------------------------------- forward
@pytest.mark.parametrize("cell", CELLS)
def test_cell_forward_matches_reference(cell):
    params, x, lengths, h0, c0, _ = small_problem(cell)
    hs, cs, _ = run_forward(cell, x, lengths, params, h0, c0)
    ref_hs, ref_cs = cell_forward(cell, x, lengths, params, h0, c0)
    np.testing.assert_allclose(hs, ref_hs, rtol=1e-12, atol=0)
    if cell != "rnn":
        # LSTM: the cell states c_t; GRU: m_t = h_{t-1} W_h[:, 2H:] + b_h.
        np.testing.assert_allclose(cs, ref_cs, rtol=1e-12, atol=0)


@pytest.mark.parametrize("cell", CELLS)
def test_cell_forward_padding_is_exactly_zero(cell):
    rng = np.random.default_rng(1)
    T, F, H = 6, 2, 3
    params = make_params(cell, F, H, rng)
    x, lengths, h0, c0 = make_inputs(cell, [6, 1, 4, 2], T, F, H, rng)
    hs, cs, act = run_forward(cell, x, lengths, params, h0, c0)
    for i, L in enumerate(lengths):
        assert np.all(hs[i, L:] == 0)
        assert np.all(act[i, L:] == 0)
        if cell != "rnn":
            assert np.all(cs[i, L:] == 0)
        # The real steps are written (not left as the NaN fill) and non-zero.
        assert np.all(np.isfinite(hs[i, :L]))
        assert np.all(hs[i, :L] != 0)


# ------------------------------------------------------------------ backward
@pytest.mark.parametrize("cell", CELLS)
def test_cell_backward_matches_reference(cell):
    params, x, lengths, h0, c0, dhs = small_problem(cell)
    grads = run_backward(cell, x, lengths, params, h0, c0, dhs)
    ref = cell_backward(cell, x, lengths, params, h0, c0, dhs)
    assert sorted(grads) == sorted(ref) == sorted(grad_names(cell))
    for name in grad_names(cell):
        np.testing.assert_allclose(grads[name], ref[name], rtol=1e-10, err_msg=name)


@pytest.mark.parametrize(
    "cell, name", [(cell, name) for cell in CELLS for name in grad_names(cell)]
)
def test_cell_backward_matches_finite_differences(cell, name):
    params, x, lengths, h0, c0, dhs = small_problem(cell)
    arrays = {**params, "x": x, "h0": h0, "c0": c0}

    def loss():
        hs, _, _ = run_forward(cell, x, lengths, params, h0, c0)
        return np.sum(dhs * hs)

    grads = run_backward(cell, x, lengths, params, h0, c0, dhs)
    (num,) = numerical_gradient(loss, [arrays[name]])
    assert relative_error(grads[name], num) <= 1e-6


@pytest.mark.parametrize("name", grad_names("lstm"))
def test_lstm_backward_takes_the_gradient_of_the_last_cell_state(name):
    # An encoder's last cell state starts a decoder: its gradient enters
    # through dc0 and reaches every parameter and input.
    params, x, lengths, h0, c0, dhs = small_problem("lstm")
    arrays = {**params, "x": x, "h0": h0, "c0": c0}
    dc_last = np.random.default_rng(5).normal(size=c0.shape)
    rows = np.arange(lengths.shape[0])

    def loss():
        hs, cs, _ = run_forward("lstm", x, lengths, params, h0, c0)
        return np.sum(dhs * hs) + np.sum(dc_last * cs[rows, lengths - 1])

    grads = run_backward("lstm", x, lengths, params, h0, c0, dhs, dc_last=dc_last)
    (num,) = numerical_gradient(loss, [arrays[name]])
    assert relative_error(grads[name], num) <= 1e-6


@pytest.mark.parametrize("cell", CELLS)
def test_cell_backward_input_gradient_is_zero_past_lengths(cell):
    rng = np.random.default_rng(2)
    T, F, H = 6, 2, 3
    params = make_params(cell, F, H, rng)
    x, lengths, h0, c0 = make_inputs(cell, [6, 1, 4, 2], T, F, H, rng)
    dhs = make_dhs(lengths, T, H, rng)
    grads = run_backward(cell, x, lengths, params, h0, c0, dhs)
    for i, L in enumerate(lengths):
        assert np.all(grads["x"][i, L:] == 0)
        assert np.all(grads["x"][i, :L] != 0)


@pytest.mark.parametrize("cell", CELLS)
def test_cell_backward_without_dx_gives_same_weight_gradients(cell):
    params, x, lengths, h0, c0, dhs = small_problem(cell)
    with_dx = run_backward(cell, x, lengths, params, h0, c0, dhs, need_dx=True)
    without_dx = run_backward(cell, x, lengths, params, h0, c0, dhs, need_dx=False)
    for name in grad_names(cell):
        if name == "x":
            # Not written at all: still the NaN fill.
            assert np.all(np.isnan(without_dx["x"]))
        else:
            assert np.array_equal(with_dx[name], without_dx[name]), name


# ------------------------------------------------- padding and batch identity
@pytest.mark.parametrize("cell", CELLS)
def test_cell_padded_sample_equals_unpadded_sample(cell):
    rng = np.random.default_rng(3)
    T, F, H = 6, 3, 4
    params = make_params(cell, F, H, rng)
    x, lengths, h0, c0 = make_inputs(cell, [6, 2, 4, 1], T, F, H, rng)
    dhs = make_dhs(lengths, T, H, rng)
    hs, cs, _ = run_forward(cell, x, lengths, params, h0, c0)
    grads = run_backward(cell, x, lengths, params, h0, c0, dhs)
    for i, L in enumerate(lengths):
        # The same sample alone, with T = its length and no padding at all.
        alone = (
            np.ascontiguousarray(x[i : i + 1, :L]),
            lengths[i : i + 1].copy(),
            params,
            h0[i : i + 1].copy(),
            c0[i : i + 1].copy(),
        )
        hs_1, cs_1, _ = run_forward(cell, *alone)
        assert np.array_equal(hs_1[0], hs[i, :L])
        if cell != "rnn":
            assert np.array_equal(cs_1[0], cs[i, :L])
        dhs_1 = np.ascontiguousarray(dhs[i : i + 1, :L])
        grads_1 = run_backward(cell, *alone, dhs_1)
        assert np.array_equal(grads_1["x"][0], grads["x"][i, :L])
        assert np.array_equal(grads_1["h0"][0], grads["h0"][i])
        if cell == "lstm":
            assert np.array_equal(grads_1["c0"][0], grads["c0"][i])


@pytest.mark.parametrize("cell", CELLS)
def test_cell_wide_layer_matches_reference(cell):
    # Wide enough for the products' register-blocked tiles (whole tiles of
    # columns and a rest, in every product of forward and backward), two
    # blocks of samples, ragged lengths: the reference's values.
    H, F, T = 2 * 16 + 3, 2 * 16 + 5, 4
    rng = np.random.default_rng(7)
    params = make_params(cell, F, H, rng)
    params = {k: v / np.sqrt(H) for k, v in params.items()}
    lengths = random_lengths(CHUNK_SIZE + 3, T, rng)
    x, lengths, h0, c0 = make_inputs(cell, lengths, T, F, H, rng)
    hs, cs, _ = run_forward(cell, x, lengths, params, h0, c0)
    ref_hs, ref_cs = cell_forward(cell, x, lengths, params, h0, c0)
    np.testing.assert_allclose(hs, ref_hs, rtol=1e-10, atol=1e-12)
    if cell != "rnn":
        np.testing.assert_allclose(cs, ref_cs, rtol=1e-10, atol=1e-12)
    dhs = make_dhs(lengths, T, H, rng)
    grads = run_backward(cell, x, lengths, params, h0, c0, dhs)
    ref = cell_backward(cell, x, lengths, params, h0, c0, dhs)
    for name in grad_names(cell):
        np.testing.assert_allclose(
            grads[name], ref[name], rtol=1e-9, atol=1e-12, err_msg=name
        )


@pytest.mark.parametrize("cell", CELLS)
# H=67: wide enough for the products' tiles, which take rows four, two and
# one at a time (whole tiles of columns and a rest, in either dtype).
@pytest.mark.parametrize(
    "H, dtype", [(4, np.float64), (67, np.float64), (67, np.float32)]
)
def test_cell_forward_sample_independent_of_batch(cell, H, dtype):
    # 37 samples: three chunks of CHUNK_SIZE, the last one partial.
    B, T, F = 2 * CHUNK_SIZE + 5, 5, 3
    rng = np.random.default_rng(4)
    params = make_params(cell, F, H, rng, dtype)
    lengths = random_lengths(B, T, rng)
    x, lengths, h0, c0 = make_inputs(cell, lengths, T, F, H, rng, dtype)
    hs, cs, _ = run_forward(cell, x, lengths, params, h0, c0)
    perm = rng.permutation(B)
    batch_p = (x[perm], lengths[perm], params, h0[perm], c0[perm])
    hs_p, cs_p, _ = run_forward(cell, *batch_p)
    for i in range(B):
        alone = (x[i : i + 1], lengths[i : i + 1], params, h0[i : i + 1], c0[i : i + 1])
        hs_1, cs_1, _ = run_forward(cell, *alone)
        assert np.array_equal(hs_1[0], hs[i]), i
        if cell != "rnn":
            assert np.array_equal(cs_1[0], cs[i]), i
    assert np.array_equal(hs_p, hs[perm])
    if cell != "rnn":
        assert np.array_equal(cs_p, cs[perm])


@pytest.mark.parametrize("cell", CELLS)
def test_cell_backward_batch_weight_gradients_equal_sum_over_samples(cell):
    B, T, F, H = 2 * CHUNK_SIZE + 5, 4, 2, 3
    rng = np.random.default_rng(5)
    params = make_params(cell, F, H, rng)
    x, lengths, h0, c0 = make_inputs(cell, random_lengths(B, T, rng), T, F, H, rng)
    dhs = make_dhs(lengths, T, H, rng)
    grads = run_backward(cell, x, lengths, params, h0, c0, dhs)
    names = [n for n in grad_names(cell) if n in params]
    total = {n: np.zeros_like(params[n]) for n in names}
    for i in range(B):
        sl = slice(i, i + 1)
        g_i = run_backward(cell, x[sl], lengths[sl], params, h0[sl], c0[sl], dhs[sl])
        for n in names:
            total[n] += g_i[n]
    for n in names:
        np.testing.assert_allclose(grads[n], total[n], rtol=1e-12, err_msg=n)


# ---------------------------------------------------------------------- step
@pytest.mark.parametrize("cell", CELLS)
def test_cell_step_equals_forward_column(cell):
    rng = np.random.default_rng(6)
    T, F, H = 5, 3, 4
    params = make_params(cell, F, H, rng)
    x, lengths, h0, c0 = make_inputs(cell, [5, 5, 3, 1], T, F, H, rng)
    hs, cs, _ = run_forward(cell, x, lengths, params, h0, c0)
    step = _kernels.CELLS[cell].step
    h = h0.copy()
    c = c0.copy()
    z = np.full((x.shape[0], N_GATES[cell] * H), np.nan)
    p = params
    for t in range(T):
        x_t = np.ascontiguousarray(x[:, t])
        step(x_t, p["W_x"], p["W_h"], p["b"], p["b_h"], h, c, z)
        for i, L in enumerate(lengths):
            if t < L:
                assert np.array_equal(h[i], hs[i, t]), (t, i)
                if cell == "lstm":
                    assert np.array_equal(c[i], cs[i, t]), (t, i)


# ------------------------------------------------------------------- float32
@pytest.mark.parametrize("cell", CELLS)
def test_cell_forward_float32_matches_float64_reference(cell):
    params, x, lengths, h0, c0, _ = small_problem(cell)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    x32, h32, c32 = (a.astype(np.float32) for a in (x, h0, c0))
    hs, cs, _ = run_forward(cell, x32, lengths, p32, h32, c32)
    assert hs.dtype == np.float32
    # The reference sees exactly the float32 values, in float64 arithmetic.
    p64 = {k: v.astype(np.float64) for k, v in p32.items()}
    x64, h64, c64 = (a.astype(np.float64) for a in (x32, h32, c32))
    ref_hs, ref_cs = cell_forward(cell, x64, lengths, p64, h64, c64)
    # Rational tanh/sigmoid (2e-7 abs) plus float32 rounding over T=5 steps:
    # about 1.5e-7 observed, bounded at 1e-6.
    assert relative_error(hs, ref_hs) <= 1e-6
    if cell != "rnn":
        assert relative_error(cs, ref_cs) <= 1e-6
