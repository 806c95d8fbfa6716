"""BaseRNN: hyper-parameters, validation and the fit logic shared by estimators."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.callback import CallbackSupportMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from skrnn._network import RNNNetwork
from skrnn._optimizers import make_optimizer
from skrnn._sequences import N_RESERVED_IDS, read_input
from skrnn._tokenizer import Tokenizer
from skrnn._training import TrainingData, check_finite, run_epochs

# Samples per forward call at predict time: bounds the activation buffers.
_PREDICT_BATCH = 1024


def predict_batches(values, lengths):
    """Yield ``(start, batch, batch_lengths)``: bounded slices for prediction.

    Each batch is trimmed to its longest sequence, so the activation buffers
    stay within ``_PREDICT_BATCH`` sequences of that length.
    """
    for lo in range(0, values.shape[0], _PREDICT_BATCH):
        batch_lengths = lengths[lo : lo + _PREDICT_BATCH]
        T = int(batch_lengths.max())
        yield (
            lo,
            np.ascontiguousarray(values[lo : lo + _PREDICT_BATCH, :T]),
            batch_lengths,
        )


class BaseRNN(CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class for the many-to-one RNN estimators.

    Warning: This class should not be used directly. Use derived classes
    instead.
    """

    _parameter_constraints: ClassVar[dict] = {
        "cell": [StrOptions({"rnn", "lstm", "gru"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "n_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "tokenizer": [None, HasMethods(["fit", "transform"])],
        "input_type": [StrOptions({"auto", "text", "tokens", "numeric"})],
        "vocabulary_size": [
            None,
            Interval(Integral, N_RESERVED_IDS, None, closed="left"),
        ],
        "optimizer": [StrOptions({"adam", "sgd", "rmsprop"})],
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
    def _encode_targets(self, y, n_samples, first_pass):
        """Validate ``y`` and return the encoded training targets."""

    @abstractmethod
    def _n_outputs(self):
        """Width of the dense head."""

    @abstractmethod
    def _score_encoded(self, raw, targets, sample_weight):
        """Validation score (higher is better) of raw head outputs."""

    _loss = None  # "softmax" or "squared", set by subclasses
    _stratify = False
    # How X is read: the settings of skrnn._sequences.read_input.
    _min_timesteps = 1  # shortest numeric sequence accepted
    _default_tokenizer_params: ClassVar[dict] = {}  # when tokenizer=None
    _empty_documents = "oov"
    _whole_documents = "unless_max_length"

    # ------------------------------------------------------------------ fit
    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(32, n_samples)
        return min(self.batch_size, n_samples)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "_network")

    def _fit(self, X, y, sample_weight=None, incremental=False):
        if self.bidirectional and self.bptt_steps is not None:
            raise ValueError(
                "bptt_steps (truncated backpropagation through time) needs "
                "bidirectional=False: the reverse direction has no past state to "
                "carry across windows."
            )
        first_pass = not hasattr(self, "_network") or (
            not self.warm_start and not incremental
        )
        if not first_pass:
            self._check_network_unchanged(incremental)
        data, dtype = self._training_data(X, y, sample_weight, first_pass)
        if first_pass:
            self._initialize(dtype)
        elif not incremental:
            self._start_training_run()
        network = self._network
        data = self._cast_training_data(data)

        validation_score = None
        if self.early_stopping and not incremental:
            data, validation_score = self._split_validation(data)
        data = self._arrange_for_batches(data)
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
            return epoch["ctx"].call_on_fit_task_end(
                estimator=self,
                X=X,
                y=y,
                reconstruction_attributes=self._reconstruction_attributes,
            )

        stopped = run_epochs(
            self,
            network,
            self._optimizer,
            data,
            n_epochs,
            validation_score,
            on_epoch_begin,
            on_epoch_end,
            self._batch_options(),
            incremental,
        )
        check_finite(network)
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

    def _training_data(self, X, y, sample_weight, first_pass):
        """Validate the training set; return it and the compute dtype.

        Many-to-one: one encoded target per sequence. Text and token ids
        compute in float32 (the fast path), numeric input in its own dtype.
        """
        values, lengths = self._validate_input(X, reset=first_pass)
        targets = self._encode_targets(y, values.shape[0], first_pass)
        sample_weight = _check_sample_weight(
            sample_weight, values, dtype=np.float64, ensure_non_negative=True
        )
        dtype = np.float32 if self._input_kind != "numeric" else values.dtype
        return TrainingData(values, lengths, targets, sample_weight), dtype

    def _cast_training_data(self, data):
        """The training data in the network's compute dtype."""
        data.values = self._as_network_input(data.values)
        if self._loss == "squared":
            data.targets = data.targets.astype(self._network.dtype)
        return data

    def _arrange_for_batches(self, data):
        """The training data as the batches read it (after the split)."""
        return data

    def _batch_options(self):
        """Extra arguments of the training data's ``batches``."""
        return ()

    # ---------------------------------------------------------------- input
    def _validate_input(self, X, *, reset):
        """Validate ``X`` of any kind; return ``(values, lengths)``.

        See :func:`skrnn._sequences.read_input`, which reads ``X`` with this
        estimator's settings.
        """
        return read_input(
            self,
            X,
            reset=reset,
            default_tokenizer=Tokenizer(**self._default_tokenizer_params),
            empty_documents=self._empty_documents,
            whole_documents=self._whole_documents,
            min_timesteps=self._min_timesteps,
        )

    def _as_network_input(self, values):
        """Cast numeric input to the compute dtype; token ids stay int64."""
        if self._input_kind == "numeric":
            return values.astype(self._network.dtype, copy=False)
        return values

    def _reconstruction_attributes(self):
        # What a callback needs to predict with the model as it is now.
        return {"_network": copy.deepcopy(self._network)}

    def _initialize(self, dtype):
        """Build a fresh network and optimizer; reset the training record."""
        # Weights are drawn before any shuffle or split, so the random stream
        # of the initialisation does not depend on the number of samples.
        self._random_state = check_random_state(self.random_state)
        discrete = self._input_kind != "numeric"
        self._network = RNNNetwork(
            self.cell,
            self.embedding_dim if discrete else self.n_channels_in_,
            self.hidden_size,
            self.n_layers,
            self.bidirectional,
            self._n_outputs(),
            dtype,
            self.vocabulary_size_ if discrete else None,
        )
        self._network.initialize(self._random_state)
        self._network_parameters = {
            name: getattr(self, name)
            for name in self._NETWORK_PARAMETERS
            if discrete or name not in ("embedding_dim", "vocabulary_size")
        }
        self._weight_mask = self._network.weight_mask().astype(dtype)
        self._optimizer_settings = None  # a new network, a new optimizer
        self.loss_curve_ = []
        self.n_iter_ = 0
        self.t_ = 0
        for attribute in ("validation_scores_", "best_validation_score_"):
            if hasattr(self, attribute):
                delattr(self, attribute)
        self._start_training_run()

    # The parameters the optimizer is built from.
    _OPTIMIZER_PARAMETERS = (
        "optimizer", "momentum", "nesterovs_momentum", "beta_1", "beta_2",
        "epsilon", "rho",
    )  # fmt: skip

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
        self._no_improvement_count = 0
        self._n_plateaus = 0
        self._best_theta = self._network.theta.copy()
        if self.early_stopping:
            if not hasattr(self, "validation_scores_"):  # switched on in a warm start
                self.validation_scores_ = []
            self.best_loss_ = None  # as MLP: the validation score decides
            self.best_validation_score_ = -np.inf
        else:
            self.best_loss_ = np.inf

    def _split_validation(self, data):
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

    def _validation_score(self, held_out):
        """Score (higher is better) of the current network on held-out data."""
        raw = self._network.predict(held_out.values, held_out.lengths)
        return self._score_encoded(raw, held_out.targets, held_out.sample_weight)

    # ------------------------------------------------------------- predict
    def _raw_predict(self, X):
        """Raw head outputs for ``X``, shape (n_samples, n_outputs)."""
        check_is_fitted(self)
        values, lengths = self._validate_input(X, reset=False)
        return self._predict_last(self._as_network_input(values), lengths)

    def _predict_last(self, values, lengths):
        """Head outputs after each sequence's last real step, in batches."""
        network = self._network
        out = np.empty((values.shape[0], network.n_outputs), dtype=network.dtype)
        for lo, batch, batch_lengths in predict_batches(values, lengths):
            out[lo : lo + batch.shape[0]] = network.predict(batch, batch_lengths)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.string = True
        return tags
