"""Seeded generators of synthetic sequence tasks (pure numpy)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_timesteps": [Interval(Integral, 2, None, closed="left")],
        "n_channels": [Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 2, None, closed="left")],
        "motif_length": [Interval(Integral, 1, None, closed="left")],
        "position": [StrOptions({"start", "random"})],
        "noise": [Interval(Real, 0, None, closed="left")],
        "min_length": [None, Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_sequence_classification(
    n_samples=500,
    n_timesteps=30,
    *,
    n_channels=1,
    n_classes=2,
    motif_length=3,
    position="random",
    noise=1.0,
    min_length=None,
    random_state=None,
):
    """Generate sequences whose class is a motif hidden in noise.

    Each class owns a distinct random motif of ``motif_length`` steps (values
    +2 or -2 in every channel). A sequence is Gaussian noise of
    standard deviation ``noise`` with its class's motif added at the start
    (``position="start"``: the network must remember it to the end) or at a
    random place (``position="random"``: it must detect it anywhere).

    Parameters
    ----------
    n_samples : int, default=500
        Number of sequences.
    n_timesteps : int, default=30
        Length of the sequences (the longest, with ``min_length``).
    n_channels : int, default=1
        Channels per time step; 1 gives a 2-D array of univariate series.
    n_classes : int, default=2
        Number of classes (motifs).
    motif_length : int, default=3
        Steps of each motif; at most ``n_timesteps`` (and ``min_length``).
    position : {"random", "start"}, default="random"
        Where the motif sits.

        - "random": anywhere in the sequence.
        - "start": on the first steps (a memory task).

    noise : float, default=1.0
        Standard deviation of the Gaussian noise.
    min_length : int or None, default=None
        When set, lengths are drawn uniformly in ``[min_length,
        n_timesteps]`` and ``X`` is a list of arrays.
    random_state : int, RandomState instance or None, default=None
        Seed of every random draw.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps) or \
            (n_samples, n_timesteps, n_channels), or list of ndarray
        The sequences (a list of arrays of shape ``(T_i,)`` or
        ``(T_i, n_channels)`` when ``min_length`` is set).
    y : ndarray of shape (n_samples,)
        The class of each sequence, in ``[0, n_classes)``.

    Examples
    --------
    >>> from skrnn.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(n_samples=4, n_timesteps=10,
    ...                                     random_state=0)
    >>> X.shape, y.shape
    ((4, 10), (4,))
    """
    shortest = n_timesteps if min_length is None else min_length
    if min_length is not None and min_length > n_timesteps:
        raise ValueError(
            f"min_length={min_length} must not exceed n_timesteps={n_timesteps}."
        )
    if motif_length > shortest:
        raise ValueError(
            f"motif_length={motif_length} must not exceed the shortest sequence "
            f"({shortest} steps)."
        )
    n_signs = motif_length * n_channels
    if n_signs < 63 and n_classes > 2**n_signs:
        raise ValueError(
            f"n_classes={n_classes} needs distinct motifs, but motifs of "
            f"motif_length * n_channels = {n_signs} signs allow only {2**n_signs}."
        )
    rng = check_random_state(random_state)
    motifs = _distinct_sign_patterns(rng, n_classes, n_signs)
    motifs = 2.0 * motifs.reshape(n_classes, motif_length, n_channels)
    y = rng.randint(n_classes, size=n_samples)
    if min_length is None:
        lengths = np.full(n_samples, n_timesteps)
    else:
        lengths = rng.randint(min_length, n_timesteps + 1, size=n_samples)
    X = noise * rng.normal(size=(n_samples, n_timesteps, n_channels))
    for i in range(n_samples):
        start = 0
        if position == "random":
            start = rng.randint(lengths[i] - motif_length + 1)
        X[i, start : start + motif_length] += motifs[y[i]]
    if min_length is not None:
        sequences = [X[i, : lengths[i]] for i in range(n_samples)]
        if n_channels == 1:
            sequences = [s[:, 0].copy() for s in sequences]
        return sequences, y
    if n_channels == 1:
        X = X[:, :, 0]
    return X, y


def _distinct_sign_patterns(rng, n_patterns, n_signs):
    """``n_patterns`` distinct rows of ``n_signs`` random signs (+1 / -1)."""
    patterns = rng.choice([-1.0, 1.0], size=(n_patterns, n_signs))
    # Redraw duplicates until every row is distinct (few redraws: the
    # caller checked that enough patterns exist).
    while len(np.unique(patterns, axis=0)) < n_patterns:
        _, first = np.unique(patterns, axis=0, return_index=True)
        duplicate = np.setdiff1d(np.arange(n_patterns), first)
        patterns[duplicate] = rng.choice([-1.0, 1.0], size=(len(duplicate), n_signs))
    return patterns
