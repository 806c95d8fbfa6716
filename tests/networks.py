"""Small networks and batches shared by the network and training tests.

Float64, tiny sizes, ragged lengths; losses of the plain-numpy reference
(``tests/reference.py``).
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skrnn._network import RNNNetwork
from tests.reference import softmax_cross_entropy, squared_error

CELLS = ("rnn", "lstm", "gru")
LOSSES = ("softmax", "squared")
N_OUTPUTS = 3


def make_network(cell, n_layers=2, bidirectional=True, F=2, H=3, seed=0, dtype=None):
    """An initialised float64 network with ``N_OUTPUTS`` outputs."""
    net = RNNNetwork(
        cell, F, H, n_layers, bidirectional, N_OUTPUTS, dtype or np.float64
    )
    net.initialize(np.random.RandomState(seed))
    return net


def make_batch(loss, lengths, T, F=2, seed=1):
    """Inputs (padding filled with noise), lengths, targets and unit-sum weights."""
    rng = np.random.RandomState(seed)
    lengths = np.asarray(lengths, dtype=np.int64)
    B = lengths.shape[0]
    x = rng.normal(size=(B, T, F))
    if loss == "softmax":
        targets = rng.randint(0, N_OUTPUTS, size=B).astype(np.int64)
    else:
        targets = rng.normal(size=(B, N_OUTPUTS))
    weights = rng.uniform(0.5, 1.5, size=B)
    return x, lengths, targets, weights / weights.sum()


def make_masks(net, B, T, rate=0.5, seed=2):
    """Inverted-dropout masks in :meth:`RNNNetwork.forward`'s layout."""
    rng = np.random.RandomState(seed)
    D = net.hidden_size * net.n_directions
    shapes = [(B, T, D)] * (net.n_layers - 1) + [(B, D)]
    return [(rng.random_sample(s) >= rate) / (1 - rate) for s in shapes]


def reference_loss(loss, out, targets, weights):
    """The head loss of the plain-numpy reference."""
    if loss == "softmax":
        return softmax_cross_entropy(out, targets, weights)[0]
    return squared_error(out, targets, weights)[0]


def make_token_network(cell, n_layers=2, bidirectional=True, V=7, E=2, H=3, seed=0):
    """An initialised float64 network reading token ids through an embedding."""
    net = RNNNetwork(
        cell, E, H, n_layers, bidirectional, N_OUTPUTS, np.float64, vocabulary_size=V
    )
    net.initialize(np.random.RandomState(seed))
    return net


def make_token_batch(lengths, T, V=7, seed=1):
    """Ids with repeats; padded steps hold out-of-range ids (never to be read)."""
    rng = np.random.RandomState(seed)
    lengths = np.asarray(lengths, dtype=np.int64)
    ids = rng.randint(1, V, size=(lengths.shape[0], T)).astype(np.int64)
    ids[np.arange(T)[None, :] >= lengths[:, None]] = 10**6
    targets = rng.randint(0, N_OUTPUTS, size=lengths.shape[0]).astype(np.int64)
    weights = rng.uniform(0.5, 1.5, size=lengths.shape[0])
    return ids, lengths, targets, weights / weights.sum()
