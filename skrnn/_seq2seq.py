"""RNNSeq2Seq: an encoder-decoder with attention (a sequence in, another out)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import re
import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
)

from skrnn._base import BaseRNN, predict_batches
from skrnn._docstrings import fill_doc
from skrnn._encoder_decoder import EncoderDecoderNetwork
from skrnn._input import read_input
from skrnn._network import MASKED_LOGIT, log_probabilities
from skrnn._sequences import (
    BEGIN_ID,
    END_ID,
    OOV_ID,
    PAD_ID,
    UNK_MARKER,
    pretokenized_documents,
)
from skrnn._tokenizer import Tokenizer
from skrnn._training import TrainingData

# Most (pair, target step) cells per scoring batch.
_SCORE_CELLS = 1 << 16


class _TargetReader(BaseEstimator):
    """The target side of the pairs, read as :func:`read_input` reads X.

    It holds what ``read_input`` sets for an estimator's input (the kind,
    ``tokenizer_``, ``vocabulary_size_``, ``n_channels_in_``) for the
    targets, with their own ``target_type`` and ``target_tokenizer``.
    """

    # What read_input reads besides the two parameters: targets have no
    # pretrained vectors and take their vocabulary size from the data.
    vocabulary_size = None
    embedding_init = None
    embedding_dim = 1

    def __init__(self, input_type="auto", tokenizer=None):
        self.input_type = input_type
        self.tokenizer = tokenizer

    def read(self, y, *, reset):
        """``(values, lengths)`` of the targets ``y`` (see :func:`read_input`).

        An empty target keeps its length 0 (the end marker alone closes
        it). Errors and warnings name ``y``, ``target_type`` and
        RNNSeq2Seq, where the shared input code says ``X``, ``input_type``
        and this class.
        """
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                values, lengths = read_input(
                    self,
                    y,
                    reset=reset,
                    default_tokenizer=Tokenizer(analyzer="char", lowercase=False),
                    whole_documents="always",  # a target cut short is wrong
                    empty_as_oov=False,
                )
            except (ValueError, TypeError) as error:
                raise type(error)(_about_targets(str(error))) from error
        for warning in caught:
            warnings.warn_explicit(
                _about_targets(str(warning.message)), warning.category,
                warning.filename, warning.lineno,
            )  # fmt: skip
        if reset and self._input_kind == "text":
            vocabulary = getattr(self.tokenizer_, "vocabulary_", None)
            if not isinstance(vocabulary, dict):
                raise ValueError(
                    f"target_tokenizer {type(self.tokenizer_).__name__} has no "
                    "vocabulary_ (a dict token -> id), which predict needs to "
                    "write the tokens it decodes: use skrnn.Tokenizer (or a "
                    "FrozenEstimator of one)."
                )
        if self._input_kind == "tokens" and np.isin(values, (BEGIN_ID, END_ID)).any():
            raise ValueError(
                f"Target token ids {BEGIN_ID} and {END_ID} are the begin and end "
                "markers, which RNNSeq2Seq adds around each target: y must not "
                "hold them (ids of tokens start at 4; 1 is the out-of-vocabulary "
                "id, 0 the padding)."
            )
        return values, lengths


def _about_targets(message):
    """A message of the shared input code, about ``y`` instead of ``X``."""
    message = message.replace(_TargetReader.__name__, "RNNSeq2Seq")
    message = message.replace("input_type=", "target_type=")
    return re.sub(r"\bX\b", "y", message)


def _as_target_collection(y):
    """``(y, ndim)``: ``y`` with a 1-D numeric array made a column (one step
    per sample), and the number of dimensions of a numeric array (else 0)."""
    if isinstance(y, (list, tuple)):
        if y and all(isinstance(v, Real) for v in y):
            y = np.asarray(y, dtype=np.float64)  # one number per sample
        elif _is_table_of_numbers(y):
            y = np.asarray(y, dtype=np.float64)  # rows of one horizon
        else:
            return y, 0  # text, token lists, or series of their own lengths
    elif not hasattr(y, "__array__"):
        return y, 0
    array = np.asarray(y)
    if array.dtype == object and all(isinstance(v, Real) for v in array.flat):
        array = array.astype(np.float64)  # numbers in an object array
    if array.dtype.kind not in "biuf":
        return y, 0
    if array.ndim == 1:
        return array.reshape(-1, 1), 1
    return array, array.ndim


def _is_table_of_numbers(y):
    """Whether ``y`` is a rectangular list of lists (not arrays) of numbers:
    a 2-D array written as lists, as ``check_array`` reads one."""
    rows = list(y)
    if not rows or not all(isinstance(r, (list, tuple)) for r in rows):
        return False
    width = len(rows[0])
    return all(len(r) == width and all(isinstance(v, Real) for v in r) for r in rows)


def _as_decoder_input(values, dtype):
    """Numeric decoder inputs in the compute dtype (ids stay int64)."""
    if values.dtype.kind == "f":
        return np.ascontiguousarray(values, dtype=dtype)
    return np.ascontiguousarray(values)


def _pad_ids(sequences):
    """Id arrays as a 2-D int64 array padded with 0 (at least one column)."""
    width = max([1, *map(len, sequences)])
    out = np.zeros((len(sequences), width), dtype=np.int64)
    for i, ids in enumerate(sequences):
        out[i, : len(ids)] = ids
    return out


def _pair_arrays(values, lengths, numeric, stop=False):
    """``(decoder_inputs, targets, target_lengths)`` of validated targets.

    Text and tokens: the decoder reads the begin marker then the tokens,
    and predicts the tokens then the end marker. Numeric: it reads zeros
    with a begin flag (an extra last channel) then the values but the last,
    and predicts the values; with ``stop`` (targets of different lengths)
    also a last target channel, 1 at each sequence's last step (where it
    stops), else 0.
    """
    n = values.shape[0]
    if numeric:
        T, C = values.shape[1], values.shape[2]
        decoder_inputs = np.zeros((n, T, C + 1), dtype=values.dtype)
        decoder_inputs[:, 0, C] = 1
        decoder_inputs[:, 1:, :C] = values[:, :-1]
        if not stop:
            return decoder_inputs, values, lengths
        targets = np.zeros((n, T, C + 1), dtype=values.dtype)
        targets[:, :, :C] = values
        targets[np.arange(n), lengths - 1, C] = 1
        return decoder_inputs, targets, lengths
    T = int(lengths.max()) + 1
    steps = np.arange(T)[None, :]
    targets = np.zeros((n, T), dtype=np.int64)
    width = min(values.shape[1], T - 1)
    targets[:, :width] = values[:, :width]
    targets[steps == lengths[:, None]] = END_ID
    decoder_inputs = np.zeros((n, T), dtype=np.int64)
    decoder_inputs[:, 0] = BEGIN_ID
    decoder_inputs[:, 1:] = targets[:, :-1]
    decoder_inputs[steps > lengths[:, None]] = PAD_ID
    return decoder_inputs, targets, lengths + 1


@fill_doc
class RNNSeq2Seq(BaseRNN):
    """Recurrent encoder-decoder: a sequence in, another sequence out.

    An encoder (a stack of recurrent layers, optionally bidirectional)
    reads each source sequence; a decoder of the same cell, started from
    the encoder's final states, writes the target one token (or value) at
    a time, each output fed back as its next input. With ``attention``,
    each decoder state also looks back at every encoder state of its
    source (global attention, Luong et al. 2015, with a dot or an
    additive score) and the output layer reads both. Trained on the mean
    loss over every target step with the true previous token as the
    decoder's input (teacher forcing): cross-entropy for text and token
    targets, squared error for numeric ones. Uses: normalisation and
    transliteration of strings, spelling correction, grapheme to phoneme,
    multi-step forecasting.

    Parameters
    ----------
    %(parameters)s

    attention : {"additive", "dot"} or None, default="additive"
        How each decoder step weighs the source steps: "additive"
        (Bahdanau et al.'s score ``v . tanh(q W_q + m W_k + b_k)``), "dot"
        (Luong et al.'s ``q . m``), or None (the decoder reads the
        encoder's final states only). The weights are a softmax over each
        source's real steps; the output layer reads ``tanh(b_c + [context,
        q] W_c)``.

    target_tokenizer : Tokenizer, FrozenEstimator or None, default=None
        Splits raw text targets into token ids, fitted as
        ``target_tokenizer_``; None uses ``Tokenizer(analyzer="char",
        lowercase=False)`` (characters, case kept). Targets are read whole
        (its ``max_length`` does not cut them).

    target_type : {"auto", "text", "tokens", "numeric"}, default="auto"
        How ``y`` is read, as ``input_type`` for ``X``: "auto" reads
        strings (and lists of string tokens) as text and anything else as
        numbers; "tokens" reads a 2-D int array of target ids padded with
        0.

    decoding : {"greedy", "beam"}, default="greedy"
        How :meth:`predict` writes text and token targets: the most likely
        token at each step, or beam search.

    beam_width : int, default=4
        Hypotheses kept per source by beam search. Finished hypotheses are
        ranked by their log-likelihood per token (the end marker counted):
        length normalisation. ``beam_width=1`` is greedy decoding.

    max_output_length : int or None, default=None
        Most tokens (or steps of series of different lengths)
        :meth:`predict` writes per output, the end marker not counted;
        None is twice the longest training target. Numeric targets of a
        fixed horizon always have that horizon.

    Attributes
    ----------
    target_tokenizer_ : Tokenizer or estimator
        Fitted clone of ``target_tokenizer`` (text targets only).
    target_vocabulary_size_ : int
        Rows of the target embedding and outputs of the decoder (text and
        token targets).
    %(attributes)s

    See Also
    --------
    RNNSequenceTagger : One label per source step (sequences of the same
        length).
    RNNSequenceGenerator : Continue a sequence from its own past.

    Notes
    -----
    ``y`` holds one target per sample, of any length: raw text (a list of
    strings, tokenized by ``target_tokenizer``), pre-tokenized text (a
    list of token lists; :meth:`predict` then returns token lists), token
    ids (``target_type="tokens"``: a 2-D int array padded with 0), or
    numbers: a 1-D ``y`` is one step per sample, a 2-D ``y`` ``(n_samples,
    horizon)`` a univariate forecast of a fixed horizon, a 3-D ``y``
    ``(n_samples, horizon, n_channels)`` a multivariate one, and a list of
    arrays of shape ``(T_i,)`` or ``(T_i, n_channels)`` series of their own
    lengths. Targets are bounded by begin and end markers: the decoder
    reads the begin marker first and learns to write the end marker after
    the last token, which is how a text output stops. A numeric decoder
    reads the previous value (zeros and a begin flag at the first step)
    and writes the fitted horizon; for series of different lengths it also
    learns a stop output (a logistic unit trained to say "the series ends
    here" at each target's last step, its loss added to the squared error)
    and a prediction ends after the first step where the stop probability
    exceeds 1/2.

    The loss of a minibatch is ``sum(w_it l_it) / sum(w_it)`` over its
    target steps, ``w_it`` the sample weight of the pair: a sample weight
    of 2 is the same as repeating the pair. ``bptt_steps`` is not
    supported (the decoder reads the whole source).

    :meth:`transform` returns the encoder's summary of each source: its
    top layer's final state (both directions concatenated), where the
    decoder starts.

    %(common_notes)s

    References
    ----------
    %(references)s

    Examples
    --------
    >>> from skrnn import RNNSeq2Seq
    >>> X = ["abc", "bca", "cab", "acb", "bac", "cba"] * 20
    >>> y = [x[::-1] for x in X]
    >>> model = RNNSeq2Seq(hidden_size=32, random_state=0).fit(X, y)
    >>> model.predict(["abc", "cab"])
    ['cba', 'bac']
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseRNN._parameter_constraints,
        "attention": [StrOptions({"additive", "dot"}), None],
        "target_tokenizer": [None, HasMethods(["fit", "transform"])],
        "target_type": [StrOptions({"auto", "text", "tokens", "numeric"})],
        "decoding": [StrOptions({"greedy", "beam"})],
        "beam_width": [Interval(Integral, 1, None, closed="left")],
        "max_output_length": [None, Interval(Integral, 1, None, closed="left")],
    }

    _NETWORK_PARAMETERS = (*BaseRNN._NETWORK_PARAMETERS, "attention")
    # Sources and targets are read as characters by default (normalisation,
    # transliteration, spelling: the common string tasks), case kept.
    _default_tokenizer_params: ClassVar[dict] = {"analyzer": "char", "lowercase": False}

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=64,
        n_layers=1,
        bidirectional=False,
        embedding_dim=32,
        embedding_init=None,
        freeze_embedding=False,
        dropout=0.0,
        tokenizer=None,
        input_type="auto",
        vocabulary_size=None,
        optimizer="adam",
        learning_rate_init=0.005,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        rho=0.9,
        batch_size="auto",
        max_iter=200,
        tol=1e-4,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        bptt_steps=None,
        clip_norm=5.0,
        alpha=1e-4,
        warm_start=False,
        shuffle=True,
        random_state=None,
        verbose=0,
        attention="additive",
        target_tokenizer=None,
        target_type="auto",
        decoding="greedy",
        beam_width=4,
        max_output_length=None,
    ):
        super().__init__(
            cell=cell,
            hidden_size=hidden_size,
            n_layers=n_layers,
            bidirectional=bidirectional,
            embedding_dim=embedding_dim,
            embedding_init=embedding_init,
            freeze_embedding=freeze_embedding,
            dropout=dropout,
            tokenizer=tokenizer,
            input_type=input_type,
            vocabulary_size=vocabulary_size,
            optimizer=optimizer,
            learning_rate_init=learning_rate_init,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            rho=rho,
            batch_size=batch_size,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            bptt_steps=bptt_steps,
            clip_norm=clip_norm,
            alpha=alpha,
            warm_start=warm_start,
            shuffle=shuffle,
            random_state=random_state,
            verbose=verbose,
        )
        self.attention = attention
        self.target_tokenizer = target_tokenizer
        self.target_type = target_type
        self.decoding = decoding
        self.beam_width = beam_width
        self.max_output_length = max_output_length

    # ---------------------------------------------------------- targets
    @property
    def _loss(self):
        if self._target_kind != "numeric":
            return "softmax"
        return "squared_stop" if self._stops else "squared"

    @property
    def _stops(self):
        """Whether the decoder has a stop output (numeric targets of
        different lengths)."""
        return self._target_kind == "numeric" and self._target_ndim == 0

    @property
    def _target_kind(self):
        return self._target_reader._input_kind

    def _check_parameters(self):
        super()._check_parameters()
        if self.bptt_steps is not None:
            raise ValueError(
                "RNNSeq2Seq does not support bptt_steps (truncated "
                "backpropagation through time): the decoder reads every encoder "
                "state. Set bptt_steps=None."
            )

    def _read_targets(self, y, n_samples, reset):
        """The decoder's inputs, targets and lengths for the targets ``y``.

        Returns ``(decoder_inputs, targets, target_lengths)`` as
        :class:`TrainingData` holds them for pairs.
        """
        if y is None:
            raise ValueError(
                "RNNSeq2Seq requires y to be passed, but the target y is None."
            )
        y, ndim = _as_target_collection(y)
        if reset:
            reader = _TargetReader(self.target_type, self.target_tokenizer)
            reader._pretokenized = isinstance(y, (list, tuple)) and (
                pretokenized_documents(list(y)) is not None
            )
        else:
            reader = self._target_reader
        values, lengths = reader.read(y, reset=reset)
        if values.shape[0] != n_samples:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{n_samples}, {values.shape[0]}]"
            )
        if reset:
            self._target_reader = reader
            self._target_ndim = ndim  # 0: text, tokens or a list of series
        numeric = reader._input_kind == "numeric"
        return _pair_arrays(values, lengths, numeric, stop=self._stops)

    def _training_data(self, X, y, sample_weight, reset):
        """Sources, the decoder's inputs and targets, and step weights."""
        values, lengths = self._validate_input(X, reset=reset)
        decoder_inputs, targets, target_lengths = self._read_targets(
            y, values.shape[0], reset
        )
        step_weight = None
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, lengths, dtype=np.float64, ensure_non_negative=True
            )
            valid = np.arange(targets.shape[1])[None, :] < target_lengths[:, None]
            step_weight = np.where(valid, sample_weight[:, None], 0.0)
        return TrainingData(
            values, lengths, targets, step_weight, decoder_inputs=decoder_inputs,
            target_lengths=target_lengths,
        )  # fmt: skip

    def _prepare_fit(self, data, first_pass):
        """Record the targets' ids and their longest length (decoding)."""
        longest = int(data.target_lengths.max())
        if first_pass or not hasattr(self, "_longest_target"):
            self._longest_target = longest
        else:
            self._longest_target = max(self._longest_target, longest)
        if self._target_kind == "numeric":
            return
        valid = np.arange(data.targets.shape[1])[None, :] < data.target_lengths[:, None]
        seen = np.zeros(self._target_reader.vocabulary_size_, dtype=bool)
        seen[data.targets[valid]] = True
        if first_pass or getattr(self, "_seen_targets", None) is None:
            self._seen_targets = seen
        else:
            self._seen_targets |= seen

    def _cast_training_data(self, data, dtype):
        data = super()._cast_training_data(data, dtype)
        if self._target_kind == "numeric":
            data.decoder_inputs = data.decoder_inputs.astype(dtype, copy=False)
            data.targets = data.targets.astype(dtype, copy=False)
        return data

    def _n_outputs(self):
        reader = self._target_reader
        if reader._input_kind == "numeric":
            return reader.n_channels_in_ + (1 if self._stops else 0)
        return reader.vocabulary_size_

    def _build_network(self, dtype):
        discrete = self._input_kind != "numeric"
        reader = self._target_reader
        target_discrete = reader._input_kind != "numeric"
        return EncoderDecoderNetwork(
            self.cell,
            self.embedding_dim if discrete else self.n_channels_in_,
            self.hidden_size,
            self.n_layers,
            self.bidirectional,
            self.attention,
            # Numeric: the previous values and the begin flag.
            self.embedding_dim if target_discrete else reader.n_channels_in_ + 1,
            self._n_outputs(),
            dtype,
            self.vocabulary_size_ if discrete else None,
            reader.vocabulary_size_ if target_discrete else None,
        )

    def _initialize(self, dtype):
        super()._initialize(dtype)
        reader = self._target_reader
        for name in ("target_tokenizer_", "target_vocabulary_size_"):
            if hasattr(self, name):
                delattr(self, name)
        if reader._input_kind == "text":
            self.target_tokenizer_ = reader.tokenizer_
        if reader._input_kind != "numeric":
            self.target_vocabulary_size_ = reader.vocabulary_size_

    def _output_mask(self):
        """Ids never a target: padding and the begin marker (None if numeric)."""
        if self._target_kind == "numeric":
            return None
        mask = np.zeros(self._target_reader.vocabulary_size_, dtype=bool)
        mask[[PAD_ID, BEGIN_ID]] = True
        return mask

    def _validation_score(self, held_out):
        """Mean log-likelihood per target step (numeric: minus the mean
        squared error per step)."""
        total, _ = self._pair_scores(
            held_out.inputs, held_out.lengths, held_out.decoder_inputs,
            held_out.targets, held_out.target_lengths,
        )  # fmt: skip
        return float(total.sum() / held_out.target_lengths.sum())

    # ------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the encoder-decoder to the pairs ``(X[i], y[i])``.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like of shape \
                (n_samples, n_timesteps) or (n_samples, n_timesteps, \
                n_channels), or list of array-like
            Source sequences of any input kind (see ``input_type``).
        y : list of str, list of list of str, or array-like
            One target per sample (see the Notes): text, pre-tokenized
            text, token ids (``target_type="tokens"``), or numbers of shape
            ``(n_samples,)``, ``(n_samples, horizon)`` or ``(n_samples,
            horizon, n_channels)``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each pair, given to each of its target steps.

        Returns
        -------
        self : RNNSeq2Seq
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch over the pairs ``(X, y)``.

        The first call fixes both vocabularies: tokens first seen later are
        read as the out-of-vocabulary id.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Source sequences, as in :meth:`fit`.
        y : list of str, list of list of str, or array-like
            Targets, as in :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each pair.

        Returns
        -------
        self : RNNSeq2Seq
            The estimator, trained one more epoch.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    # --------------------------------------------------------- predict
    def transform(self, X):
        """Return the encoder's summary of each source sequence.

        The encoder's top layer state after each source's last step (for a
        bidirectional encoder, the forward state then the backward one,
        which has read the source back to its first step): where the
        decoder's top layer starts. Use it as features of another model.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Source sequences of the kind seen at fit.

        Returns
        -------
        X_new : ndarray of shape (n_samples, hidden_size * n_directions)
            In the compute dtype.
        """
        return super().transform(X)

    def _transform_features(self, inputs, lengths):
        """The encoder's top state after each source's last step."""
        encoder = self._network.encoder
        out = np.empty((inputs.shape[0], self._n_features_out), dtype=encoder.dtype)
        for rows, batch, batch_lengths in predict_batches(inputs, lengths):
            out[rows] = encoder.features(batch, batch_lengths)
        return out

    def _max_steps(self):
        """Most output steps (the end marker not counted)."""
        if self.max_output_length is not None:
            return int(self.max_output_length)
        if self._target_kind == "numeric":  # no end marker among the steps
            return 2 * self._longest_target
        return 2 * max(self._longest_target - 1, 1)

    def _forbidden(self):
        """Ids never written: padding, begin, and ids never a target."""
        forbidden = ~self._seen_targets
        forbidden[[PAD_ID, BEGIN_ID]] = True
        return forbidden

    def _decode_ids(self, inputs, lengths, beam):
        """Token ids written for each source: a list of int64 arrays."""
        network = self._network
        max_steps = self._max_steps()
        forbidden = self._forbidden()
        out = [None] * lengths.shape[0]
        index = np.arange(lengths.shape[0])
        for rows, batch, batch_lengths in predict_batches(inputs, lengths):
            tokens, n_tokens = network.decode(
                batch, batch_lengths, max_steps, forbidden, BEGIN_ID, END_ID,
                self.beam_width if beam else 1, beam,
            )  # fmt: skip
            for i, row, n in zip(index[rows].tolist(), tokens, n_tokens.tolist()):
                out[i] = row[:n].copy()
        return out

    def _decode_values(self, inputs, lengths):
        """Numeric outputs: ``(values, n_values)``, values of shape
        (n_samples, n_steps, n_channels), zero past each ``n_values``; a
        fixed horizon, or up to the stop output's end."""
        network = self._network
        stop = self._stops
        n_steps = self._max_steps() if stop else self._longest_target
        C = network.n_outputs - (1 if stop else 0)
        n = lengths.shape[0]
        values = np.empty((n, n_steps, C), dtype=network.dtype)
        n_values = np.empty(n, dtype=np.int64)
        for rows, batch, batch_lengths in predict_batches(inputs, lengths):
            values[rows], n_values[rows] = network.decode_series(
                batch, batch_lengths, n_steps, stop
            )
        return values, n_values

    def _token_strings(self, ids):
        """The target tokens of ``ids``; "<unk>" for the out-of-vocabulary id."""
        vocabulary = getattr(self._target_reader.tokenizer_, "vocabulary_", {})
        names = {i: str(token) for token, i in vocabulary.items()}
        names[OOV_ID] = UNK_MARKER
        return [names.get(i, UNK_MARKER) for i in ids.tolist()]

    def _outputs(self, decoded):
        """Decoded ids or values in the form of the fitted targets."""
        kind = self._target_kind
        if kind == "numeric":
            values, n_values = decoded
            if self._target_ndim == 1:
                return values[:, 0, 0]
            if self._target_ndim == 2:
                return values[:, :, 0]
            if self._target_ndim == 3:
                return values
            squeeze = values.shape[2] == 1  # series of one channel: 1-D
            return [
                v[:n, 0].copy() if squeeze else v[:n].copy()
                for v, n in zip(values, n_values.tolist())
            ]
        if kind == "tokens":
            return decoded
        tokens = [self._token_strings(ids) for ids in decoded]
        reader = self._target_reader
        if reader._pretokenized:
            return tokens
        tokenizer = reader.tokenizer_
        char = getattr(tokenizer, "analyzer", "word") == "char"
        separator = "" if char else " "
        return [separator.join(t) for t in tokens]

    def _decode(self, inputs, lengths):
        """The outputs of :meth:`predict` as arrays: a list of id arrays, or
        the values (n_samples, horizon, n_channels)."""
        if self._target_kind == "numeric":
            return self._decode_values(inputs, lengths)
        return self._decode_ids(inputs, lengths, beam=self.decoding == "beam")

    def predict(self, X):
        """Write the target of each source sequence.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Source sequences of the kind seen at fit.

        Returns
        -------
        y_pred : list or ndarray
            Text targets: a list of ``str`` (tokens joined by nothing for a
            character tokenizer, by spaces otherwise), or of token lists
            when the targets were pre-tokenized; token targets: a list of
            int64 arrays (without the markers); numeric targets: an array
            of shape ``(n_samples,)``, ``(n_samples, horizon)`` or
            ``(n_samples, horizon, n_channels)``, as ``y`` at fit, or for
            series of different lengths a list of arrays ``(T_i,)`` (one
            channel) or ``(T_i, n_channels)``.
        """
        check_is_fitted(self)
        return self._outputs(self._decode(*self._network_input(X)))

    def _pair_batches(self, inputs, lengths, decoder_inputs, target_lengths):
        """Yield ``(rows, batch, batch_lengths, y_in, y_lengths)``: bounded
        batches of pairs (``rows`` an index array), the decoder's inputs in
        the compute dtype, trimmed to the batch's longest target."""
        index = np.arange(lengths.shape[0])
        for rows, batch, batch_lengths in predict_batches(
            inputs, lengths, max_cells=_SCORE_CELLS
        ):
            rows = index[rows]
            y_lengths = target_lengths[rows]
            y_in = decoder_inputs[rows, : int(y_lengths.max())]
            y_in = _as_decoder_input(y_in, self._network.dtype)
            yield rows, batch, batch_lengths, y_in, y_lengths

    def _pair_scores(self, inputs, lengths, decoder_inputs, targets, target_lengths):
        """Per pair: the summed log-likelihood of its target steps (numeric:
        minus the summed squared error), and its number of steps."""
        network = self._network
        mask = self._output_mask()
        total = np.zeros(lengths.shape[0])
        for rows, batch, batch_lengths, y_in, y_lengths in self._pair_batches(
            inputs, lengths, decoder_inputs, target_lengths
        ):
            T = y_in.shape[1]
            out = network.step_outputs(batch, batch_lengths, y_in, y_lengths)
            valid = np.arange(T)[None, :] < y_lengths[:, None]
            row_targets = targets[rows, :T][valid]
            pair_of_row = np.broadcast_to(
                np.arange(rows.shape[0])[:, None], valid.shape
            )[valid]
            if mask is None:
                C = out.shape[1] - (1 if self._stops else 0)  # the values
                err = (out[:, :C] - row_targets[:, :C]) ** 2
                per_row = -err.sum(axis=1)
            else:
                out[:, mask] = MASKED_LOGIT
                log_p = log_probabilities(out)
                per_row = log_p[np.arange(log_p.shape[0]), row_targets]
            total[rows] = np.bincount(
                pair_of_row, weights=per_row, minlength=rows.shape[0]
            )
        return total, target_lengths

    def _scores(self, X, y):
        """:meth:`_pair_scores` of ``(X, y)``; ``y=None`` scores the
        model's own outputs."""
        inputs, lengths, pairs = self._scored_pairs(X, y)
        return self._pair_scores(inputs, lengths, *pairs)

    def _scored_pairs(self, X, y):
        """``(inputs, lengths, pairs)`` of the sources ``X`` and the targets
        ``y`` (the model's own outputs when None), ``pairs`` as
        :func:`_pair_arrays` returns them."""
        check_is_fitted(self)
        inputs, lengths = self._network_input(X)
        if y is None:
            decoded = self._decode(inputs, lengths)
            if self._target_kind == "numeric":
                values, target_lengths = decoded
            else:
                values = _pad_ids(decoded)
                target_lengths = np.array([len(ids) for ids in decoded], np.int64)
            pairs = _pair_arrays(
                values, target_lengths, self._target_kind == "numeric", self._stops
            )
            if self._target_kind != "numeric":
                # An output cut at max_output_length has no end marker: its
                # steps are its tokens alone (an end comes before the cut).
                pairs[2][target_lengths == self._max_steps()] -= 1
        else:
            pairs = self._read_targets(y, lengths.shape[0], reset=False)
        return inputs, lengths, pairs

    @available_if(lambda self: self.attention is not None)
    def attention_weights(self, X, y=None):
        """Where each output step looked: the attention over the source.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Source sequences of the kind seen at fit.
        y : list or array-like, default=None
            Targets, as in :meth:`fit`, read with the true previous tokens
            as the decoder's input; None uses the model's own outputs
            (:meth:`predict`).

        Returns
        -------
        weights : list of ndarray of shape (n_output_steps_i, n_source_steps_i)
            One matrix per sample, each row summing to 1: row ``t`` weighs
            the source steps (its tokens, or time steps) when the decoder
            writes output step ``t`` (the target's tokens then the end
            marker; numeric targets: the horizon's steps).
        """
        inputs, lengths, pairs = self._scored_pairs(X, y)
        decoder_inputs, _, target_lengths = pairs
        out = [None] * lengths.shape[0]
        for rows, batch, batch_lengths, y_in, y_lengths in self._pair_batches(
            inputs, lengths, decoder_inputs, target_lengths
        ):
            weights = self._network.attention_weights(
                batch, batch_lengths, y_in, y_lengths
            )
            for k, i in enumerate(rows.tolist()):
                out[i] = weights[k, : y_lengths[k], : batch_lengths[k]].copy()
        return out

    def score_samples(self, X, y=None):
        """Log-likelihood of each target given its source, ``log p(y | x)``.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Source sequences of the kind seen at fit.
        y : list or array-like, default=None
            Targets, as in :meth:`fit`; None scores the model's own outputs
            (:meth:`predict`): for text and tokens, a confidence per sample
            (for numeric targets it is 0: a forecast fed back as the true
            past has no error, so pass ``y``).

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            For text and token targets, the summed natural log of the
            probability of each target token given the source and the
            tokens before it, the end marker included; for numeric
            targets, minus the summed squared error of each step's
            prediction given the true steps before it (teacher forcing,
            not the free-running forecast of :meth:`predict`), over steps
            and channels.
        """
        total, _ = self._scores(X, y)
        return total

    def score(self, X, y, sample_weight=None):
        """Mean log-likelihood per target token (higher is better).

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Source sequences of the kind seen at fit.
        y : list or array-like
            Targets, as in :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each pair.

        Returns
        -------
        score : float
            ``sum_i w_i log p(y_i | x_i) / sum_i w_i n_i`` with ``n_i`` the
            target steps of pair ``i`` (its tokens and the end marker);
            numeric targets: minus the mean squared error per step, summed
            over channels, each step predicted from the true steps before
            it (see :meth:`score_samples`). To select a forecaster on its
            free-running forecasts, score :meth:`predict`'s output instead
            (e.g. ``scoring="neg_mean_squared_error"`` for 2-D targets).
        """
        total, steps = self._scores(X, y)
        sample_weight = _check_sample_weight(sample_weight, steps, dtype=np.float64)
        return float(np.sum(sample_weight * total) / np.sum(sample_weight * steps))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
