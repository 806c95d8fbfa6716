"""Property: a sample's forward states never depend on its batch companions.

Hypothesis draws batch sizes (across several 16-sample chunks), lengths and
the target sample's position; the target's states must equal, bit for bit,
those it gets alone in a batch of one with no padding.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skrnn._kernels import CELLS

F, H, T = 3, 4, 6


def _run(cell, x, lengths, params):
    forward, n_gates = CELLS[cell].forward, CELLS[cell].n_gates
    B = x.shape[0]
    hs = np.empty((B, x.shape[1], H))
    cs = np.empty((B, x.shape[1], H))
    act = np.empty((B, x.shape[1], n_gates * H))
    zeros = np.zeros((B, H))
    forward(x, lengths, *params, zeros, zeros, hs, cs, act)
    return hs


def _params(cell, rng):
    G = CELLS[cell].n_gates * H
    b_h = rng.normal(size=H) if cell == "gru" else np.zeros(0)
    return (
        rng.normal(size=(F, G)),
        rng.normal(size=(H, G)) * 0.5,
        rng.normal(size=G),
        b_h,
    )


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@settings(max_examples=25, deadline=None)
@given(
    batch_lengths=st.lists(st.integers(1, T), min_size=1, max_size=40),
    position=st.integers(0, 39),
    seed=st.integers(0, 2**16),
)
def test_batch_invariance_sample_states_independent_of_companions(
    cell, batch_lengths, position, seed
):
    rng = np.random.default_rng(seed)
    params = _params(cell, rng)
    lengths = np.asarray(batch_lengths, dtype=np.int64)
    i = position % lengths.shape[0]
    x = rng.normal(size=(lengths.shape[0], T, F))
    L = lengths[i]
    alone = _run(
        cell, np.ascontiguousarray(x[i : i + 1, :L]), lengths[i : i + 1], params
    )
    in_batch = _run(cell, x, lengths, params)
    np.testing.assert_array_equal(in_batch[i, :L], alone[0])
    np.testing.assert_array_equal(in_batch[i, L:], 0.0)
