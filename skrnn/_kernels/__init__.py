"""Numba kernels: pure functions over C-contiguous arrays (private).

``CELLS`` maps a cell name to its description, a
:class:`~skrnn._kernels._cell.CellKernels`: its kernels, gate count and the
optional arrays it uses. It is the only registry of cells.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from skrnn._kernels import _gru, _lstm, _vanilla

CELLS = {cell.name: cell for cell in (_vanilla.CELL, _lstm.CELL, _gru.CELL)}
