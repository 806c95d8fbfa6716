"""Discovery of the public estimators (for the common tests and the docs)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect

from sklearn.base import BaseEstimator


def all_estimators():
    """List every public estimator class of skrnn.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs, sorted by name.
    """
    import skrnn  # imported here: skrnn imports this package at load time

    found = []
    for name in skrnn.__all__:
        obj = getattr(skrnn, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            found.append((name, obj))
    return sorted(found)
