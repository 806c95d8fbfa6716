"""Input adapters: recognise and validate sequence input.

The only module that knows which input kinds exist. Every kind is turned into
a fresh, writable, C-contiguous padded array ``values`` of shape
``(n_samples, n_timesteps, n_channels)`` in the compute dtype, plus int64
``lengths``, before anything reaches a kernel.

Kinds (see API.md, "What X may be"):

* 2-D numeric ``(n_samples, n_timesteps)``: univariate series;
* 3-D numeric ``(n_samples, n_timesteps, n_channels)``: multivariate series;
* a list or tuple of arrays ``(T_i,)`` / ``(T_i, n_channels)``, or of lists of
  numbers of unequal lengths: variable-length (ragged) series.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils.validation import check_array, validate_data


def _is_ragged(X):
    """Whether ``X`` is a list/tuple (or 1-D object array) of sequences."""
    if isinstance(X, np.ndarray):
        return (
            X.ndim == 1
            and X.dtype == object
            and len(X) > 0
            and all(isinstance(s, (np.ndarray, list, tuple)) for s in X)
        )
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    if any(isinstance(s, np.ndarray) for s in X):
        return True
    # Lists of numbers: ragged only when the lengths differ (a rectangular
    # list of lists is a 2-D array, as check_array reads it).
    if all(isinstance(s, (list, tuple)) for s in X):
        return len({len(s) for s in X}) > 1
    return False


def _ragged_to_padded(X):
    """Validate a ragged list and pad it into one array."""
    sequences = []
    for k, s in enumerate(X):
        if isinstance(s, str):
            raise ValueError(
                f"Sequence {k} is a string; a list of sequences must hold arrays or "
                "lists of numbers."
            )
        # allow_nd so that a sequence of the wrong rank reaches the message
        # below, which names the shapes a sequence may have.
        a = check_array(
            s,
            dtype=[np.float64, np.float32],
            ensure_2d=False,
            allow_nd=True,
            ensure_min_samples=0,
            input_name=f"sequence {k} of X",
        )
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2:
            raise ValueError(
                f"Sequence {k} has {a.ndim} dimensions; each sequence must have shape "
                "(n_timesteps,) or (n_timesteps, n_channels)."
            )
        if a.shape[0] == 0:
            raise ValueError(
                f"Sequence {k} is empty: every sequence needs at least one time step."
            )
        sequences.append(a)
    channels = {a.shape[1] for a in sequences}
    if len(channels) > 1:
        raise ValueError(
            "The sequences of X have different numbers of channels "
            f"{sorted(channels)}; every sequence must have the same number of channels."
        )
    dtype = np.float32 if all(a.dtype == np.float32 for a in sequences) else np.float64
    lengths = np.array([a.shape[0] for a in sequences], dtype=np.int64)
    n_channels = sequences[0].shape[1]
    values = np.zeros((len(sequences), lengths.max(), n_channels), dtype=dtype)
    for k, a in enumerate(sequences):
        values[k, : a.shape[0]] = a
    return values, lengths


def validate_sequences(estimator, X, *, reset, ensure_min_timesteps=1):
    """Validate numeric sequence input and pad it.

    Sets (``reset=True``) or checks ``n_features_in_`` (2-D and 3-D arrays,
    through ``validate_data``) and ``n_channels_in_`` (every kind).

    Parameters
    ----------
    estimator : BaseEstimator
    X : array-like or list of array-like
    reset : bool
    ensure_min_timesteps : int, default=1

    Returns
    -------
    values : ndarray of shape (n_samples, n_timesteps, n_channels)
        Fresh, C-contiguous, float32 or float64.
    lengths : ndarray of shape (n_samples,), int64
    """
    if isinstance(X, str):
        raise ValueError(
            "Expected a collection of sequences, got a single string instead."
        )
    if _is_ragged(X):
        if reset:
            for attribute in ("n_features_in_", "feature_names_in_"):
                if hasattr(estimator, attribute):
                    delattr(estimator, attribute)
        values, lengths = _ragged_to_padded(X)
        if lengths.min() < ensure_min_timesteps:
            raise ValueError(
                f"Found a sequence of {lengths.min()} time step(s) while a minimum of "
                f"{ensure_min_timesteps} is required."
            )
    else:
        values = validate_data(
            estimator,
            X,
            reset=reset,
            dtype=[np.float64, np.float32],
            allow_nd=True,
            ensure_min_features=ensure_min_timesteps,
        )
        if values.ndim == 2:
            values = values[:, :, None]
        elif values.ndim != 3:
            raise ValueError(
                f"Expected a 2-D (n_samples, n_timesteps) or 3-D (n_samples, "
                f"n_timesteps, n_channels) array, got {values.ndim} dimensions."
            )
        if values.shape[2] == 0:
            raise ValueError(
                "Found array with 0 channel(s) while a minimum of 1 is required."
            )
        lengths = np.full(values.shape[0], values.shape[1], dtype=np.int64)
    n_channels = values.shape[2]
    if reset:
        estimator.n_channels_in_ = n_channels
    elif n_channels != estimator.n_channels_in_:
        raise ValueError(
            f"X has {n_channels} channels, but {type(estimator).__name__} is "
            f"expecting {estimator.n_channels_in_} channels as input."
        )
    # A fresh, writable, C-contiguous buffer: kernels compile once per dtype.
    return np.array(values, order="C", copy=True), lengths
