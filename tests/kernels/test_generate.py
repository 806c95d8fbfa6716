"""Tests of the generation loops in ``_kernels/_generate.py``.

``sample_tokens`` and ``continue_series`` advance the network one step at a
time inside Numba, reading the parameters through the tables of
``RNNNetwork.step_tables``. Each generated value is checked against the
network's batched forward pass (``RNNNetwork.predict``) over everything the
loop has read so far, for the three cells, two layers, float64 and float32,
and prompts of different lengths. The step kernels do the arithmetic of one
column of the forward kernels and both heads call ``project_rows``, so the
two agree to the bit. ``pick_token`` itself is tested in
``tests/test_generator.py``.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skrnn._kernels._generate import pick_token
from skrnn._network import RNNNetwork

CELLS = ("rnn", "lstm", "gru")
DTYPES = (np.float64, np.float32)
N_LAYERS, H = 2, 4
LENGTHS = np.array([3, 1, 5], dtype=np.int64)
N_STEPS = 12


def make_network(cell, dtype, n_inputs, n_outputs, vocabulary_size=None):
    net = RNNNetwork(
        cell, n_inputs, H, N_LAYERS, False, n_outputs, dtype, vocabulary_size
    )
    net.initialize(np.random.RandomState(0))
    # Spread the head's outputs, so that sampling visits several tokens.
    net.params["head.W"] *= 3
    return net


def predict_after(net, inputs):
    """Head output after reading ``inputs`` from zero states (batched forward)."""
    x = np.asarray(inputs, dtype=net.dtype if net.vocabulary_size is None else np.int64)
    return net.predict(x[None], np.array([len(inputs)], dtype=np.int64))[0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("stop_at_end", [True, False])
def test_sample_tokens_matches_the_batched_forward(cell, dtype, stop_at_end):
    V, E = 6, 3
    begin_id, end_id = 2, 3
    net = make_network(cell, dtype, E, V, vocabulary_size=V)
    rng = np.random.RandomState(1)
    prompt = rng.randint(0, V, size=(LENGTHS.shape[0], LENGTHS.max()))
    uniforms = rng.uniform(size=(LENGTHS.shape[0], N_STEPS))
    forbidden = np.zeros(V, dtype=bool)
    forbidden[[0, begin_id]] = True
    temperature, top_k = 1.5, 4
    tokens, n_generated = net.sample(
        prompt, LENGTHS, uniforms, forbidden, temperature, top_k, begin_id,
        end_id, stop_at_end,
    )  # fmt: skip
    workspace = np.empty(V)
    n_ends = 0
    for i, length in enumerate(LENGTHS):
        # What row i has read: its prompt, then each drawn token; after the
        # end id, a new document from the begin id (or nothing more).
        document = list(prompt[i, :length])
        expected = []
        for s in range(N_STEPS):
            logits = predict_after(net, document)
            token = pick_token(
                logits, forbidden, temperature, top_k, uniforms[i, s], workspace
            )
            expected.append(token)
            if token == end_id:
                n_ends += 1
                if stop_at_end:
                    break
                document = [begin_id]
            else:
                document.append(token)
        assert n_generated[i] == len(expected)
        assert_array_equal(tokens[i, : len(expected)], expected)
        assert_array_equal(tokens[i, len(expected) :], -1)
    assert n_ends > 0  # the end id was drawn: its branch was exercised


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cell", CELLS)
def test_continue_series_matches_the_batched_forward(cell, dtype):
    C = 2
    net = make_network(cell, dtype, C, C)
    rng = np.random.RandomState(2)
    prompt = rng.normal(size=(LENGTHS.shape[0], LENGTHS.max(), C)).astype(dtype)
    out = net.continue_series(prompt, LENGTHS, N_STEPS)
    assert out.shape == (LENGTHS.shape[0], N_STEPS, C) and out.dtype == dtype
    for i, length in enumerate(LENGTHS):
        # Each new value is the prediction after the prompt and the values
        # before it.
        series = list(prompt[i, :length])
        for s in range(N_STEPS):
            assert_array_equal(out[i, s], predict_after(net, series))
            series.append(out[i, s])
