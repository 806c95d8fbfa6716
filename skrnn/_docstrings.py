"""Docstring fragments shared by the estimators (written once, filled in)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import textwrap

_PARAMETERS = """\
cell : {"rnn", "lstm", "gru"}, default="lstm"
    Recurrent cell.

    - "rnn": vanilla (Elman) cell, ``h_t = tanh(b + x_t W_x + h_{t-1} W_h)``.
    - "lstm": long short-term memory, gates i, f, g, o.
    - "gru": gated recurrent unit, gates r, z, n (PyTorch's form).

hidden_size : int, default=64
    Number of hidden units of each layer and direction.

n_layers : int, default=1
    Number of stacked recurrent layers.

bidirectional : bool, default=False
    Whether each layer also reads the sequence backwards; the head then
    sees both directions' final states.

embedding_dim : int, default=32
    Width of the trained embedding vector of each token id (text and
    token input only).

dropout : float, default=0.0
    Probability of zeroing a unit between layers and before the head
    during training (inverted dropout; off at predict time).

tokenizer : Tokenizer or None, default=None
    Splits raw text into token ids. It is cloned and fitted on the
    training text as ``tokenizer_``; None uses ``Tokenizer()`` (words) in
    RNNClassifier and RNNRegressor, ``Tokenizer(analyzer="char",
    lowercase=False)`` (characters, case kept) in RNNSequenceGenerator.
    Any transformer with ``fit`` and ``transform`` returning padded int
    ids (0 for padding) will do.

input_type : {"auto", "text", "tokens", "numeric"}, default="auto"
    How ``X`` is read.

    - "auto": raw text when ``X`` is a 1-D collection of ``str`` (or a
      2-D array of symbols that are not all numbers), numeric series
      otherwise.
    - "text": through ``tokenizer`` (documents, or 2-D rows of symbols).
    - "tokens": a 2-D array of integer token ids padded with 0 (or a
      list of id sequences), as :class:`Tokenizer` returns; each id is
      embedded.
    - "numeric": numeric series, never text.

optimizer : {"adam", "sgd", "rmsprop"}, default="adam"
    Stochastic optimizer.

    - "adam": Adam, with ``beta_1``, ``beta_2`` and ``epsilon``.
    - "sgd": stochastic gradient descent with ``momentum`` and
      ``nesterovs_momentum``.
    - "rmsprop": RMSprop, with ``rho`` and ``epsilon``.

learning_rate_init : float, default=0.002
    Step size of the optimizer.

momentum : float, default=0.9
    Momentum of "sgd", in [0, 1].

nesterovs_momentum : bool, default=True
    Whether "sgd" uses Nesterov's momentum.

beta_1 : float, default=0.9
    Decay of the first moment estimates of "adam", in [0, 1).

beta_2 : float, default=0.999
    Decay of the second moment estimates of "adam", in [0, 1).

epsilon : float, default=1e-8
    Numerical stability term of "adam" and "rmsprop".

rho : float, default=0.9
    Decay of the mean square of "rmsprop", in [0, 1).

batch_size : int or "auto", default="auto"
    Sequences per minibatch; "auto" is ``min(32, n_samples)``.

max_iter : int, default=200
    Maximum number of epochs (passes over the training data).

tol : float, default=1e-4
    Training stops when the loss (or the validation score, with
    ``early_stopping``) has not improved by at least ``tol`` for
    ``n_iter_no_change`` consecutive epochs.

n_iter_no_change : int, default=10
    Epochs without improvement tolerated before training stops.

early_stopping : bool, default=False
    Whether to hold out ``validation_fraction`` of the training data,
    stop when its score stops improving and restore the best weights.

validation_fraction : float, default=0.1
    Fraction of the training data held out when ``early_stopping``.
    RNNSequenceGenerator holds out documents, or the tail of the text when
    there are too few documents (see its Notes).

bptt_steps : int or None, default=None
    Truncated backpropagation through time: the gradient flows back at
    most ``bptt_steps`` steps from the loss; None runs full BPTT. The
    forward pass always reads the whole sequence. Needs
    ``bidirectional=False``.

clip_norm : float or None, default=5.0
    Largest global L2 norm of the gradient of a minibatch (larger ones are
    scaled down); None turns clipping off.

alpha : float, default=1e-4
    L2 penalty on the weight matrices, divided by the sum of the sample
    weights of the minibatch (as in ``MLPClassifier``).

warm_start : bool, default=False
    Whether ``fit`` continues from the previous solution.

shuffle : bool, default=True
    Whether to shuffle the samples at each epoch.

random_state : int, RandomState instance or None, default=None
    Seeds the weight initialisation, the shuffling, the validation split
    and the dropout masks. An int gives the same model on every fit,
    whatever the number of threads.

verbose : int, default=0
    Print one line per epoch (loss, validation score, elapsed time) when
    positive."""

_ATTRIBUTES = """\
n_features_in_ : int
    Number of time steps of the 2-D or 3-D array seen at fit (the padded
    width for token ids; not set after a fit on raw text or on a list of
    variable-length sequences).

feature_names_in_ : ndarray of shape (n_features_in_,)
    Column names of a DataFrame seen at fit.

n_channels_in_ : int
    Number of channels (features per time step) seen at fit (numeric
    input only).

tokenizer_ : Tokenizer
    The fitted clone of ``tokenizer`` (text input only).

vocabulary_size_ : int
    Number of token ids the embedding knows (text and token input):
    the tokenizer's vocabulary plus the 4 reserved ids, or for
    ``input_type="tokens"`` the largest id seen at fit plus 1, at least 4.

loss_curve_ : list of float
    Training loss of each epoch.

best_loss_ : float
    Smallest training loss reached.

validation_scores_ : list of float
    Score on the held-out data after each epoch (only with
    ``early_stopping``).

best_validation_score_ : float
    Best held-out score (only with ``early_stopping``).

n_iter_ : int
    Number of epochs run.

t_ : int
    Number of training samples seen by the optimizer."""

_COMMON_NOTES = """\
Sequences are processed in float32 when ``X`` is float32 or text or token
ids, and in float64 otherwise. Padding never enters the computation: a
sequence's prediction does not depend on the other sequences of its batch
(id 0 is padding wherever it stands). New documents are read whole, also
when longer than every training document (unless the tokenizer's
``max_length`` is set, which truncates them). The kernels are compiled by
Numba on first use and cached on disk."""

_NOTES = (
    _COMMON_NOTES
    + """

At predict time a document with no token (empty, or nothing the tokenizer
keeps) is read as one out-of-vocabulary token, and a document of unknown
words as that many out-of-vocabulary tokens; at fit both are errors. The
loss of a minibatch is ``sum(w_i l_i) / sum(w_i)``, so a sample weight of 2
is the same as repeating the sample."""
)

_REFERENCES = """\
.. [1] Hochreiter, S. and Schmidhuber, J. (1997). Long short-term memory.
   Neural Computation 9(8).
.. [2] Cho, K. et al. (2014). Learning phrase representations using RNN
   encoder-decoder for statistical machine translation. EMNLP.
.. [3] Williams, R. J. and Peng, J. (1990). An efficient gradient-based
   algorithm for on-line training of recurrent network trajectories.
   Neural Computation 2(4)."""


def _indent(text):
    return textwrap.indent(text, "    ").lstrip()


def fill_doc(cls):
    """Fill the shared fragments into the class docstring of ``cls``."""
    cls.__doc__ = cls.__doc__ % {
        "parameters": _indent(_PARAMETERS),
        "attributes": _indent(_ATTRIBUTES),
        "notes": _indent(_NOTES),
        "common_notes": _indent(_COMMON_NOTES),
        "references": _indent(_REFERENCES),
    }
    return cls
