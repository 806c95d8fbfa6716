"""Docstring fragments shared by the estimators (written once, filled in)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import re
import textwrap
from numbers import Real

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
    reads both directions: their final states (RNNClassifier,
    RNNRegressor), or their outputs at every step (RNNSequenceTagger).
    RNNSequenceGenerator refuses it (a next-step model may not read the
    steps it predicts).

embedding_dim : int, default=32
    Width of the trained embedding vector of each token id (text and
    token input only).

embedding_init : array-like, mapping, str, os.PathLike or None, default=None
    The embedding table's start (text and token input only). None draws
    it at random.

    - Token ids (``input_type="tokens"``): an array of shape
      ``(vocabulary_size, embedding_dim)``, row i the vector of id i; its
      row count is ``vocabulary_size_`` (a ``vocabulary_size`` that differs
      is an error naming both, and ids must lie below it).
    - Text: a mapping token -> vector (a dict, or any object with
      ``__contains__`` and ``__getitem__``, such as gensim's
      ``KeyedVectors``), or the path of a word2vec text file (first line
      ``"n_words dim"``) or a GloVe text file (no header). Tokens of the
      vocabulary found there start from their vector (in the compute
      dtype), the others from the random rows a fit without
      ``embedding_init`` draws; ``embedding_coverage_`` is the share of
      the training text's vocabulary found. The vocabulary also takes the
      vectors' own tokens that the tokenizer would produce and keep (not
      those ``min_df`` or ``max_features`` dropped from the training text),
      after the training text's tokens, so that a word never seen in
      training but present in the vectors is read through its vector, not
      as out of vocabulary (a mapping that cannot list its tokens, a
      ``FrozenEstimator`` or a tokenizer other than skrnn's keeps the
      vocabulary as it is).

    A vector length other than ``embedding_dim`` is an error naming both.
    The mapping or file is read once, at the first fit; only the table is
    kept in the fitted model. ``warm_start`` and ``partial_fit`` continue
    from the fitted table and ignore a changed ``embedding_init``.

freeze_embedding : bool, default=False
    Whether to keep the embedding table fixed during training: it gets no
    update and no L2 penalty, with every optimizer, and stays bit-identical.
    Read at every ``fit`` and ``partial_fit``: set after a fit, it freezes
    the table from then on (the optimizer's moments for it are dropped).

dropout : float, default=0.0
    Probability of zeroing a unit between layers and before the head
    during training (inverted dropout; off at predict time).

tokenizer : Tokenizer, FrozenEstimator or None, default=None
    Splits raw text into token ids. It is cloned and fitted on the
    training text as ``tokenizer_``; None uses ``Tokenizer()`` (words) in
    RNNClassifier, RNNRegressor and RNNSequenceTagger, ``Tokenizer(analyzer="char",
    lowercase=False)`` (characters, case kept) in RNNSequenceGenerator and
    RNNSeq2Seq.
    A fitted tokenizer wrapped in
    :class:`~sklearn.frozen.FrozenEstimator` is used as is, never
    refitted: its vocabulary is fixed before the first batch of
    ``partial_fit``, and words first seen later are read as the
    out-of-vocabulary id 1.
    Any transformer with ``fit`` and ``transform`` returning a dense 2-D
    integer array of token ids (0 for padding, 1 to 3 reserved) will do;
    other outputs (a sparse count matrix, floats) raise a ``ValueError``.

input_type : {"auto", "text", "tokens", "numeric"}, default="auto"
    How ``X`` is read.

    - "auto": raw text when ``X`` is a 1-D collection of ``str`` or
      ``bytes`` (or a 2-D array of symbols none of which is a number),
      pre-tokenized text when its elements are lists or tuples of ``str``,
      numeric series otherwise; see Notes for tables that mix numbers
      with strings and for integer arrays.
    - "text": through ``tokenizer`` (raw or pre-tokenized documents, or 2-D
      rows of symbols).
    - "tokens": a 2-D array of integer token ids padded with 0 (or a
      list of id sequences), as :class:`Tokenizer` returns; each id is
      embedded.
    - "numeric": numeric series, never text.

vocabulary_size : int or None, default=None
    Number of token ids the embedding knows, ``vocabulary_size_`` (text
    and token input; ignored for numeric series). None takes it from the
    first fit: the tokenizer's vocabulary plus the reserved ids, or for
    token ids the largest id seen plus 1 (at least 4; more than 1,000,000
    rows is refused, since sparse ids should be remapped). An int fixes
    it before the first batch, so that ``partial_fit`` can stream token
    ids first seen in later batches; ids >= ``vocabulary_size`` raise a
    ``ValueError`` at every call. Words first seen after the first fit
    are read as the out-of-vocabulary id 1; token ids at or above
    ``vocabulary_size_`` are an error naming this parameter.

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
    Maximum number of epochs (passes over the training data). Every
    ``fit`` ends on the weights of its best epoch (lowest training loss,
    or best validation score with ``early_stopping``), not the last.

tol : float, default=1e-4
    Tolerance of an improvement. For a classifier or a text or token model
    (cross-entropy, in nats) it is absolute, as in MLP: an epoch improves
    when its training loss is below ``best_loss_ - tol``, or with
    ``early_stopping`` its validation score above ``best_validation_score_
    + tol``. For squared errors (RNNRegressor, a numeric
    RNNSequenceGenerator, RNNSeq2Seq with numeric targets), whose scale is
    that of the targets, it is relative: below ``best_loss_ * (1 - tol)``,
    above ``best + tol * |best|``.

n_iter_no_change : int, default=10
    A plateau is more than ``n_iter_no_change`` consecutive epochs without
    improvement. Recurrent losses plateau early and spike, so a plateau
    does not stop training at once: the first three go back to the best
    weights and halve the learning rate (the optimizer keeps its moment
    estimates); the fourth stops training.

early_stopping : bool, default=False
    Whether to hold out ``validation_fraction`` of the training data and
    judge the epochs (plateaus, best weights) by its score instead of the
    training loss.

validation_fraction : float, default=0.1
    Fraction of the training data held out when ``early_stopping``.
    RNNSequenceGenerator holds out documents, or the tail of the text when
    there are too few documents (see its Notes).

bptt_steps : int or None, default=None
    Truncated backpropagation through time: the gradient flows back at
    most ``bptt_steps`` steps from the loss; None runs full BPTT. The
    forward pass always reads the whole sequence. Needs
    ``bidirectional=False``; RNNSeq2Seq refuses it (its decoder reads every
    encoder state).

clip_norm : float or None, default=5.0
    Largest global L2 norm of the gradient of a minibatch (larger ones are
    scaled down); None turns clipping off.

alpha : float, default=1e-4
    L2 penalty on the weight matrices, divided by the sum of the sample
    weights of the minibatch (as in ``MLPClassifier``).

warm_start : bool, default=False
    Whether ``fit`` continues from the previous solution (at
    ``learning_rate_init`` again). The parameters that shape the network
    (``cell``, ``hidden_size``, ``n_layers``, ``bidirectional``, and for
    text and tokens ``embedding_dim`` and ``vocabulary_size``) must be
    those it was built with; a change raises a ``ValueError``.

shuffle : bool, default=True
    Whether to shuffle the samples at each epoch.

random_state : int, RandomState instance or None, default=None
    Seeds the weight initialisation, the shuffling, the validation split
    and the dropout masks. An int gives the same model on every fit,
    whatever the number of threads.

verbose : int, default=0
    When positive, print one line per epoch: "Epoch k/max_iter" ("Epoch
    n", the epochs so far, in ``partial_fit``), the training loss, the
    validation score with ``early_stopping``, and the time since the fit
    began; and a line at each plateau."""

_ATTRIBUTES = """\
n_features_in_ : int
    Number of time steps of the 2-D or 3-D array seen at fit (the padded
    width for token ids; not set after a fit on raw text or on a list of
    variable-length sequences).

feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Column names of a DataFrame seen at fit.

n_channels_in_ : int
    Number of channels (features per time step) seen at fit (numeric
    input only).

tokenizer_ : Tokenizer
    The fitted clone of ``tokenizer`` (text input only).

vocabulary_size_ : int
    Number of token ids the embedding knows (text and token input):
    ``vocabulary_size`` if set, else the tokenizer's vocabulary plus the 4
    reserved ids, or for ``input_type="tokens"`` the largest id seen at
    fit plus 1, at least 4 (the rows of an ``embedding_init`` array).

embedding_coverage_ : float
    Share of the training text's vocabulary that ``embedding_init``'s
    vectors cover (only after a fit with a mapping or a vector file).

loss_curve_ : list of float
    Training loss of each epoch.

best_loss_ : float or None
    Smallest training loss of the last ``fit`` and the ``partial_fit``
    calls after it (a ``fit`` keeps the weights of its best epoch: those
    at the end of the epoch of lowest running mean loss); None with
    ``early_stopping``, as in MLP.

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
Numba on first use and cached on disk.

No silent misreads, with ``input_type="auto"``: a 2-D table that mixes
numbers with strings or missing values (a CSV cell "?", a ``None``, a text
column beside numeric columns) raises a ``ValueError`` in scikit-learn's
wording ("could not convert string to float: '?'") naming the cell and
``input_type``. Strings that hold numbers ("2.0") count as numbers beside
numbers or when they are most of the cells; a table of other strings is
rows of symbols; numbers mixed with other objects are read as symbols with
a ``UserWarning``. A 2-D array of integers is read as numeric series with a
``UserWarning`` at fit: token ids, such as a :class:`Tokenizer`'s output in
a pipeline, need ``input_type="tokens"``; ``input_type="numeric"`` silences
it. A Tokenizer's ids joined with other columns (a ``ColumnTransformer``
with a scaler beside it) are floats that cannot be told from series: give
the estimator the token ids alone. ``bytes``
documents are decoded as UTF-8. A 2-D or 3-D array must have the number of
time steps seen at fit; a list of arrays predicts on any length.

Pre-tokenized text, a list whose documents are lists (or tuples) of
``str``, is read like raw text by ``tokenizer`` except that each inner
string is one token, never split (``analyzer`` and ``token_pattern`` do
not apply; ``lowercase`` does); one such document is passed as
``[tokens]``, since a flat list of ``str`` is raw documents. Both kinds are
text: a model fitted on one predicts on the other. A token that is not a
``str``, or raw documents mixed with token lists, is a ``TypeError``
naming the document. RNNSequenceGenerator on pre-tokenized text is a
word model: generated tokens are joined with single spaces.

An epoch either completes or is undone. A ``KeyboardInterrupt`` (Ctrl-C)
during ``fit`` ends it at the last completed epoch with a ``UserWarning``,
as in ``MLPClassifier``; when no epoch of the call completed (always in
``partial_fit``) it propagates, the weights unchanged. An error during an
epoch (non-finite weights: a ``ValueError``; a callback that raises)
propagates after undoing it: the estimator never keeps non-finite
weights."""

_NOTES = (
    _COMMON_NOTES
    + """

Documents without known tokens, at fit, ``partial_fit`` and predict alike:
a document whose tokens are all out of the vocabulary is read as those
out-of-vocabulary tokens (id 1), and a document with no token at all
(empty, or nothing the tokenizer keeps, such as punctuation only) as one
out-of-vocabulary token; so is a row of token ids that is all padding.
Neither is an error; a numeric sequence of length 0 is.

The loss of a minibatch is ``sum(w_i l_i) / sum(w_i)``, so a sample weight
of 2 is the same as repeating the sample; negative sample weights are
refused."""
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


def _numeric_defaults(text, cls):
    """``text`` with each numeric ``default=`` set to ``cls``'s own default.

    The shared fragments give the defaults most estimators have; an
    estimator with another (RNNSeq2Seq's ``learning_rate_init``) gets its
    own in its docstring.
    """
    signature = inspect.signature(cls.__init__).parameters
    defaults = {name: p.default for name, p in signature.items()}

    def own(match):
        name, types, shown = match.groups()
        value = defaults.get(name)
        if isinstance(value, Real) and not isinstance(value, bool):
            if float(shown) != value:
                return f"{name} : {types}default={value!r}"
        return match.group(0)

    pattern = r"^(\w+) : ((?:.*, )?)default=([-+0-9.e]+)$"
    return re.sub(pattern, own, text, flags=re.MULTILINE)


def fill_doc(cls):
    """Fill the shared fragments into the class docstring of ``cls``."""
    cls.__doc__ = cls.__doc__ % {
        "parameters": _indent(_numeric_defaults(_PARAMETERS, cls)),
        "attributes": _indent(_ATTRIBUTES),
        "notes": _indent(_NOTES),
        "common_notes": _indent(_COMMON_NOTES),
        "references": _indent(_REFERENCES),
    }
    return cls
