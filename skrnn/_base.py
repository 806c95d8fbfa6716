"""BaseRNN: hyper-parameters, validation and the fit logic shared by estimators."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import os
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.callback import CallbackSupportMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from skrnn._input import read_input
from skrnn._network import RNNNetwork
from skrnn._optimizers import OPTIMIZERS, make_optimizer
from skrnn._persistence import VersionedStateMixin
from skrnn._sequences import N_RESERVED_IDS, cast_to_compute_dtype
from skrnn._tokenizer import Tokenizer
from skrnn._training import (
    TrainingData,
    TrainingRecord,
    TrainingSettings,
    arrange_for_lanes,
    check_truncation,
    run_epochs,
)
from skrnn._vectors import check_embedding_array, is_word_vectors, read_word_vectors

# Samples per forward call at predict time (the network bounds the steps).
_PREDICT_BATCH = 1024


def predict_batches(values, lengths, max_cells=None):
    """Yield ``(rows, batch, batch_lengths)``: bounded batches for prediction.

    ``rows`` says which sequences of ``values`` the batch holds (a slice or
    an index array). Sequences of different lengths are taken longest first
    (a stable sort), so that the sequences of a batch have similar lengths
    and little padding is read; a sequence's output does not depend on the
    others of its batch, so the order changes no result. Each batch holds
    at most ``_PREDICT_BATCH`` sequences, trimmed to its longest; the
    network reads them in windows of steps (:meth:`RNNNetwork.stream`). With
    ``max_cells``, a batch also holds at most that many (sequence, step)
    cells, unless one sequence alone is longer: for outputs at every step.
    """
    n = values.shape[0]
    order = None
    if n and lengths.min() != lengths.max():
        order = np.argsort(-lengths, kind="stable")
    lo = 0
    while lo < n:
        hi = min(lo + _PREDICT_BATCH, n)
        rows = slice(lo, hi) if order is None else order[lo:hi]
        batch_lengths = lengths[rows]
        if max_cells is not None:
            longest = np.maximum.accumulate(batch_lengths)
            fits = longest * np.arange(1, hi - lo + 1) <= max_cells
            if not fits.all():
                hi = lo + max(1, int(np.argmin(fits)))
                rows = slice(lo, hi) if order is None else order[lo:hi]
                batch_lengths = lengths[rows]
        T = int(batch_lengths.max())
        yield rows, np.ascontiguousarray(values[rows, :T]), batch_lengths
        lo = hi


class BaseRNN(
    VersionedStateMixin,
    CallbackSupportMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
    metaclass=ABCMeta,
):
    """Base class for the RNN estimators: parameters, input, the fit logic.

    Warning: This class should not be used directly. Use derived classes
    instead.
    """

    _parameter_constraints: ClassVar[dict] = {
        "cell": [StrOptions({"rnn", "lstm", "gru"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "n_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "embedding_init": [
            None,
            "array-like",
            str,
            os.PathLike,
            HasMethods(["__contains__", "__getitem__"]),
        ],
        "freeze_embedding": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "tokenizer": [None, HasMethods(["fit", "transform"])],
        "input_type": [StrOptions({"auto", "text", "tokens", "numeric"})],
        "vocabulary_size": [
            None,
            Interval(Integral, N_RESERVED_IDS, None, closed="left"),
        ],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "rho": [Interval(Real, 0, 1, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "bptt_steps": [None, Interval(Integral, 1, None, closed="left")],
        "clip_norm": [None, Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    @abstractmethod
    def __init__(
        self,
        *,
        cell,
        hidden_size,
        n_layers,
        bidirectional,
        embedding_dim,
        embedding_init,
        freeze_embedding,
        dropout,
        tokenizer,
        input_type,
        vocabulary_size,
        optimizer,
        learning_rate_init,
        momentum,
        nesterovs_momentum,
        beta_1,
        beta_2,
        epsilon,
        rho,
        batch_size,
        max_iter,
        tol,
        n_iter_no_change,
        early_stopping,
        validation_fraction,
        bptt_steps,
        clip_norm,
        alpha,
        warm_start,
        shuffle,
        random_state,
        verbose,
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.bidirectional = bidirectional
        self.embedding_dim = embedding_dim
        self.embedding_init = embedding_init
        self.freeze_embedding = freeze_embedding
        self.dropout = dropout
        self.tokenizer = tokenizer
        self.input_type = input_type
        self.vocabulary_size = vocabulary_size
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.rho = rho
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.bptt_steps = bptt_steps
        self.clip_norm = clip_norm
        self.alpha = alpha
        self.warm_start = warm_start
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose

    # ----------------------------------------------------- subclass interface
    @abstractmethod
    def _training_data(self, X, y, sample_weight, reset):
        """Validate ``X`` (and ``y``); return the encoded :class:`TrainingData`.

        Sets the input's fitted attributes when ``reset``; changes nothing
        else, so that :func:`training_problem` may call it on a fitted model.
        """

    @abstractmethod
    def _n_outputs(self):
        """Width of the dense head."""

    @abstractmethod
    def _validation_score(self, held_out):
        """Score (higher is better) of the current network on held-out data."""

    _loss = None  # "softmax" or "squared", set by subclasses
    _stratify = False
    # How X is read: the settings of skrnn._input.read_input.
    _min_timesteps = 1  # shortest numeric sequence accepted
    _default_tokenizer_params: ClassVar[dict] = {}  # when tokenizer=None
    _whole_documents = "unless_max_length"

    # ------------------------------------------------------------------ fit
    def __sklearn_is_fitted__(self):
        return hasattr(self, "_network")

    def _check_parameters(self):
        """Refuse combinations of parameters that cannot train."""
        check_truncation(self.bptt_steps, self.bidirectional)

    def _prepare_fit(self, data, first_pass):
        """Fit-time bookkeeping on the validated training data (a hook)."""

    def _fit(self, X, y, sample_weight=None, incremental=False):
        self._check_parameters()
        first_pass = not hasattr(self, "_network") or (
            not self.warm_start and not incremental
        )
        if not first_pass:
            self._check_network_unchanged(incremental)
        # Pretrained vectors are read once, at the first pass; the vocabulary
        # (when the tokenizer is fitted) and the embedding table take what
        # they need, and the vectors are dropped (only the table is kept).
        if first_pass and is_word_vectors(self.embedding_init):
            self._word_vectors = read_word_vectors(
                self.embedding_init, self.embedding_dim
            )
        try:
            data = self._training_data(X, y, sample_weight, reset=first_pass)
            self._prepare_fit(data, first_pass)
            if first_pass:
                numeric = self._input_kind == "numeric"
                self._initialize(data.inputs.dtype if numeric else np.float32)
        finally:
            self.__dict__.pop("_word_vectors", None)
        if not first_pass and not incremental:
            self._start_training_run()
        network = self._network
        data = self._cast_training_data(data, network.dtype)

        validation_score = None
        if self.early_stopping and not incremental:
            data, validation_score = self._split_validation(data)
        settings = self._training_settings(network)
        # After the split (no sequence on both sides of it); rebinding
        # ``data`` frees the uncut copy during training.
        data = arrange_for_lanes(data, settings)
        n_epochs = 1 if incremental else self.max_iter
        # scikit-learn's callback API: the fit task has one subtask per epoch.
        callback_ctx = self._init_callback_context(max_subtasks=n_epochs)
        callback_ctx.call_on_fit_task_begin(
            estimator=self, X=X, y=y, metadata={"sample_weight": sample_weight}
        )
        epoch = {}

        def on_epoch_begin():
            epoch["ctx"] = callback_ctx.subcontext(task_name="epoch")
            epoch["ctx"].call_on_fit_task_begin(estimator=self, X=X, y=y)

        def on_epoch_end():
            self._copy_training_record()
            return epoch["ctx"].call_on_fit_task_end(
                estimator=self,
                X=X,
                y=y,
                reconstruction_attributes=self._reconstruction_attributes,
            )

        n_iter_before = self._training_record.n_iter
        try:
            stopped = run_epochs(
                network,
                self._optimizer,
                data,
                settings,
                self._training_record,
                self._random_state,
                n_epochs,
                validation_score,
                on_epoch_begin,
                on_epoch_end,
                incremental,
            )
        except KeyboardInterrupt:
            # As scikit-learn's MLP: the user stops training, and the model of
            # the last completed epoch (run_epochs undid the running one) is
            # kept. A call that completed no epoch has nothing to keep: the
            # interrupt goes on, so that Ctrl-C stops a loop of partial_fit.
            if self._training_record.n_iter == n_iter_before:
                raise
            warnings.warn(
                "Training interrupted by user. It ends at the last completed "
                f"epoch (n_iter_={self._training_record.n_iter}).",
                UserWarning,
            )
            stopped = True
        finally:  # also after an error (non-finite weights, a callback)
            self._copy_training_record()
        callback_ctx.call_on_fit_task_end(
            estimator=self,
            X=X,
            y=y,
            metadata={"sample_weight": sample_weight},
            reconstruction_attributes=self._reconstruction_attributes,
        )
        if not stopped and not incremental:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                "and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        return self

    # The parameters that shape the network: fixed once it is built.
    _NETWORK_PARAMETERS = (
        "cell", "hidden_size", "n_layers", "bidirectional", "embedding_dim",
        "vocabulary_size",
    )  # fmt: skip

    def _check_network_unchanged(self, incremental):
        """Refuse to continue training a network whose shape was changed."""
        built = self._network_parameters
        for name, value in built.items():
            if getattr(self, name) != value:
                how = "partial_fit" if incremental else "warm_start=True"
                anew = "fit" if incremental else "warm_start=False"
                raise ValueError(
                    f"{how} continues training the fitted network, but "
                    f"{name}={getattr(self, name)!r} differs from the "
                    f"{name}={value!r} it was built with. Set "
                    f"{name}={value!r} back, or fit a new network ({anew})."
                )

    def _cast_training_data(self, data, dtype):
        """The training data in the compute ``dtype`` (token ids stay int64)."""
        data.inputs = self._as_network_input(data.inputs, dtype)
        if self._loss == "squared":
            data.targets = cast_to_compute_dtype(data.targets, dtype, "y")
        return data

    def _training_settings(self, network, **changes):
        """The hyper-parameters of training, for the training layer."""
        weight_mask = network.weight_mask()
        frozen = None
        if self.freeze_embedding and network.vocabulary_size is not None:
            frozen = network.parameter_mask("embedding.W")
            weight_mask &= ~frozen  # no L2 on a frozen table
        settings = {
            "loss": self._loss,
            "weight_mask": weight_mask.astype(network.dtype),
            "frozen": frozen,
            "batch_size": self.batch_size,
            "shuffle": self.shuffle,
            "dropout": self.dropout,
            "clip_norm": self.clip_norm,
            "alpha": self.alpha,
            "bptt_steps": self.bptt_steps,
            "tol": self.tol,
            "n_iter_no_change": self.n_iter_no_change,
            "verbose": self.verbose,
            "output_mask": self._output_mask(),
        }
        return TrainingSettings(**{**settings, **changes})

    def _output_mask(self):
        """Outputs that are never a target (None: every output may be)."""
        return None

    def _copy_training_record(self):
        """Mirror the training record in the fitted attributes (MLP's names)."""
        record = self._training_record
        self.loss_curve_ = record.loss_curve
        self.n_iter_ = record.n_iter
        self.t_ = record.t
        self.best_loss_ = record.best_loss
        for name in ("validation_scores", "best_validation_score"):
            value = getattr(record, name)
            if value is not None:
                setattr(self, name + "_", value)
            elif hasattr(self, name + "_"):
                delattr(self, name + "_")

    # ---------------------------------------------------------------- input
    def _validate_input(self, X, *, reset):
        """Validate ``X`` of any kind; return ``(values, lengths)``.

        See :func:`skrnn._input.read_input`, which reads ``X`` with this
        estimator's settings.
        """
        return read_input(
            self,
            X,
            reset=reset,
            # Only a first fit with tokenizer=None uses it.
            default_tokenizer=Tokenizer(**self._default_tokenizer_params)
            if reset
            else None,
            whole_documents=self._whole_documents,
            min_timesteps=self._min_timesteps,
        )

    def _as_network_input(self, values, dtype=None):
        """Cast numeric input to the compute dtype (the network's unless
        ``dtype``); token ids stay int64."""
        if self._input_kind == "numeric":
            return cast_to_compute_dtype(values, dtype or self._network.dtype)
        return values

    def __setstate__(self, state):
        super().__setstate__(state)
        network = self.__dict__.get("_network")
        optimizer = self.__dict__.get("_optimizer")
        if network is not None and optimizer is not None:
            problem = optimizer.state_problem(network.theta.shape[0], network.dtype)
            if problem is not None:
                raise ValueError(
                    f"The saved optimizer state is inconsistent: {problem}. The "
                    "file is truncated or was modified; load an intact copy or "
                    "refit."
                )

    def _reconstruction_attributes(self):
        # What a callback needs to predict with the model as it is now.
        return {"_network": copy.deepcopy(self._network)}

    def _initialize(self, dtype):
        """Build a fresh network and optimizer; reset the training record."""
        # Weights are drawn before any shuffle or split, so the random stream
        # of the initialisation does not depend on the number of samples.
        self._random_state = check_random_state(self.random_state)
        discrete = self._input_kind != "numeric"
        self._network = self._build_network(dtype)
        self._network.initialize(self._random_state)
        self._initialize_embedding()
        self._network_parameters = {
            name: getattr(self, name)
            for name in self._NETWORK_PARAMETERS
            if discrete or name not in ("embedding_dim", "vocabulary_size")
        }
        self._optimizer_settings = None  # a new network, a new optimizer
        self._training_record = TrainingRecord()
        self._start_training_run()

    def _build_network(self, dtype):
        """The network, before its weights are drawn (a hook: an
        encoder-decoder builds its own)."""
        discrete = self._input_kind != "numeric"
        return RNNNetwork(
            self.cell,
            self.embedding_dim if discrete else self.n_channels_in_,
            self.hidden_size,
            self.n_layers,
            self.bidirectional,
            self._n_outputs(),
            dtype,
            self.vocabulary_size_ if discrete else None,
        )

    def _initialize_embedding(self):
        """Write ``embedding_init`` into the freshly drawn embedding table.

        An array replaces the whole table; vectors (a mapping or a file, read
        by ``_fit`` as ``_word_vectors``) replace the rows of the tokens they
        cover, the other rows keeping their random start. Sets
        ``embedding_coverage_`` for vectors.
        """
        if hasattr(self, "embedding_coverage_"):
            del self.embedding_coverage_
        if self.embedding_init is None:
            return
        table = self._network.params["embedding.W"]
        vectors = getattr(self, "_word_vectors", None)
        if vectors is None:  # an array, checked against X by read_input
            table[...] = check_embedding_array(self.embedding_init, self.embedding_dim)
            return
        vocabulary = getattr(self.tokenizer_, "vocabulary_", None)
        if not isinstance(vocabulary, dict):
            raise ValueError(
                f"embedding_init maps tokens to vectors, but the tokenizer "
                f"{type(self.tokenizer_).__name__} has no vocabulary_ (a dict token "
                "-> id) to find the rows of its tokens: use skrnn.Tokenizer."
            )
        ids, rows = vectors.table_rows(vocabulary, self.embedding_dim, table.dtype)
        table[ids] = rows
        # The share of the training text's vocabulary with a vector (the
        # tokens taken from the vectors have ids after those).
        n_text = len(vocabulary) - getattr(vectors, "n_added", 0)
        n_covered = int(np.sum(ids < N_RESERVED_IDS + n_text))
        self.embedding_coverage_ = n_covered / n_text if n_text else 0.0

    # The parameters the optimizer is built from.
    _OPTIMIZER_PARAMETERS = (
        "optimizer",
        *sorted(
            {name for kind in OPTIMIZERS.values() for name in kind.hyperparameters}
        ),
    )

    def _start_training_run(self):
        """Start a ``fit`` call: the learning rate, a new record of the best.

        The optimizer is built with the network; a warm-started fit keeps
        its moment estimates unless its settings were changed, and starts
        again from ``learning_rate_init``.
        """
        settings = {name: getattr(self, name) for name in self._OPTIMIZER_PARAMETERS}
        if settings != self._optimizer_settings:
            self._optimizer = make_optimizer(
                self.optimizer,
                self._network.theta.shape[0],
                self._network.dtype,
                self.get_params(),
            )
            self._optimizer_settings = settings
        self._optimizer.learning_rate = self.learning_rate_init
        self._training_record.start_run(self._network.theta, self.early_stopping)
        self._copy_training_record()

    def _split_validation(self, data):
        """Hold out ``validation_fraction`` of the sequences, at random.

        Returns the training part and a function scoring the held-out part.
        """
        index = np.arange(len(data))
        stratify = data.targets if self._stratify else None
        train, val = train_test_split(
            index,
            random_state=self._random_state,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        held_out = data.take(val)
        return data.take(train), lambda: self._validation_score(held_out)

    # ------------------------------------------------------------- predict
    def _network_input(self, X):
        """Validate ``X``; return what the network reads: ``(inputs, lengths)``.

        Numeric input in the compute dtype, token ids as int64. The
        generator overrides it (the begin marker before each document).
        """
        values, lengths = self._validate_input(X, reset=False)
        return self._as_network_input(values), lengths

    def _last_features(self, inputs, lengths):
        """What the head reads after each sequence's last real step, in batches.

        Each sequence's row does not depend on the others of its batch.
        """
        network = self._network
        out = np.empty((inputs.shape[0], self._n_features_out), dtype=network.dtype)
        for rows, batch, batch_lengths in predict_batches(inputs, lengths):
            out[rows] = network.features(batch, batch_lengths)
        return out

    def _predict_last(self, inputs, lengths):
        """Head outputs after each sequence's last real step."""
        return self._network.head(self._last_features(inputs, lengths))

    def _transform_features(self, inputs, lengths):
        """What :meth:`transform` returns for the network's input (a hook).

        The states after each sequence's last real step; an estimator with
        a target at every step may return the states at every step instead.
        """
        return self._last_features(inputs, lengths)

    @property
    def _n_features_out(self):
        # Read by ClassNamePrefixFeaturesOutMixin; an AttributeError before
        # fit, so that get_feature_names_out raises NotFittedError.
        return self._network.hidden_size * self._network.n_directions

    def transform(self, X):
        """Return the trained network's features of each sequence.

        The features are what the head reads: the last layer's state after
        each sequence's last real step (for a bidirectional network, the
        forward state then the backward one, which has read the sequence
        from its end back to its first step). For RNNSequenceGenerator they
        are a document embedding: the state from which it predicts what
        follows each sequence (for text and token ids, after the begin
        marker and every token). Use them as the input of another model,
        e.g. in a :class:`~sklearn.pipeline.Pipeline`.

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Sequences of the kind seen at fit.

        Returns
        -------
        X_new : ndarray of shape (n_samples, hidden_size * n_directions)
            In the compute dtype: float32 for text, token ids and float32
            series, float64 for float64 series.
        """
        check_is_fitted(self)
        return self._transform_features(*self._network_input(X))

    def get_feature_names_out(self, input_features=None):
        """Get output feature names for transformation.

        One name per column of :meth:`transform`: the lowercased class name
        followed by the column's index, e.g. ``rnnclassifier0``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only used to validate feature names with the names seen in
            ``fit``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            Transformed feature names.
        """
        return super().get_feature_names_out(input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.string = True
        return tags


class ClassLabelsMixin:
    """Class labels of the classifying estimators: ``classes_``, encoding.

    One home for what RNNClassifier and RNNSequenceTagger share: the label
    encoder fitted at the first pass (or from ``partial_fit``'s
    ``classes``), the refusal of labels unseen then, and ``partial_fit``'s
    rules on ``classes`` and ``class_weight``.
    """

    def _encode_labels(self, labels, first_pass):
        """Class ids of the 1-D ``labels``; fits the encoder at a first pass."""
        if first_pass and not hasattr(self, "_partial_fit_classes"):
            self._label_encoder = LabelEncoder().fit(labels)
            self.classes_ = self._label_encoder.classes_
        unseen = np.setdiff1d(np.unique(labels), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen.tolist()} not seen in the first call to "
                f"fit or partial_fit (classes_ = {self.classes_.tolist()})."
            )
        return self._label_encoder.transform(labels).astype(np.int64)

    def _forget_partial_fit_classes(self):
        """A ``fit`` learns its classes from ``y`` again."""
        if hasattr(self, "_partial_fit_classes"):
            del self._partial_fit_classes

    def _set_partial_fit_classes(self, classes):
        """``partial_fit``'s checks of ``classes`` and ``class_weight``."""
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight 'balanced' is not supported for partial_fit: one "
                "batch does not tell the class frequencies. Pass the weights as a "
                "dict, e.g. dict(zip(classes, compute_class_weight('balanced', "
                "classes=classes, y=y_sample))) with y_sample a large enough "
                "sample of the training labels."
            )
        if not hasattr(self, "_network"):
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            self._label_encoder = LabelEncoder().fit(np.asarray(classes))
            self.classes_ = self._label_encoder.classes_
            self._partial_fit_classes = True
        elif classes is not None and not np.array_equal(
            np.unique(classes), self.classes_
        ):
            raise ValueError(
                f"`classes={list(classes)}` is not the same as on the first call "
                f"to partial_fit, was: {self.classes_.tolist()}"
            )


class BaseManyToOneRNN(BaseRNN):
    """Base class for the many-to-one estimators: one target per sequence.

    Warning: This class should not be used directly. Use derived classes
    instead.
    """

    @abstractmethod
    def _encode_targets(self, y, n_samples, first_pass):
        """Validate ``y`` and return the encoded training targets."""

    @abstractmethod
    def _score_encoded(self, raw, targets, sample_weight):
        """Validation score (higher is better) of raw head outputs."""

    def _training_data(self, X, y, sample_weight, reset):
        """Sequences, one encoded target each, and the sample weights."""
        values, lengths = self._validate_input(X, reset=reset)
        targets = self._encode_targets(y, values.shape[0], reset)
        sample_weight = _check_sample_weight(
            sample_weight, values, dtype=np.float64, ensure_non_negative=True
        )
        return TrainingData(values, lengths, targets, sample_weight)

    def _validation_score(self, held_out):
        raw = self._network.predict(held_out.inputs, held_out.lengths)
        return self._score_encoded(raw, held_out.targets, held_out.sample_weight)

    def _raw_predict(self, X):
        """Raw head outputs for ``X``, shape (n_samples, n_outputs)."""
        check_is_fitted(self)
        return self._predict_last(*self._network_input(X))


def training_problem(estimator, X, y=None, *, dtype=np.float64):
    """The loss a fitted estimator minimises on ``(X, y)``, as arrays.

    What :func:`skrnn.utils.check_gradients` differentiates: a copy of the
    fitted network in ``dtype``, the data of ``(X, y)`` as one batch, and
    the estimator's training settings without dropout and with full
    backpropagation through time. The estimator is not modified.

    Returns
    -------
    network : RNNNetwork
    data : TrainingData
    settings : TrainingSettings
    """
    check_is_fitted(estimator)
    data = estimator._training_data(X, y, None, reset=False)
    network = estimator._network.astype(dtype)
    data = estimator._cast_training_data(data, dtype)
    settings = estimator._training_settings(network, dropout=0.0, bptt_steps=None)
    return network, data, settings
