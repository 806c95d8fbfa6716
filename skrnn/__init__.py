"""Recurrent neural networks as scikit-learn estimators."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from skrnn._classifier import RNNClassifier
from skrnn._generator import RNNSequenceGenerator
from skrnn._regressor import RNNRegressor
from skrnn._seq2seq import RNNSeq2Seq
from skrnn._tagger import RNNSequenceTagger
from skrnn._tokenizer import Tokenizer
from skrnn._version import __version__

__all__ = [
    "RNNClassifier",
    "RNNRegressor",
    "RNNSeq2Seq",
    "RNNSequenceGenerator",
    "RNNSequenceTagger",
    "Tokenizer",
    "__version__",
]
