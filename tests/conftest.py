"""Fixtures shared by the test modules."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import os

import numpy as np
import pytest
from hypothesis import settings


@pytest.fixture
def floating_point_errors_raise():
    """Make numpy's invalid, overflow and divide-by-zero errors raise.

    The network, training and kernel tests use it (their ``pytestmark``,
    ``tests/kernels/conftest.py``): an inf or NaN that numpy code makes, for
    instance from a buffer read before it is written, fails the test instead
    of passing as a warning or unnoticed. Underflow stays ignored (numpy's
    default): a result rounding to 0, like ``exp(-1e4)`` in the plain-numpy
    reference, is finite and intended. Numba kernels do not follow
    ``np.errstate``.
    """
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        yield


# Hypothesis profiles for tests/test_fuzz.py: "ci" (the default, fixed
# seed) keeps the suite's time budget; "thorough" (random seeds), selected
# with SKRNN_HYPOTHESIS_PROFILE=thorough (see the README), runs 1,000
# examples per test (2,000 for fit, 10,000 for the Tokenizer), >= 10,000
# per estimator over its tests.
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("SKRNN_HYPOTHESIS_PROFILE", "ci"))
