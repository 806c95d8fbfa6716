"""Public utilities: gradient checking, per-step scorers, estimator discovery."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from skrnn.utils._gradcheck import check_gradients
from skrnn.utils._scoring import make_step_scorer

__all__ = ["check_gradients", "make_step_scorer"]
