"""Public utilities: gradient checking and estimator discovery."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from skrnn.utils._gradcheck import check_gradients

__all__ = ["check_gradients"]
