"""Recurrent neural networks as scikit-learn estimators."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from skrnn._version import __version__

__all__ = ["__version__"]
