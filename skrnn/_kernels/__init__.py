"""Numba kernels: pure functions over C-contiguous arrays (private).

``CELL_KERNELS`` maps a cell name to ``(forward, backward, step, n_gates)``;
``CELL_CODES`` maps it to the integer the generation loops dispatch on.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from skrnn._kernels import _gru, _lstm, _vanilla

CELL_KERNELS = {
    "rnn": (
        _vanilla.vanilla_forward,
        _vanilla.vanilla_backward,
        _vanilla.vanilla_step,
        _vanilla.N_GATES,
    ),
    "lstm": (_lstm.lstm_forward, _lstm.lstm_backward, _lstm.lstm_step, _lstm.N_GATES),
    "gru": (_gru.gru_forward, _gru.gru_backward, _gru.gru_step, _gru.N_GATES),
}

CELL_CODES = {"rnn": 0, "lstm": 1, "gru": 2}
