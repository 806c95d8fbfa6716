"""Tests of RNNNetwork: parameter layout, initialisation, gradients, streaming.

``RNNNetwork`` knows nothing about scikit-learn, so every test here works on
padded arrays and lengths. Gradients are compared with central finite
differences over the flat parameter vector ``theta`` (``tests/gradcheck.py``)
in float64 on tiny sizes (B=3, T=4, H=3), for stacked and bidirectional
networks of the three cells, both losses, ragged lengths and dropout masks.
Losses and their gradients w.r.t. the head outputs come from the plain-numpy
reference (``tests/reference.py``) where a test builds an objective of its own.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle

import numpy as np
import pytest

from skrnn import _network
from skrnn._network import RNNNetwork
from tests.gradcheck import numerical_gradient, relative_error
from tests.networks import (
    CELLS,
    LOSSES,
    N_OUTPUTS,
    make_batch,
    make_masks,
    make_network,
    make_token_batch,
    make_token_network,
    reference_loss,
)
from tests.reference import (
    N_GATES,
    cell_forward,
    dense_forward,
)

# Any numpy floating-point error fails a test (see tests/conftest.py).
pytestmark = pytest.mark.usefixtures("floating_point_errors_raise")


def expected_n_params(cell, F, H, n_layers, bidirectional, C):
    """The parameter count written out from the cell equations."""
    G = N_GATES[cell] * H
    D = H * (2 if bidirectional else 1)
    total = 0
    for layer in range(n_layers):
        F_l = F if layer == 0 else D
        per_direction = F_l * G + H * G + G + (H if cell == "gru" else 0)
        total += per_direction * (2 if bidirectional else 1)
    return total + D * C + C


# ---------------------------------------------------------------------- layout
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(
    "n_layers, bidirectional", [(1, False), (1, True), (2, False), (3, True)]
)
def test_network_n_params_matches_formula(cell, n_layers, bidirectional):
    F, H, C = 5, 4, 2
    net = RNNNetwork(cell, F, H, n_layers, bidirectional, C, np.float64)
    expected = expected_n_params(cell, F, H, n_layers, bidirectional, C)
    assert net.theta.shape == (expected,)
    assert sum(v.size for v in net.params.values()) == expected


@pytest.mark.parametrize("cell", CELLS)
def test_network_views_share_memory_with_theta(cell):
    net = make_network(cell)
    net.theta[:] = np.arange(net.theta.shape[0])
    # Laid end to end in layout order, the views tile theta exactly.
    np.testing.assert_array_equal(
        np.concatenate([v.ravel() for v in net.params.values()]), net.theta
    )
    for name, view in net.params.items():
        if view.size:
            assert np.shares_memory(view, net.theta), name
    net.theta[:] = -1.0
    assert all(np.all(v == -1.0) for v in net.params.values())
    net.params["layer1.dir1.W_h"][0, 0] = 7.0
    assert np.count_nonzero(net.theta == 7.0) == 1


@pytest.mark.parametrize("cell", CELLS)
def test_network_view_shapes(cell):
    F, H = 2, 3
    net = make_network(cell, F=F, H=H)
    G = N_GATES[cell] * H
    p = net.params
    assert p["layer0.dir0.W_x"].shape == (F, G)
    assert p["layer1.dir1.W_x"].shape == (2 * H, G)
    assert p["layer1.dir0.W_h"].shape == (H, G)
    assert p["layer0.dir1.b"].shape == (G,)
    assert p["layer0.dir0.b_h"].shape == ((H,) if cell == "gru" else (0,))
    assert p["head.W"].shape == (2 * H, N_OUTPUTS)
    assert p["head.b"].shape == (N_OUTPUTS,)


@pytest.mark.parametrize("cell", CELLS)
def test_network_weight_mask_true_exactly_on_weight_matrices(cell):
    net = make_network(cell)
    mask = net.weight_mask()
    assert mask.dtype == bool
    assert mask.shape == net.theta.shape
    expected = np.concatenate(
        [
            np.full(v.size, name.rsplit(".", 1)[1] in ("W_x", "W_h", "W"))
            for name, v in net.params.items()
        ]
    )
    np.testing.assert_array_equal(mask, expected)
    n_weights = sum(
        v.size for name, v in net.params.items() if name.rsplit(".", 1)[1][0] == "W"
    )
    assert mask.sum() == n_weights


@pytest.mark.parametrize("cell", CELLS)
def test_network_pickle_round_trip_rebuilds_views(cell):
    net = make_network(cell)
    loaded = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(loaded.theta, net.theta)
    assert loaded.params.keys() == net.params.keys()
    for name, view in loaded.params.items():
        np.testing.assert_array_equal(view, net.params[name])
        if view.size:
            assert np.shares_memory(view, loaded.theta), name
            assert not np.shares_memory(view, net.theta), name
    # Writing through theta reaches the rebuilt views (an optimizer step).
    loaded.theta += 1.0
    np.testing.assert_array_equal(loaded.params["head.b"], net.params["head.b"] + 1)
    x, lengths, _, _ = make_batch("softmax", [4, 2, 3], T=4)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(net)).predict(x, lengths), net.predict(x, lengths)
    )


def test_network_getstate_drops_views():
    net = make_network("lstm")
    assert "params" not in net.__getstate__()
    assert "params" in net.__dict__


# -------------------------------------------------------------- initialisation
@pytest.mark.parametrize("cell", CELLS)
def test_network_init_recurrent_blocks_are_orthogonal(cell):
    H = 6
    net = make_network(cell, H=H)
    for name, view in net.params.items():
        if not name.endswith("W_h"):
            continue
        for g in range(N_GATES[cell]):
            block = view[:, g * H : (g + 1) * H]
            np.testing.assert_allclose(block.T @ block, np.eye(H), atol=1e-12)
            # Not the identity itself: a random rotation.
            assert np.abs(block - np.eye(H)).max() > 0.1


@pytest.mark.parametrize("cell", CELLS)
def test_network_init_biases(cell):
    H = 4
    # A head wider than 2 H: its bias is no gate's and starts at 0.
    net = RNNNetwork(cell, 3, H, 2, True, 3 * H, np.float64)
    net.initialize(np.random.RandomState(0))
    for name, view in net.params.items():
        kind = name.rsplit(".", 1)[1]
        if name == "head.b":
            np.testing.assert_array_equal(view, 0.0)
        elif kind == "b" and cell == "lstm":
            # Gate order (i, f, g, o): the forget gate starts at 1.
            np.testing.assert_array_equal(view[H : 2 * H], 1.0)
            np.testing.assert_array_equal(view[:H], 0.0)
            np.testing.assert_array_equal(view[2 * H :], 0.0)
        elif kind in ("b", "b_h"):
            np.testing.assert_array_equal(view, 0.0, err_msg=name)


@pytest.mark.parametrize("cell", CELLS)
def test_network_init_input_and_head_weights_glorot_uniform(cell):
    H, F = 8, 5
    net = make_network(cell, F=F, H=H)
    for name, view in net.params.items():
        kind = name.rsplit(".", 1)[1]
        if kind not in ("W_x", "W"):
            continue
        fan_out = H if kind == "W_x" else view.shape[1]
        bound = np.sqrt(6.0 / (view.shape[0] + fan_out))
        assert np.abs(view).max() <= bound
        # Spread over the interval, not collapsed to a point.
        assert np.abs(view).max() > 0.5 * bound
        assert np.unique(view).size == view.size


@pytest.mark.parametrize("cell", CELLS)
def test_network_init_same_seed_same_theta(cell):
    a = make_network(cell, seed=3)
    b = make_network(cell, seed=3)
    c = make_network(cell, seed=4)
    np.testing.assert_array_equal(a.theta, b.theta)
    assert not np.array_equal(a.theta, c.theta)


def test_network_init_float32_keeps_dtype():
    net = make_network("gru", dtype=np.float32)
    assert net.theta.dtype == np.float32
    assert all(v.dtype == np.float32 for v in net.params.values())
    assert net.astype(np.float64).theta.dtype == np.float64
    np.testing.assert_array_equal(net.astype(np.float64).theta, net.theta)


# ------------------------------------------------------------------- gradients
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("n_layers, bidirectional", [(2, True), (2, False), (1, True)])
def test_network_loss_and_grad_matches_finite_differences(
    cell, loss, n_layers, bidirectional
):
    net = make_network(cell, n_layers=n_layers, bidirectional=bidirectional)
    x, lengths, targets, weights = make_batch(loss, [4, 2, 3], T=4)
    grad = np.full_like(net.theta, np.nan)
    value = net.loss_and_grad(x, lengths, targets, weights, loss, grad)
    scratch = np.empty_like(net.theta)

    def objective():
        return net.loss_and_grad(x, lengths, targets, weights, loss, scratch)

    (numeric,) = numerical_gradient(objective, [net.theta])
    assert relative_error(grad, numeric) <= 1e-6
    # The loss is the reference loss of the head outputs.
    expected = reference_loss(loss, net.predict(x, lengths), targets, weights)
    np.testing.assert_allclose(value, expected, rtol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("loss", LOSSES)
def test_network_loss_and_grad_with_dropout_masks_matches_finite_differences(
    cell, loss
):
    net = make_network(cell, n_layers=2, bidirectional=True)
    x, lengths, targets, weights = make_batch(loss, [4, 2, 3], T=4)
    masks = make_masks(net, 3, 4)
    grad = np.full_like(net.theta, np.nan)
    value = net.loss_and_grad(x, lengths, targets, weights, loss, grad, masks)
    scratch = np.empty_like(net.theta)

    def objective():
        return net.loss_and_grad(x, lengths, targets, weights, loss, scratch, masks)

    (numeric,) = numerical_gradient(objective, [net.theta])
    assert relative_error(grad, numeric) <= 1e-6
    # The masks are really applied: the loss differs from the one without.
    assert value != net.loss_and_grad(x, lengths, targets, weights, loss, scratch)


@pytest.mark.parametrize("cell", CELLS)
def test_network_loss_and_grad_ignores_padding_values(cell):
    net = make_network(cell)
    x, lengths, targets, weights = make_batch("softmax", [4, 1, 3], T=4)
    grad = np.empty_like(net.theta)
    value = net.loss_and_grad(x, lengths, targets, weights, "softmax", grad)
    other = x.copy()
    for i, L in enumerate(lengths):
        other[i, L:] = 1e3
    other_grad = np.empty_like(net.theta)
    other_value = net.loss_and_grad(
        other, lengths, targets, weights, "softmax", other_grad
    )
    assert value == other_value
    np.testing.assert_array_equal(grad, other_grad)


# ---------------------------------------------------- uninitialised buffers
class PoisonedNumpy:
    """``numpy`` for ``skrnn._network``, whose fresh float buffers hold inf.

    ``np.empty`` promises no content. Each new float buffer is filled with
    inf, the sign alternating from one buffer to the next, so that any read
    of a part nothing wrote shows: a sum of two such parts is inf - inf
    (an error under ``np.errstate(all="raise")``), anything else read makes
    a result non-finite.
    """

    def __init__(self):
        self.sign = 1.0

    def __getattr__(self, name):
        attr = getattr(np, name)
        if name not in ("empty", "empty_like"):
            return attr

        def allocate(*args, **kwargs):
            out = attr(*args, **kwargs)
            if out.dtype.kind == "f":
                out.fill(self.sign * np.inf)
                self.sign = -self.sign
            return out

        return allocate


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("n_layers", [1, 2])
def test_network_loss_and_grad_reads_no_unwritten_buffer(cell, n_layers, monkeypatch):
    # Regression: the first layer's input gradient, which the kernels leave
    # unwritten unless asked for it, was allocated anyway and both
    # directions' buffers summed ("invalid value encountered in add").
    net = make_network(cell, n_layers=n_layers, bidirectional=True)
    x, lengths, targets, weights = make_batch("softmax", [6, 1, 3], T=6)
    masks = make_masks(net, 3, 6)
    expected = np.empty_like(net.theta)
    expected_value = net.loss_and_grad(
        x, lengths, targets, weights, "softmax", expected, masks
    )
    monkeypatch.setattr(_network, "np", PoisonedNumpy())
    grad = np.empty_like(net.theta)
    with np.errstate(all="raise"):
        value = net.loss_and_grad(x, lengths, targets, weights, "softmax", grad, masks)
    assert value == expected_value
    np.testing.assert_array_equal(grad, expected)


@pytest.mark.parametrize("cell", CELLS)
def test_network_input_gradient_is_exact_and_zero_past_lengths(cell, monkeypatch):
    net = make_network(cell, n_layers=2, bidirectional=True)
    x, lengths, _, _ = make_batch("squared", [5, 1, 3], T=5)
    d_features = np.random.RandomState(3).normal(size=(3, 6))

    def objective():
        return float(np.sum(net.forward(x, lengths)[1] * d_features))

    (numeric,) = numerical_gradient(objective, [x])
    monkeypatch.setattr(_network, "np", PoisonedNumpy())
    grad = np.zeros_like(net.theta)  # the head's part stays 0 here
    with np.errstate(all="raise"):
        caches, _ = net.forward(x, lengths)
        dx, _, _ = net.backward(caches, lengths, d_features, grad, need_input_grad=True)
    padded = np.arange(5)[None, :] >= lengths[:, None]
    assert np.all(dx[padded] == 0)
    assert relative_error(dx, numeric) <= 1e-6
    # Without need_input_grad no input gradient is made, and the weight
    # gradients are the same.
    caches, _ = net.forward(x, lengths)
    without = np.zeros_like(net.theta)
    with np.errstate(all="raise"):
        dx, _, _ = net.backward(caches, lengths, d_features, without)
    assert dx is None
    np.testing.assert_array_equal(without, grad)


# ------------------------------------------------------ batch independence
def _reverse_each(x, lengths):
    """Reverse each sample's first ``lengths[i]`` steps (plain loop)."""
    out = x.copy()
    for i, L in enumerate(lengths):
        out[i, :L] = x[i, :L][::-1]
    return out


@pytest.mark.parametrize("cell", CELLS)
def test_network_stacked_bidirectional_forward_matches_reference(cell):
    # Two bidirectional layers and the head, against the numpy cells: the
    # reverse direction reads each sample's real steps backwards, the next
    # layer reads both directions, the head reads the forward state at the
    # last real step and the reverse state at step 0.
    net = make_network(cell, n_layers=2, bidirectional=True)
    x, lengths, _, _ = make_batch("softmax", [4, 2, 3, 1], T=4)
    B, H = lengths.shape[0], net.hidden_size
    zeros = np.zeros((B, H))
    layer_input = x
    for layer in range(2):
        outputs, finals = [], []
        for direction in range(2):
            prefix = f"layer{layer}.dir{direction}."
            params = {k: net.params[prefix + k] for k in ("W_x", "W_h", "b", "b_h")}
            run_input = (
                layer_input if direction == 0 else _reverse_each(layer_input, lengths)
            )
            hs, _ = cell_forward(cell, run_input, lengths, params, zeros, zeros)
            finals.append(hs[np.arange(B), lengths - 1])
            outputs.append(hs if direction == 0 else _reverse_each(hs, lengths))
        layer_input = np.concatenate(outputs, axis=2)
    features = np.concatenate(finals, axis=1)
    expected = dense_forward(features, net.params["head.W"], net.params["head.b"])
    np.testing.assert_allclose(
        net.predict(x, lengths), expected, rtol=1e-12, atol=1e-13
    )


@pytest.mark.parametrize("cell", CELLS)
def test_network_forward_sample_alone_equals_in_batch(cell):
    # 20 samples of many lengths: more than one parallel block of samples.
    net = make_network(cell, n_layers=2, bidirectional=True)
    rng = np.random.RandomState(5)
    T = 7
    lengths = rng.randint(1, T + 1, size=20).astype(np.int64)
    x = rng.normal(size=(20, T, 2))
    _, features = net.forward(x, lengths)
    out = net.predict(x, lengths)
    for i in (0, 3, 17, 19):
        L = lengths[i]
        alone = np.ascontiguousarray(x[i : i + 1, :L])
        one = np.array([L], dtype=np.int64)
        _, features_alone = net.forward(alone, one)
        np.testing.assert_array_equal(features_alone[0], features[i])
        np.testing.assert_array_equal(net.predict(alone, one)[0], out[i])


# ---------------------------------------------------------------- embedding
def test_network_embedding_layout_and_init():
    net = make_token_network("lstm", V=7, E=2)
    table = net.params["embedding.W"]
    assert table.shape == (7, 2)
    assert np.shares_memory(table, net.theta)
    # The padding row is never read and starts at 0; the others are N(0, 1).
    assert np.all(table[0] == 0) and np.all(table[1:] != 0)
    # The embedding is a weight matrix: L2 applies to it.
    assert net.views(net.weight_mask())["embedding.W"].all()
    # The first layer reads E features.
    assert net.params["layer0.dir0.W_x"].shape[0] == 2


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("n_layers, bidirectional", [(2, True), (1, False)])
def test_network_embedding_grad_matches_finite_differences(
    cell, n_layers, bidirectional
):
    net = make_token_network(cell, n_layers=n_layers, bidirectional=bidirectional)
    ids, lengths, targets, weights = make_token_batch([4, 2, 3], T=4)
    grad = np.full_like(net.theta, np.nan)
    value = net.loss_and_grad(ids, lengths, targets, weights, "softmax", grad)
    scratch = np.empty_like(net.theta)

    def objective():
        return net.loss_and_grad(ids, lengths, targets, weights, "softmax", scratch)

    (numeric,) = numerical_gradient(objective, [net.theta])
    assert relative_error(grad, numeric) <= 1e-6
    # The embedding rows really get gradient, and unused rows get exactly 0.
    d_table = net.views(grad)["embedding.W"]
    used = np.unique(np.concatenate([ids[i, :L] for i, L in enumerate(lengths)]))
    unused = np.setdiff1d(np.arange(7), used)
    assert np.abs(d_table[used]).min() > 0
    assert np.all(d_table[unused] == 0)
    expected = reference_loss("softmax", net.predict(ids, lengths), targets, weights)
    np.testing.assert_allclose(value, expected, rtol=1e-12)


def test_network_embedding_equals_numeric_input_of_looked_up_vectors():
    # Embedding ids then running the cells == feeding the looked-up vectors.
    net = make_token_network("gru", n_layers=1, bidirectional=True)
    numeric = RNNNetwork("gru", 2, 3, 1, True, N_OUTPUTS, np.float64)
    numeric.theta[:] = net.theta[net.params["embedding.W"].size :]
    ids, lengths, _, _ = make_token_batch([4, 2, 3], T=4)
    table = net.params["embedding.W"]
    x = np.zeros((3, 4, 2))
    for i, L in enumerate(lengths):
        x[i, :L] = table[ids[i, :L]]
    expected = numeric.predict(x, lengths)
    np.testing.assert_array_equal(net.predict(ids, lengths), expected)


def test_network_embedding_pickle_and_astype():
    net = make_token_network("rnn")
    clone = pickle.loads(pickle.dumps(net))
    assert np.shares_memory(clone.params["embedding.W"], clone.theta)
    net32 = net.astype(np.float32)
    assert net32.vocabulary_size == 7
    ids, lengths, _, _ = make_token_batch([4, 2, 3], T=4)
    np.testing.assert_allclose(
        net32.predict(ids, lengths), net.predict(ids, lengths), rtol=1e-5, atol=1e-6
    )


# ------------------------------------------------------- next-step (every step)
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("loss", LOSSES)
def test_network_sequence_loss_and_grad_matches_finite_differences(cell, loss):
    # Two layers, carried initial states, dropout masks, ragged lengths.
    net = make_network(cell, n_layers=2, bidirectional=False)
    B, T = 3, 4
    lengths = np.array([4, 2, 3], dtype=np.int64)
    rng = np.random.RandomState(3)
    x = rng.normal(size=(B, T, 2))
    if loss == "softmax":
        targets = rng.randint(0, N_OUTPUTS, size=(B, T)).astype(np.int64)
    else:
        targets = rng.normal(size=(B, T, N_OUTPUTS))
    h0 = rng.normal(size=(2, 1, B, 3))
    c0 = rng.normal(size=(2, 1, B, 3))
    masks = [
        (rng.random_sample((B, T, 3)) > 0.3) / 0.7,
        (rng.random_sample((B, T, 3)) > 0.3) / 0.7,
    ]
    grad = np.full_like(net.theta, np.nan)
    value, (h, c) = net.sequence_loss_and_grad(
        x, lengths, targets, loss, grad, h0, c0, masks
    )
    scratch = np.empty_like(net.theta)

    def objective():
        return net.sequence_loss_and_grad(
            x, lengths, targets, loss, scratch, h0, c0, masks
        )[0]

    (numeric,) = numerical_gradient(objective, [net.theta])
    assert relative_error(grad, numeric) <= 1e-6
    # The loss is the mean over real steps of the reference per-step loss.
    caches, features = net.forward(x, lengths, h0, c0, masks, every_step=True)
    rows = [(i, t) for i in range(B) for t in range(lengths[i])]
    out = net.head(np.array([features[i, t] for i, t in rows]))
    row_targets = np.array([targets[i, t] for i, t in rows])
    weights = np.full(len(rows), 1 / len(rows))
    expected = reference_loss(loss, out, row_targets, weights)
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    # The returned states are those after each sample's last real step.
    for layer in range(2):
        for i in range(B):
            assert_states = caches[layer][0]["hs"][i, lengths[i] - 1]
            np.testing.assert_array_equal(h[layer, 0, i], assert_states)
    if cell == "lstm":
        np.testing.assert_array_equal(c[0, 0, 0], caches[0][0]["cs"][0, 3])


def test_network_sequence_windows_with_carried_state_equal_one_pass():
    # Reading a sequence in two windows, the state carried between them,
    # gives the same per-step outputs as one pass (the forward is exact).
    net = make_token_network("lstm", n_layers=2, bidirectional=False)
    ids = np.array([[3, 5, 1, 6, 2, 4]], dtype=np.int64)
    whole, _ = net.step_outputs(ids, np.array([6]))
    first, (h, c) = net.step_outputs(ids[:, :4], np.array([4]))
    second, _ = net.step_outputs(ids[:, 4:], np.array([2]), h, c)
    np.testing.assert_allclose(np.vstack([first, second]), whole, rtol=1e-12)


def test_network_sequence_output_mask_gives_zero_probability():
    net = make_token_network("gru", n_layers=1, bidirectional=False)
    ids = np.array([[3, 5, 1]], dtype=np.int64)
    mask = np.zeros(N_OUTPUTS, dtype=bool)
    mask[0] = True
    targets = np.array([[1, 2, 1]], dtype=np.int64)
    grad = np.empty_like(net.theta)
    net.sequence_loss_and_grad(
        ids, np.array([3]), targets, "softmax", grad, output_mask=mask
    )
    # The masked output's head column gets no gradient at all.
    g = net.views(grad)
    assert np.all(g["head.W"][:, 0] == 0) and g["head.b"][0] == 0
    assert np.abs(g["head.W"][:, 1:]).min() > 0


# ------------------------------------------------- streaming without caches
@pytest.fixture
def short_windows(monkeypatch):
    """Windows of 3 steps, so that short sequences span several."""
    monkeypatch.setattr(_network, "STREAM_STEPS", 3)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("tokens", [False, True])
def test_network_stream_equals_forward_bit_for_bit(cell, tokens, short_windows):
    if tokens:
        net = make_token_network(cell, n_layers=2, bidirectional=False)
        x, lengths, _, _ = make_token_batch([11, 4, 1, 7], T=11)
    else:
        net = make_network(cell, n_layers=2, bidirectional=False)
        x, lengths, _, _ = make_batch("softmax", [11, 4, 1, 7], T=11)
    rng = np.random.RandomState(5)
    h0, c0 = (rng.normal(size=(2, 1, 4, net.hidden_size)) for _ in range(2))
    # Dropout between the layers (forward also masks the head's input,
    # which the states do not see).
    masks = make_masks(net, 4, 11)
    caches, _ = net.forward(x, lengths, h0, c0, masks)
    h, c = net.stream(x, lengths, h0, c0, masks=masks[:-1])
    expected_h, expected_c = net.states_after(caches, lengths)
    np.testing.assert_array_equal(h, expected_h)
    if cell == "lstm":
        np.testing.assert_array_equal(c, expected_c)
    # The initial states are read, not modified.
    assert np.abs(h0).max() > 0 and not np.shares_memory(h, h0)
    # Prediction and every-step outputs: no caches, the same numbers.
    _, last = net.forward(x, lengths)
    np.testing.assert_array_equal(net.predict(x, lengths), net.head(last))
    caches, top = net.forward(x, lengths, every_step=True)
    valid = np.arange(11)[None, :] < lengths[:, None]
    rows, (h, _) = net.step_outputs(x, lengths)
    np.testing.assert_array_equal(rows, net.head(np.ascontiguousarray(top[valid])))
    np.testing.assert_array_equal(h, net.states_after(caches, lengths)[0])


def test_network_stream_leaves_sequences_of_zero_steps_at_their_state():
    net = make_network("lstm", n_layers=2, bidirectional=False)
    x, _, _, _ = make_batch("softmax", [5, 5], T=5)
    rng = np.random.RandomState(0)
    h0, c0 = (rng.normal(size=(2, 1, 2, net.hidden_size)) for _ in range(2))
    h, c = net.stream(x, np.array([0, 5]), h0, c0)
    np.testing.assert_array_equal(h[:, :, 0], h0[:, :, 0])
    np.testing.assert_array_equal(c[:, :, 0], c0[:, :, 0])
    assert not np.allclose(h[:, :, 1], h0[:, :, 1])


@pytest.mark.parametrize("cell", CELLS)
def test_network_bidirectional_predict_streams_bit_for_bit(cell, short_windows):
    # Layer after layer, each direction in windows of 3 steps: the features
    # forward computes from every cache, without the caches.
    net = make_network(cell, n_layers=2, bidirectional=True)
    x, lengths, _, _ = make_batch("softmax", [11, 4, 1, 7], T=11)
    _, features = net.forward(x, lengths)
    np.testing.assert_array_equal(net.predict(x, lengths), net.head(features))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_network_features_stream_bit_for_bit(cell, bidirectional, short_windows):
    # What the head reads, after the last real step or at every step (the
    # tagger's and transform's input), without caches: forward's numbers,
    # zero past each length.
    net = make_network(cell, n_layers=2, bidirectional=bidirectional)
    x, lengths, _, _ = make_batch("softmax", [11, 4, 1, 7], T=11)
    _, last = net.forward(x, lengths)
    np.testing.assert_array_equal(net.features(x, lengths), last)
    _, top = net.forward(x, lengths, every_step=True)
    valid = np.arange(11)[None, :] < lengths[:, None]
    every = net.features(x, lengths, every_step=True)
    assert every.shape == (4, 11, net.hidden_size * net.n_directions)
    np.testing.assert_array_equal(every[valid], top[valid])
    assert np.all(every[~valid] == 0)
