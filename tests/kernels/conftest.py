"""Every kernel test runs with numpy floating-point errors raising."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import pytest


@pytest.fixture(autouse=True)
def _floating_point_errors_raise(floating_point_errors_raise):
    """See ``floating_point_errors_raise`` in ``tests/conftest.py``."""
