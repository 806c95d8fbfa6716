"""RNNSequenceTagger: a label for every step (synced sequence in, sequence out)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from typing import ClassVar

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from skrnn._base import BaseRNN, ClassLabelsMixin, predict_batches
from skrnn._docstrings import fill_doc
from skrnn._network import log_probabilities
from skrnn._training import TrainingData

# Most (sequence, step) cells per prediction batch: the outputs at every
# step are kept, so a batch is bounded by its cells, not only its rows.
_PREDICT_CELLS = 1 << 16


def _padded_width(X):
    """The padded width of ``X`` when it is an array (None for text and lists)."""
    if hasattr(X, "shape") and len(X.shape) >= 2:
        return X.shape[1]
    return None


def _label_sequences(y, lengths, width):
    """``y`` as one 1-D label array per sample, each checked against its length.

    ``y`` is a list of label sequences (lists, tuples or 1-D arrays), or a
    2-D array of shape ``(n_samples, width)`` (``width`` being the padded
    width of ``X``, or None when ``X`` has none) whose first ``lengths[i]``
    entries label sample ``i``.
    """
    if y is None:
        raise ValueError(
            "RNNSequenceTagger requires y to be passed, but the target y is None."
        )
    n_samples = lengths.shape[0]
    if not isinstance(y, (list, tuple)) and hasattr(y, "__array__"):
        y = np.asarray(y)  # a DataFrame iterates over its column names
    if isinstance(y, str) or not hasattr(y, "__len__"):
        raise ValueError(
            "y must hold one sequence of labels per sample (a list of lists, or "
            f"a 2-D array for equal-length input); got {type(y).__name__}."
        )
    if len(y) != n_samples:
        raise ValueError(
            f"y holds {len(y)} label sequences, but X holds {n_samples} samples."
        )
    if isinstance(y, np.ndarray) and y.dtype != object and y.ndim == 2:
        if width is None:
            width = int(lengths.max())
        if y.shape[1] != width:
            raise ValueError(
                f"y is a 2-D array of {y.shape[1]} columns, but X has {width} "
                "time steps: a 2-D y needs one column per time step."
            )
        return [np.asarray(y[i, :n]) for i, n in enumerate(lengths.tolist())]
    sequences = []
    for i, (labels, n) in enumerate(zip(y, lengths.tolist())):
        if isinstance(labels, str) or np.ndim(labels) != 1:
            raise ValueError(
                f"y[{i}] must be a sequence of labels (a list or a 1-D array), "
                f"got {type(labels).__name__}"
                + (f" of {np.ndim(labels)} dimensions." if np.ndim(labels) else ".")
            )
        labels = _as_label_array(labels, i)
        if labels.shape[0] != n:
            raise ValueError(
                f"Sample {i} has {n} step(s) but y[{i}] holds {labels.shape[0]} "
                "label(s): a tagger needs one label per step (for text, per "
                "token the tokenizer yields; a document without tokens is one "
                "out-of-vocabulary token)."
            )
        sequences.append(labels)
    return sequences


def _as_label_array(labels, i):
    """The labels of ``y[i]`` as an array, refusing strings mixed with
    other objects (numpy would silently turn ``["A", 1]`` into strings)."""
    array = np.asarray(labels)
    if array.dtype.kind in "US" and not isinstance(labels, np.ndarray):
        if not all(isinstance(v, (str, bytes)) for v in labels):
            raise ValueError(
                f"Mix of label input types (string and number) in y[{i}]: the "
                "labels of a tagger are all strings or all numbers."
            )
    elif array.dtype == object:
        strings = [isinstance(v, str) for v in array]
        if any(strings) and not all(strings):
            raise ValueError(
                f"Mix of label input types (string and number) in y[{i}]: the "
                "labels of a tagger are all strings or all numbers (None is no "
                "label)."
            )
    return array


@fill_doc
class RNNSequenceTagger(ClassLabelsMixin, BaseRNN, auto_wrap_output_keys=None):
    """Recurrent neural network sequence tagger (a label for every step).

    Reads each sequence with a stack of recurrent layers (tanh RNN, LSTM or
    GRU; bidirectional to see the steps on both sides) and labels every
    step from the top layer's output there with a softmax layer: part-of-
    speech or named-entity tags of the words of a sentence, a label for
    each frame of a signal. Trained by backpropagation through time on the
    mean cross-entropy over every labelled step.

    Parameters
    ----------
    %(parameters)s

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, as in :class:`RNNClassifier`, counted over
        steps: a dict ``{label: weight}`` (labels not in it weigh 1),
        "balanced" for ``n_steps / (n_classes * np.bincount(labels))`` over
        every step of each ``fit``, or None for equal weights. They
        multiply ``sample_weight`` at each step. ``partial_fit`` takes a
        dict, not "balanced".

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Labels seen at fit, over every step of every sequence.
    %(attributes)s

    See Also
    --------
    RNNClassifier : One label per sequence.
    RNNSequenceGenerator : The next token at every step.

    Notes
    -----
    ``y`` holds one sequence of labels per sample, as long as the sample:
    a list of lists (or 1-D arrays) of labels, the convention of
    sklearn-crfsuite, or a 2-D array ``(n_samples, n_timesteps)`` for
    equal-length input (for padded token ids: one column per id, the
    labels past each sequence's length ignored). Raw text must have one
    label per token its tokenizer yields; pre-tokenized text, one per
    token. ``predict`` and ``predict_proba`` return a list with one array
    per sample.

    scikit-learn's estimator checks send one label per sample, which a
    tagger cannot take, so the tagger is not run through
    ``check_estimator``; its own tests cover the same contract.

    The loss of a minibatch is ``sum(w_it l_it) / sum(w_it)`` over its
    labelled steps, with ``w_it`` the sample weight times the class weight
    of the step's label: a sample weight of 2 is the same as repeating the
    sequence. With ``bptt_steps`` (unidirectional only), each sequence is
    read in windows by stateful lanes, as in
    :class:`RNNSequenceGenerator`.

    %(common_notes)s

    References
    ----------
    %(references)s

    Examples
    --------
    >>> from skrnn import RNNSequenceTagger
    >>> X = [["the", "cat", "sat"], ["a", "dog", "ran"], ["the", "dog", "sat"]]
    >>> y = [["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"]]
    >>> tagger = RNNSequenceTagger(hidden_size=16, random_state=0).fit(X * 20, y * 20)
    >>> tagger.predict([["a", "cat", "ran"]])[0].tolist()
    ['DET', 'NOUN', 'VERB']
    """

    _loss = "softmax"

    _parameter_constraints: ClassVar[dict] = {
        **BaseRNN._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

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
        learning_rate_init=0.002,
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
        class_weight=None,
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
        self.class_weight = class_weight

    # ---------------------------------------------------------- data
    def _read(self, X, *, reset):
        """``(values, lengths, width)``: the validated input and its padded
        width when ``X`` is an array (None for text and lists)."""
        values, lengths = self._validate_input(X, reset=reset)
        return values, lengths, _padded_width(X)

    def _encode_label_sequences(self, y, lengths, width, first_pass):
        """Padded class ids ``(n_samples, T)`` of the label sequences ``y``."""
        sequences = _label_sequences(y, lengths, width)
        kinds = {seq.dtype.kind in "USO" for seq in sequences if seq.size}
        if len(kinds) > 1:
            raise ValueError(
                "Mix of label input types (string and number) across the label "
                "sequences of y: the labels of a tagger are all strings or all "
                "numbers."
            )
        flat = np.concatenate(sequences)
        if type_of_target(flat) not in ("binary", "multiclass"):
            raise ValueError(
                "Unknown label type: the labels of y must be classes (strings or "
                f"integers), got {type_of_target(flat)!r} labels."
            )
        codes = self._encode_labels(flat, first_pass)
        targets = np.zeros((lengths.shape[0], int(lengths.max())), dtype=np.int64)
        valid = np.arange(targets.shape[1])[None, :] < lengths[:, None]
        targets[valid] = codes
        return targets, valid

    def _training_data(self, X, y, sample_weight, reset):
        """Sequences, the class id of every step, and the weight of each step."""
        values, lengths, width = self._read(X, reset=reset)
        targets, valid = self._encode_label_sequences(y, lengths, width, reset)
        sample_weight = _check_sample_weight(
            sample_weight, lengths, dtype=np.float64, ensure_non_negative=True
        )
        step_weight = np.where(valid, sample_weight[:, None], 0.0)
        if self.class_weight is not None:
            class_weight = compute_class_weight(
                self.class_weight,
                classes=self.classes_,
                y=self.classes_[targets[valid]],
            )
            step_weight *= class_weight[targets]
        values = values[:, : targets.shape[1]]  # token ids may be padded wider
        return TrainingData(values, lengths, targets, step_weight, every_step=True)

    def _n_outputs(self):
        return len(self.classes_)

    def _validation_score(self, held_out):
        """Accuracy over the held-out steps (unweighted, as MLP's)."""
        hits = 0
        head = self._network.head
        for predicted, targets, n in zip(
            self._per_step(
                held_out.inputs, held_out.lengths,
                lambda rows: np.argmax(head(rows), axis=1),
            ),
            held_out.targets,
            held_out.lengths.tolist(),
        ):  # fmt: skip
            hits += int(np.sum(predicted == targets[:n]))
        return hits / float(held_out.lengths.sum())

    # ------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences ``X`` and their per-step labels ``y``.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like of shape \
                (n_samples, n_timesteps) or (n_samples, n_timesteps, \
                n_channels), or list of array-like
            Training sequences: pre-tokenized text (a list of token lists),
            raw text documents (tokenized by ``tokenizer``), token ids
            (``input_type="tokens"``: a 2-D int array padded with 0),
            univariate series as rows of a 2-D array, multivariate series
            as a 3-D array (channels last), or a list of arrays of shape
            ``(T_i,)`` or ``(T_i, n_channels)`` whose lengths may differ.
        y : list of array-like, or array-like of shape (n_samples, n_timesteps)
            One sequence of labels per sample, as long as the sample.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence, given to each of its steps; None gives
            every sequence weight 1.

        Returns
        -------
        self : RNNSequenceTagger
            The fitted estimator.
        """
        self._forget_partial_fit_classes()
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Train for one epoch over ``X`` and ``y``.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Training sequences, as in :meth:`fit`. The first call fixes the
            vocabulary: words first seen later are read as the
            out-of-vocabulary id 1, token ids at or above
            ``vocabulary_size_`` are an error (see ``vocabulary_size``).
        y : list of array-like, or array-like of shape (n_samples, n_timesteps)
            One sequence of labels per sample, as in :meth:`fit`.
        classes : array-like of shape (n_classes,), default=None
            Every label that may appear at any step of any call. Required
            on the first call, ignored afterwards.

        Returns
        -------
        self : RNNSequenceTagger
            The estimator, trained one more epoch.
        """
        self._set_partial_fit_classes(classes)
        return self._fit(X, y, incremental=True)

    # -------------------------------------------------------- predict
    def _per_step(self, values, lengths, compute):
        """``compute(rows)`` on the top layer's outputs at every real step.

        ``rows`` holds a batch's outputs, sample by sample, step by step;
        ``compute`` returns one row per input row. Returns a list with each
        sample's rows, in the order of ``values``.
        """
        network = self._network
        values = self._as_network_input(values)
        sequences = np.arange(lengths.shape[0])
        out = [None] * lengths.shape[0]
        for rows, batch, batch_lengths in predict_batches(
            values, lengths, max_cells=_PREDICT_CELLS
        ):
            features = network.features(batch, batch_lengths, every_step=True)
            valid = np.arange(batch.shape[1])[None, :] < batch_lengths[:, None]
            result = compute(np.ascontiguousarray(features[valid]))
            parts = np.split(result, np.cumsum(batch_lengths)[:-1])
            for i, part in zip(sequences[rows].tolist(), parts):
                out[i] = part
        return out

    def _step_log_proba(self, values, lengths):
        """The log-probabilities ``(T_i, n_classes)`` of each sample."""
        head = self._network.head
        return self._per_step(
            values, lengths, lambda rows: log_probabilities(head(rows))
        )

    def _transform_features(self, inputs, lengths):
        """The top layer's output at every real step: a list of ``(T_i, D)``."""
        return self._per_step(inputs, lengths, lambda rows: rows)

    def transform(self, X):
        """Return the trained network's features at every step of each sequence.

        What the head reads at each step: the top layer's output there (for
        a bidirectional network, the forward state then the backward one,
        which has read the sequence from its end back to that step). Use
        them as per-step features of another model.

        The output is a list (one array per sequence, of its own length),
        which a DataFrame cannot hold: the tagger has no ``set_output``.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Sequences of the kind seen at fit (see :meth:`fit`).

        Returns
        -------
        X_new : list of ndarray of shape (T_i, hidden_size * n_directions)
            One array per sequence, in the compute dtype.
        """
        return super().transform(X)

    def _predict_input(self, X):
        check_is_fitted(self)
        values, lengths, _ = self._read(X, reset=False)
        return values, lengths

    def predict_log_proba(self, X):
        """Log of the label probabilities at every step.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Sequences of the kind seen at fit (see :meth:`fit`).

        Returns
        -------
        log_proba : list of ndarray of shape (T_i, n_classes)
            One array per sample; columns follow ``classes_``.
        """
        return self._step_log_proba(*self._predict_input(X))

    def predict_proba(self, X):
        """Label probabilities at every step.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Sequences of the kind seen at fit (see :meth:`fit`).

        Returns
        -------
        proba : list of ndarray of shape (T_i, n_classes)
            One array per sample; columns follow ``classes_``, rows sum to 1.
        """
        return [np.exp(log_p) for log_p in self.predict_log_proba(X)]

    def predict(self, X):
        """Most likely label at every step.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Sequences of the kind seen at fit (see :meth:`fit`).

        Returns
        -------
        y_pred : list of ndarray of shape (T_i,)
            One array of labels per sample, taken from ``classes_``.
        """
        return self._step_labels(*self._predict_input(X))

    def _step_labels(self, values, lengths):
        """The most likely label at each step of each sample (the largest
        logit: no softmax needed)."""
        head, classes = self._network.head, self.classes_
        return self._per_step(
            values, lengths, lambda rows: classes[np.argmax(head(rows), axis=1)]
        )

    def score(self, X, y, sample_weight=None):
        """Accuracy over every step of every sequence.

        Parameters
        ----------
        X : list of list of str, iterable of str, array-like or list of \
                array-like
            Sequences of the kind seen at fit (see :meth:`fit`).
        y : list of array-like, or array-like of shape (n_samples, n_timesteps)
            True labels, one sequence per sample.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence, given to each of its steps.

        Returns
        -------
        score : float
            Share of the steps labelled correctly (weighted).
        """
        check_is_fitted(self)
        values, lengths, width = self._read(X, reset=False)
        truth = _label_sequences(y, lengths, width)
        sample_weight = _check_sample_weight(sample_weight, lengths, dtype=np.float64)
        hits = total = 0.0
        for predicted, labels, w in zip(
            self._step_labels(values, lengths), truth, sample_weight
        ):
            hits += w * np.sum(predicted == labels)
            total += w * labels.shape[0]
        return float(hits / total)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
