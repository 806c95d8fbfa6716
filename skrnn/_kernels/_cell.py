"""The description of a recurrent cell, read by the network and the registry.

Each cell module (``_vanilla``, ``_lstm``, ``_gru``) defines its description,
``CELL``, next to its kernels; ``skrnn._kernels.CELLS`` maps the cell names
to them. Everything that differs between cells outside the kernels' maths is
a field here, so adding a cell means writing its module and registering it.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CellKernels:
    """A recurrent cell: its three kernels and the arrays they use.

    The kernels of every cell share one signature (see ``_vanilla.py``); the
    flags below say which of its optional slots a cell uses. A slot it does
    not use receives an empty array (``b_h``, ``cs``) or zeros it ignores
    (``c0``, the step's ``c``).

    Attributes
    ----------
    name : str
        The cell's name, the estimators' ``cell`` parameter.
    code : int
        The integer the generation loops in ``_generate.py`` dispatch on to
        call ``step`` (Numba kernels never receive functions).
    n_gates : int
        Gate blocks of ``H`` columns in ``W_x``, ``W_h`` and ``b``: a layer
        has ``G = n_gates * H`` gate columns.
    forward : numba dispatcher
        Forward pass over a padded batch.
    backward : numba dispatcher
        Backpropagation through time over what ``forward`` stored.
    step : numba dispatcher
        One step in place, the arithmetic of one column of ``forward``.
    recurrent_bias : bool
        Whether the cell has a bias ``b_h`` of ``H`` values of its own on the
        recurrent side (the GRU's candidate); otherwise ``b_h`` is empty.
    stores_cs : bool
        Whether ``forward`` writes a second per-step array ``cs`` of shape
        (B, T, H) for ``backward`` (the LSTM's cell state, the GRU's
        recurrent candidate term); otherwise ``cs`` is empty.
    carries_c : bool
        Whether a second state ``c`` passes from step to step (the LSTM's
        cell state): ``c0`` is read, and the ``c`` after a sequence's last
        step is what continues it (truncated windows, generation).
    unit_bias_gates : tuple of int
        Gate blocks whose bias ``b`` starts at 1 instead of 0 (the LSTM's
        forget gate, so that memory is kept early in training).
    """

    name: str
    code: int
    n_gates: int
    forward: Any
    backward: Any
    step: Any
    recurrent_bias: bool
    stores_cs: bool
    carries_c: bool
    unit_bias_gates: tuple
