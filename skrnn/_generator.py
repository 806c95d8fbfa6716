"""RNNSequenceGenerator: a next-step model that generates and scores sequences."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, check_is_fitted

from skrnn._base import BaseRNN, predict_batches
from skrnn._docstrings import fill_doc
from skrnn._input import tokenize
from skrnn._network import MASKED_LOGIT, log_probabilities
from skrnn._sequences import (
    BEGIN_ID,
    END_ID,
    OOV_ID,
    PAD_ID,
    UNK_MARKER,
    cast_to_compute_dtype,
    text_documents,
)
from skrnn._training import TrainingData

# Longer documents trained without bptt_steps get a warning: they make
# few optimizer steps per epoch.
_LONG_WITHOUT_BPTT = 1000
# What generate writes between two text documents (stop_at_end=False).
_DOCUMENT_SEPARATOR = "\n"


def _check_no_markers(ids, name):
    """Token ids 2 and 3 are the markers the generator adds around documents."""
    markers = np.isin(ids, (BEGIN_ID, END_ID))
    if markers.any():
        raise ValueError(
            f"{name} holds the token id {ids[markers][0]}: ids {BEGIN_ID} and "
            f"{END_ID} are the begin and end markers RNNSequenceGenerator adds "
            "around every sequence. Token ids must be 1 (out of vocabulary) or "
            ">= 4 (0 pads)."
        )


def _fitted_on_discrete(estimator):
    """available_if condition: a text or token-id fit (not numeric series)."""
    check_is_fitted(estimator)
    return estimator._input_kind != "numeric"


@fill_doc
class RNNSequenceGenerator(BaseRNN):
    """Recurrent next-step model: generates, continues and scores sequences.

    A language model on text (characters or words) or token ids, trained to
    predict every next token (softmax cross-entropy); on numeric series, a
    model trained to predict every next value (squared error). It generates
    new text by sampling one token at a time (temperature, top-k, prompts),
    continues a series, scores sequences (log-likelihood, perplexity) and
    predicts what comes next.

    Parameters
    ----------
    %(parameters)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    RNNClassifier : Many-to-one classifier on the same network.
    Tokenizer : Splits text into the tokens the model reads.

    Notes
    -----
    Each document is read as begin marker, tokens, end marker: the model
    predicts every token and the end marker, so generation can stop by
    itself and ``score_samples`` counts the end marker as a predicted token.
    The padding and begin ids are never predicted (probability 0).
    ``generate`` and ``predict`` return only ids that were a target in the
    training data (not the out-of-vocabulary id, unless the tokenizer made
    training tokens out of vocabulary); ``predict_proba`` and the scores
    keep the model's full distribution, so that a document holding a token
    unseen at fit still gets a finite log-likelihood.
    A document with no token at all (empty, or nothing the tokenizer keeps;
    a row of token ids that is all padding) is read as one
    out-of-vocabulary token (id 1), at fit and predict alike; a document of
    unknown words is read as that many out-of-vocabulary tokens. Neither is
    an error; a numeric sequence shorter than 2 steps is.

    With ``bptt_steps`` set, training is truncated backpropagation through
    time in stateful lanes: each of ``batch_size`` lanes (32 when "auto")
    reads its documents window after window, carrying the state from one
    window to the next of the same document. A document longer than its
    share of the corpus (``ceil(n_steps / lanes)``, rounded up to whole
    windows, and at least 10 windows) is cut into pieces of that length
    first, so one long text trains as ``lanes`` parallel streams (the state
    restarts from zero at each piece). Without ``bptt_steps`` each document
    is one sequence, batched with masking. ``bidirectional=True`` is
    refused: a next-step model may not read the future. The loss is the
    mean over every predicted step of the batch.

    With ``early_stopping``, whole documents drawn at random are held out
    when ``validation_fraction`` of them is at least two documents
    (``validation_fraction * n_samples >= 2``). Otherwise (one long text,
    or a few documents) the tail is held out, by position: the last
    ``ceil(validation_fraction * n_steps)`` predicted steps of the
    documents read one after the other (``n_steps`` counts every token and
    end marker; for numeric series every step but the first of each). The
    training part keeps every step before the tail (no end marker where
    the tail cuts a document). The tail is scored as a document of its own,
    from the begin state (the state the training part reaches is not
    carried over): each of ``validation_scores_`` is :meth:`score` of the
    tail's text, the mean log-likelihood per predicted token (for numeric
    series, minus the mean squared one-step error); higher is better.

    %(common_notes)s

    References
    ----------
    %(references)s
    .. [4] Karpathy, A. (2015). The unreasonable effectiveness of recurrent
       neural networks (character-level language models).

    Examples
    --------
    >>> from skrnn import RNNSequenceGenerator
    >>> gen = RNNSequenceGenerator(hidden_size=16, random_state=0)
    >>> gen = gen.fit(["hello"] * 20)
    >>> gen.generate(10, prompt="h", temperature=0)
    'hello'
    >>> float(gen.perplexity(["hello"])) < 1.1
    True
    """

    _loss = None  # set at fit: "softmax" for text and tokens, "squared" numeric
    _min_timesteps = 2
    # Characters as they are, and every document whole (a likelihood or a
    # prompt cut short would be silently wrong: max_length only shortens
    # training text).
    _default_tokenizer_params: ClassVar[dict] = {"analyzer": "char", "lowercase": False}
    _whole_documents = "always"

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

    # --------------------------------------------------------- input / data
    def _next_step_data(self, X, *, reset):
        """Inputs, targets and predicted-step counts of every sequence.

        Discrete: input ``[begin, t_1, ..., t_n]``, target ``[t_1, ..., t_n,
        end]``. Numeric: input ``x_1 .. x_{n-1}``, target ``x_2 .. x_n``.
        """
        values, lengths = self._validate_input(X, reset=reset)
        if reset:
            self._loss = "squared" if self._input_kind == "numeric" else "softmax"
        if self._input_kind == "tokens":
            _check_no_markers(values, "X")
        if self._input_kind == "numeric":
            if lengths.min() < 2:
                raise ValueError(
                    f"Found a sequence of {lengths.min()} time step(s) while a "
                    "minimum of 2 is required: a next-step model predicts every "
                    "step after the first."
                )
            inputs = np.ascontiguousarray(values[:, :-1])
            targets = np.ascontiguousarray(values[:, 1:])
            return inputs, targets, lengths - 1
        n, T = values.shape
        inputs = np.zeros((n, T + 1), dtype=np.int64)
        inputs[:, 0] = BEGIN_ID
        inputs[:, 1:] = values
        targets = np.zeros((n, T + 1), dtype=np.int64)
        targets[:, :T] = values
        targets[np.arange(n), lengths] = END_ID
        return inputs, targets, lengths + 1

    def _check_parameters(self):
        super()._check_parameters()
        if self.bidirectional:
            raise ValueError(
                "RNNSequenceGenerator needs bidirectional=False: a next-step model "
                "may not read the steps it predicts."
            )

    def _training_data(self, X, y, sample_weight, reset):
        """Every sequence with its next step as the target of each step."""
        inputs, targets, lengths = self._next_step_data(X, reset=reset)
        return TrainingData(inputs, lengths, targets, every_step=True)

    def _prepare_fit(self, data, first_pass):
        lengths = data.lengths
        longest = int(np.argmax(lengths))
        if self.bptt_steps is None and lengths[longest] > _LONG_WITHOUT_BPTT:
            warnings.warn(
                f"Document {longest} has {lengths[longest]} steps and bptt_steps="
                "None: every epoch backpropagates through whole documents, one "
                "optimizer step per batch of documents (one long text: one step "
                "per epoch), which learns slowly. Set bptt_steps (e.g. 100) to "
                "train on windows of that many steps in stateful lanes.",
                UserWarning,
            )
        if self._input_kind != "numeric":
            self._record_targets(data.targets, lengths, first_pass)

    def _record_targets(self, targets, lengths, first_pass):
        """Mark the ids that are a target in this training data.

        ``_seen_targets`` (bool per id) accumulates over ``partial_fit`` and
        warm-started fits: generate and predict never return another id.
        """
        valid = np.arange(targets.shape[1])[None, :] < lengths[:, None]
        seen = np.zeros(self.vocabulary_size_, dtype=bool)
        seen[targets[valid]] = True
        if first_pass or getattr(self, "_seen_targets", None) is None:
            self._seen_targets = seen
        else:
            self._seen_targets |= seen

    def _n_outputs(self):
        if self._input_kind == "numeric":
            return self.n_channels_in_
        return self.vocabulary_size_

    def _output_mask(self):
        """Ids never predicted: padding and the begin marker (None if numeric)."""
        if self._input_kind == "numeric":
            return None
        mask = np.zeros(self.vocabulary_size_, dtype=bool)
        mask[[PAD_ID, BEGIN_ID]] = True
        return mask

    def _split_validation(self, data):
        """Hold out whole documents at random, or the tail of the text.

        Documents when ``validation_fraction`` of them is at least two
        documents (as the other estimators, ``train_test_split``); otherwise
        the last ``ceil(validation_fraction * n_steps)`` predicted steps of
        the documents read one after the other, scored as a document of its
        own (from the begin state).
        """
        if self.validation_fraction * len(data) >= 2:
            return super()._split_validation(data)
        n_steps = int(data.lengths.sum())
        n_held_out = math.ceil(self.validation_fraction * n_steps)
        if n_held_out >= n_steps:
            raise ValueError(
                f"With validation_fraction={self.validation_fraction}, the "
                f"held-out tail would take all {n_steps} predicted steps of X, "
                "leaving none to train on. Lower validation_fraction or pass "
                "more data."
            )
        train, held_out = data.split_tail(n_held_out)
        if self._input_kind != "numeric":
            # The tail starts a document of its own: it reads the begin marker.
            held_out.inputs[0, 0] = BEGIN_ID
        return train, lambda: self._validation_score(held_out)

    def _validation_score(self, held_out):
        total, count = self._log_likelihoods(
            held_out.inputs, held_out.targets, held_out.lengths
        )
        return float(total.sum() / count.sum())

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the next-step model on sequences ``X``.

        Parameters
        ----------
        X : iterable of str, array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_channels), or list of array-like
            Training text (documents; characters or words per
            ``tokenizer``), token ids (``input_type="tokens"``), or numeric
            series of at least 2 steps: rows of a 2-D array, a 3-D array
            with channels last, or a list of arrays of different lengths.
        y : None
            Ignored.

        Returns
        -------
        self : RNNSequenceGenerator
            The fitted estimator.
        """
        return self._fit(X, None, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train for one epoch over ``X``.

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Training sequences, as in :meth:`fit`. The first call fixes the
            vocabulary: words first seen later are read as the
            out-of-vocabulary id 1, token ids at or above
            ``vocabulary_size_`` are an error (see ``vocabulary_size``).
        y : None
            Ignored.

        Returns
        -------
        self : RNNSequenceGenerator
            The estimator, trained one more epoch.
        """
        return self._fit(X, None, incremental=True)

    # ------------------------------------------------------------- scoring
    def _mask_outputs(self, out):
        """Pin the logits of ids never predicted (pad, begin); in place."""
        mask = self._output_mask()
        if mask is not None:
            out[:, mask] = MASKED_LOGIT
        return out

    def _log_likelihoods(self, inputs, targets, lengths):
        """Per sequence: summed log-likelihood (or minus squared error), steps.

        Read window by window (:meth:`RNNNetwork.stream`): memory does not
        grow with the length of the sequences.
        """
        network = self._network
        numeric = self._input_kind == "numeric"
        mask = self._output_mask()
        total = np.zeros(lengths.shape[0])

        def on_rows(samples, steps, out):
            if mask is not None:
                out[:, mask] = MASKED_LOGIT
            row_targets = targets[samples, steps]
            if numeric:
                diff = out.astype(np.float64) - row_targets
                with np.errstate(over="ignore"):  # refused below, named
                    per_row = -np.sum(diff * diff, axis=1)
            else:
                log_p = log_probabilities(out)
                per_row = log_p[np.arange(out.shape[0]), row_targets]
            # Each row added in order, as one bincount over every row would.
            np.add.at(total, samples, per_row.astype(np.float64))

        inputs = self._as_network_input(inputs)
        if numeric:
            # The targets are X too: refuse what the model's dtype cannot
            # hold, as for the inputs (compared in float64, left uncast).
            cast_to_compute_dtype(targets, network.dtype)
        sequences = np.arange(lengths.shape[0])
        for rows, batch, batch_lengths in predict_batches(inputs, lengths):
            index = sequences[rows]
            network.step_outputs(
                batch, batch_lengths,
                on_rows=lambda samples, *out: on_rows(index[samples], *out),
            )  # fmt: skip
        if numeric and not np.all(np.isfinite(total)):
            raise ValueError(
                "The squared one-step error of a sequence overflows float64: X "
                f"holds values up to {np.abs(targets).max():.3g}. Rescale X."
            )
        return total, lengths

    def score_samples(self, X):
        """Log-likelihood of each sequence under the model.

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Sequences of the kind seen at fit.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Text and tokens: the sum of the natural log-probabilities of
            every predicted token, the end marker included (tokens unseen at
            fit are scored as the out-of-vocabulary id). Numeric series:
            minus the sum over the predicted steps (all but the first) of the
            squared one-step error, summed over channels.
        """
        check_is_fitted(self)
        inputs, targets, lengths = self._next_step_data(X, reset=False)
        total, _ = self._log_likelihoods(inputs, targets, lengths)
        return total

    def score(self, X, y=None):
        """Mean log-likelihood per predicted token (higher is better).

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Sequences of the kind seen at fit.
        y : None
            Ignored.

        Returns
        -------
        score : float
            The sum of :meth:`score_samples` over ``X`` divided by the number
            of predicted tokens (for numeric series: minus the mean squared
            one-step error per predicted step).
        """
        check_is_fitted(self)
        inputs, targets, lengths = self._next_step_data(X, reset=False)
        if len(lengths) == 0:
            # A mean over no token is undefined (sklearn's metrics refuse it).
            raise ValueError(
                "Found empty input: X holds 0 sequences, while score needs at "
                "least one."
            )
        total, count = self._log_likelihoods(inputs, targets, lengths)
        return float(total.sum() / count.sum())

    @available_if(_fitted_on_discrete)
    def perplexity(self, X):
        """Perplexity of the model on ``X``: ``exp(-score(X))``.

        Parameters
        ----------
        X : iterable of str or array-like of token ids
            Text or token sequences of the kind seen at fit.

        Returns
        -------
        perplexity : float
            1 for a model certain of every token; the vocabulary size for
            a uniform guess.
        """
        return float(np.exp(-self.score(X)))

    # ------------------------------------------------------------ predict
    def _network_input(self, X):
        """What the network reads to predict the step after each sequence."""
        if self._input_kind == "numeric":
            # The next value follows the last real step: every step is input.
            return super()._network_input(X)
        # [begin, t_1, ..., t_n]: the end marker is never input.
        inputs, _, lengths = self._next_step_data(X, reset=False)
        return inputs, lengths

    def _last_outputs(self, X):
        """Head outputs after the last step of each sequence of ``X``."""
        check_is_fitted(self)
        return self._mask_outputs(self._predict_last(*self._network_input(X)))

    @available_if(_fitted_on_discrete)
    def predict_proba(self, X):
        """Distribution of the next token after each sequence.

        Parameters
        ----------
        X : iterable of str or array-like of token ids
            Text or token sequences of the kind seen at fit.

        Returns
        -------
        proba : ndarray of shape (n_samples, `vocabulary_size_`)
            Columns in id order; the padding and begin ids get 0, the end
            id is the probability that the sequence ends there.
        """
        return np.exp(log_probabilities(self._last_outputs(X)))

    def predict(self, X):
        """The most likely next token (or the next value) after each sequence.

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Sequences of the kind seen at fit.

        Returns
        -------
        next : ndarray of shape (n_samples,) or (n_samples, n_channels)
            Text: the next token as a str (``""`` when the most likely next
            event is the end of the text); tokens: the next id; numeric
            series: the next value, one per sequence for univariate series.
            As in :meth:`generate` (greedy), only ids that were a target in
            the training data are predicted: ``"<unk>"`` only when training
            tokens were out of vocabulary (``min_df``, ``max_features``).
        """
        out = self._last_outputs(X)
        if self._input_kind == "numeric":
            return out.ravel() if out.shape[1] == 1 else out
        out[:, self._never_sampled()] = MASKED_LOGIT
        ids = np.argmax(out, axis=1)
        if self._input_kind == "tokens":
            return ids
        names = self._token_names()
        return np.array([names[i] for i in ids], dtype=object)

    def _never_sampled(self):
        """Ids that were never a training target: generate never draws them."""
        return ~self._seen_targets

    def _token_names(self):
        """The string of every id: "" for the reserved markers, "<unk>" for OOV."""
        names = [""] * self.vocabulary_size_
        names[OOV_ID] = UNK_MARKER
        for token, i in getattr(self.tokenizer_, "vocabulary_", {}).items():
            names[i] = str(token)
        return names

    # ----------------------------------------------------------- generate
    @validate_params(
        {
            "n_steps": [Interval(Integral, 1, None, closed="left")],
            "prompt": [None, "array-like", str],
            "temperature": [Interval(Real, 0, None, closed="left")],
            "top_k": [None, Interval(Integral, 1, None, closed="left")],
            "n_samples": [Interval(Integral, 1, None, closed="left")],
            "stop_at_end": ["boolean"],
            "random_state": ["random_state"],
        },
        prefer_skip_nested_validation=True,
    )
    def generate(
        self,
        n_steps=100,
        *,
        prompt=None,
        temperature=1.0,
        top_k=None,
        n_samples=1,
        stop_at_end=True,
        random_state=None,
    ):
        """Generate text or token ids, or continue a series.

        Tokens are drawn only among the ids that were a target in the
        training data (the tokens of the training documents and the end
        marker): the padding, begin and out-of-vocabulary ids never come
        out. The out-of-vocabulary id ("<unk>") is drawn only when the
        tokenizer made training tokens out of vocabulary (``min_df``,
        ``max_features``): it then stands for those rare tokens.

        Parameters
        ----------
        n_steps : int, default=100
            Tokens to draw (at most: fewer when the end marker is drawn and
            ``stop_at_end``), or values to generate for a numeric model.
        prompt : str, array-like or None, default=None
            Text (or token ids) the generated tokens continue; the network
            reads it first. None starts a new document. A text model also
            takes a list of tokens (``["the", "old"]``), as in pre-tokenized
            text; the returned text then begins with them joined as the
            model joins tokens (by spaces, or by nothing for characters).
            Required for a numeric model: a series of shape (T,) or (T,
            n_channels).
        temperature : float, default=1.0
            Divides the logits before sampling: below 1 sharpens, above 1
            flattens the distribution; 0 is greedy (the most likely token
            each step).
        top_k : int or None, default=None
            Sample only among the ``top_k`` most likely tokens (tokens tied
            with the k-th are kept too); 1 is greedy.
        n_samples : int, default=1
            Independent texts to generate.
        stop_at_end : bool, default=True
            Whether a text ends when the end marker is drawn. If False, a new
            document begins there (the state restarts as for a document
            without prompt) and generation goes on for ``n_steps`` tokens
            in all, the end markers included. Each end marker drawn then
            separates the documents in the output: a newline ``"\\n"`` in
            text (also in a word model, with no space around it), the end
            id 3 in token ids. With True, the end marker is never output.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws; the same value gives the same text.

            A numeric model ignores ``temperature``, ``top_k``,
            ``n_samples``, ``stop_at_end`` and ``random_state``: its
            continuation is deterministic.

        Returns
        -------
        generated : str, list of str, ndarray
            Text models: the prompt followed by the generated text (tokens
            joined with spaces for a word model, documents separated by
            newlines), one str, or a list of ``n_samples`` of them. Token
            models: the prompt's ids followed by the generated ids (the end
            id only between documents, see ``stop_at_end``), one int64 array
            or a list of them. Numeric models: the new values only, an ndarray of
            shape (n_steps, n_channels).
        """
        check_is_fitted(self)
        if self._input_kind == "numeric":
            return self._continue_series(prompt, n_steps)
        prompt_ids, prompt_text = self._prompt_ids(prompt)
        rng = check_random_state(random_state)
        uniforms = rng.random_sample((n_samples, n_steps))
        ids = np.tile(prompt_ids, (n_samples, 1))
        lengths = np.full(n_samples, prompt_ids.shape[0], dtype=np.int64)
        forbidden = self._never_sampled()
        # A top_k beyond the vocabulary keeps every token, as 0 does; capped,
        # it fits the kernel's int64 whatever the user passed.
        top_k = min(top_k or 0, self.vocabulary_size_)
        tokens, n_generated = self._network.sample(
            ids, lengths, uniforms, forbidden, temperature, top_k, BEGIN_ID,
            END_ID, stop_at_end,
        )  # fmt: skip
        results = []
        for row, n in zip(tokens, n_generated):
            new = row[:n]
            if stop_at_end:
                new = new[new != END_ID]
            if self._input_kind == "tokens":
                results.append(np.concatenate([prompt_ids[1:], new]))
            else:
                results.append(self._join(prompt_text, new))
        return results[0] if n_samples == 1 else results

    def _token_separator(self):
        """What joins tokens into text: "" for a character model; " " for a
        word model, or one fitted on pre-tokenized text whatever its
        analyzer."""
        char = getattr(self.tokenizer_, "analyzer", "word") == "char" and not getattr(
            self.tokenizer_, "_pretokenized", False
        )
        return "" if char else " "

    def _join(self, prompt_text, ids):
        """The prompt then the drawn tokens; each end marker becomes a newline."""
        names = self._token_names()
        sep = self._token_separator()
        char = sep == ""
        documents = [[]]
        for i in ids.tolist():
            if i == END_ID:
                documents.append([])
            else:
                documents[-1].append(names[i])
        text = _DOCUMENT_SEPARATOR.join(sep.join(doc) for doc in documents)
        if not prompt_text:
            return text
        if char or not documents[0] or prompt_text[-1].isspace():
            return prompt_text + text
        return prompt_text + " " + text

    def _prompt_ids(self, prompt):
        """``[begin, prompt ids...]`` and the prompt's text ("" if none)."""
        if prompt is None:
            return np.array([BEGIN_ID], dtype=np.int64), ""
        if self._input_kind == "text":
            tokens = isinstance(prompt, (list, tuple)) and all(
                isinstance(t, str) for t in prompt
            )
            if not isinstance(prompt, str) and not tokens:
                raise ValueError(
                    "This model was fitted on text: the prompt must be a str or a "
                    f"list of str tokens, got {type(prompt).__name__}."
                )
            document = list(prompt) if tokens else prompt
            ids = tokenize(
                self, [document], reset=False, whole_documents=self._whole_documents
            )[0]
            if tokens:
                prompt = self._token_separator().join(prompt)
            ids = ids[ids != PAD_ID]
            if ids.size and np.all(ids == OOV_ID):
                # Read as OOV tokens like any document (API.md), but said.
                warnings.warn(
                    f"The prompt {prompt!r} holds only tokens unseen at fit: it "
                    "is read as out-of-vocabulary tokens, so the text that "
                    "follows does not depend on its words.",
                    UserWarning,
                    stacklevel=3,
                )
            return np.concatenate([[BEGIN_ID], ids]).astype(np.int64), prompt
        if isinstance(prompt, str):
            raise ValueError(
                "This model was fitted on token ids: the prompt must be a sequence "
                "of ids, got a str."
            )
        ids = check_array(prompt, ensure_2d=False, dtype=None, input_name="prompt")
        if ids.ndim != 1 or ids.dtype.kind not in "iu":
            raise ValueError("The prompt must be a 1-D sequence of integer token ids.")
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocabulary_size_):
            raise ValueError(
                f"Token ids out of range: they must lie in [0, "
                f"{self.vocabulary_size_}), got values in [{ids.min()}, {ids.max()}]."
            )
        ids = ids[ids != PAD_ID]
        _check_no_markers(ids, "The prompt")
        return np.concatenate([[BEGIN_ID], ids]).astype(np.int64), ""

    def _continue_series(self, prompt, n_steps):
        if prompt is None:
            raise ValueError(
                "This model was fitted on numeric series: generate needs a prompt "
                "series of shape (n_timesteps,) or (n_timesteps, n_channels)."
            )
        if isinstance(prompt, str) or text_documents([prompt]) is not None:
            raise ValueError(
                "This model was fitted on numeric series: the prompt must be a "
                "series of numbers, not text."
            )
        series = check_array(
            prompt, ensure_2d=False, dtype=[np.float64, np.float32],
            input_name="prompt",
        )  # fmt: skip
        if series.ndim == 1:
            series = series[:, None]
        if series.ndim != 2 or series.shape[1] != self.n_channels_in_:
            raise ValueError(
                f"The prompt must have shape (n_timesteps,) or (n_timesteps, "
                f"{self.n_channels_in_}), got {series.shape}."
            )
        network = self._network
        x = np.ascontiguousarray(
            cast_to_compute_dtype(series[None], network.dtype, "The prompt")
        )
        lengths = np.array([series.shape[0]], dtype=np.int64)
        return network.continue_series(x, lengths, n_steps)[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags
