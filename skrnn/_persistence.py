"""The skrnn version recorded in a saved estimator, checked when it is loaded.

scikit-learn records its own version only in the state of its own classes
(``type(self).__module__.startswith("sklearn.")``), so an skrnn estimator
records skrnn's: pickle, joblib and ``skops.io`` all save the state returned
by ``__getstate__`` and restore it through ``__setstate__``.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

from sklearn.exceptions import InconsistentVersionWarning as _SklearnVersionWarning

from skrnn._version import __version__

# The key of the version in a saved state.
VERSION_KEY = "_skrnn_version"


class InconsistentVersionWarning(_SklearnVersionWarning):
    """An estimator is loaded with another skrnn version than it was saved with.

    A subclass of :class:`sklearn.exceptions.InconsistentVersionWarning`, so
    that filters written for scikit-learn's warning apply to skrnn's too.

    Parameters
    ----------
    estimator_name : str
        Estimator name.

    current_skrnn_version : str
        skrnn version loading the estimator.

    original_skrnn_version : str
        skrnn version that saved it (``"unknown"`` if it recorded none).
    """

    def __init__(
        self, *, estimator_name, current_skrnn_version, original_skrnn_version
    ):
        self.estimator_name = estimator_name
        self.current_skrnn_version = current_skrnn_version
        self.original_skrnn_version = original_skrnn_version

    def __str__(self):
        return (
            f"Trying to load estimator {self.estimator_name} saved with skrnn "
            f"{self.original_skrnn_version} when using skrnn "
            f"{self.current_skrnn_version}. Only models saved and loaded with the "
            "same skrnn version are guaranteed to load and predict identically; "
            "refit the model with this version (its get_params() carry over)."
        )


class VersionedStateMixin:
    """Record skrnn's version in the saved state and warn when it differs.

    Put it before ``BaseEstimator`` in the bases.
    """

    def __getstate__(self):
        return {**super().__getstate__(), VERSION_KEY: __version__}

    def __setstate__(self, state):
        state = dict(state)
        saved = state.pop(VERSION_KEY, "unknown")
        if saved != __version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_skrnn_version=__version__,
                    original_skrnn_version=saved,
                ),
                stacklevel=2,
            )
        super().__setstate__(state)
