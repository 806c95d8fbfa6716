"""Bundled data sets and generators of synthetic sequence tasks."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from skrnn.datasets._base import load_conllu, load_sentiment, load_shakespeare
from skrnn.datasets._samples_generator import (
    make_date_pairs,
    make_regime_signals,
    make_sequence_classification,
    make_sine_waves,
)

__all__ = [
    "load_conllu",
    "load_sentiment",
    "load_shakespeare",
    "make_date_pairs",
    "make_regime_signals",
    "make_sequence_classification",
    "make_sine_waves",
]
