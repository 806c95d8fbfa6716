"""The training layer: data, batches, truncated BPTT and the epoch loop.

It works on arrays and three plain objects, never on an estimator:

* :class:`TrainingData`: what to learn from (sequences, lengths, targets,
  weights), with a target per sequence (many-to-one) or at every step;
* :class:`TrainingSettings`: how to learn, frozen for one ``fit`` call
  (batching, regularisation, truncation, stopping rule, verbosity);
* :class:`TrainingRecord`: what happened, filled in epoch after epoch with
  scikit-learn's MLP quantities (loss curve, iterations, best loss and
  weights, validation scores). The estimator keeps it across ``partial_fit``
  and warm-started fits and copies it into its fitted attributes.

:func:`run_epochs` is the only loop over epochs and minibatches.

Truncated backpropagation through time (``bptt_steps=k``) has one design:
the gradient of a loss flows back through at most ``k`` steps, and the state
entering a window of ``k`` steps is a constant carried from the steps before
it. Where the losses are decides how that reads:

* one loss per sequence, at its last step (many-to-one): the window is the
  last ``k`` steps of each sequence; the steps before it are run forward
  only, in the same update (:func:`terminal_window_loss_and_grad`);
* a loss at every step (next-step models): every window has losses, so every
  window is an update; ``batch_size`` lanes read their sequences window
  after window and carry the state from one window to the next of the same
  sequence (:meth:`TrainingData.batches`, :func:`initial_states`), long
  sequences first cut so that the lanes are filled (:func:`arrange_for_lanes`).

A bidirectional network has no carried state for its reverse direction:
:func:`check_truncation` refuses it, once, for every estimator.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import time
from dataclasses import dataclass, field, fields, replace

import numpy as np

from skrnn._kernels._optim import add_l2_penalty, clip_global_norm
from skrnn._network import take_steps

# batch_size="auto": this many sequences (or lanes) per batch at most.
AUTO_BATCH_SIZE = 32
# A sequence is cut for the lanes only into pieces of at least this many
# windows of bptt_steps (each cut restarts the state from zero).
MIN_WINDOWS_PER_PIECE = 10
# A plateau divides the learning rate by this factor, at most this many times.
PLATEAU_FACTOR = 2.0
MAX_PLATEAUS = 3


def resolve_batch_size(batch_size, n_sequences=None):
    """Sequences (or lanes) per batch: ``batch_size`` or the "auto" size.

    Capped at ``n_sequences`` when given.
    """
    size = AUTO_BATCH_SIZE if batch_size == "auto" else int(batch_size)
    return size if n_sequences is None else min(size, n_sequences)


def check_truncation(bptt_steps, bidirectional):
    """Refuse truncated BPTT on a bidirectional network."""
    if bidirectional and bptt_steps is not None:
        raise ValueError(
            "bptt_steps (truncated backpropagation through time) needs "
            "bidirectional=False: the reverse direction has no past state to "
            "carry across windows."
        )


@dataclass(frozen=True, eq=False)
class TrainingSettings:
    """How to train, fixed for one ``fit`` call.

    Parameters
    ----------
    loss : {"softmax", "squared", "squared_stop"}
        Softmax cross-entropy on class ids, squared error, or squared error
        plus the logistic loss of a stop logit in the last output (numeric
        targets of different lengths, see
        :func:`skrnn._kernels._dense.squared_error_with_stop`).
    weight_mask : ndarray of shape (n_params,)
        1 on the weight matrices (L2 applies), 0 on the biases.
    batch_size : int or "auto", default="auto"
        Sequences per minibatch, or lanes of truncated BPTT at every step
        (see :func:`resolve_batch_size`).
    shuffle : bool, default=True
        Whether each epoch reads the sequences in a new random order.
    dropout : float, default=0.0
        Inverted-dropout rate between layers and before the head.
    clip_norm : float or None, default=None
        Largest global norm of a minibatch gradient.
    alpha : float, default=0.0
        L2 penalty ``alpha / 2 * ||W||^2 / batch.weight``, as in MLP (the
        sum of the sample weights, or the number of predicted steps).
    bptt_steps : int or None, default=None
        Truncation window (None: full BPTT); see the module docstring.
    tol : float, default=1e-4
        Smallest improvement of an epoch (see :func:`update_no_improvement`).
    n_iter_no_change : int, default=10
        Epochs without improvement tolerated before a plateau.
    verbose : int, default=0
        Whether to print a line per epoch and per plateau.
    output_mask : ndarray of shape (n_outputs,) of bool or None, default=None
        Outputs that are never a target of a loss at every step (pinned to
        probability 0, see :meth:`RNNNetwork.sequence_loss_and_grad`).
    frozen : ndarray of shape (n_params,) of bool or None, default=None
        Parameters kept bit-identical during training (a frozen embedding):
        their gradient is zeroed before clipping and the update, and the
        optimizer's state for them is cleared at the start of training.
        ``weight_mask`` should be 0 on them (no L2 penalty).
    """

    loss: str
    weight_mask: np.ndarray
    batch_size: object = "auto"
    shuffle: bool = True
    dropout: float = 0.0
    clip_norm: float = None
    alpha: float = 0.0
    bptt_steps: int = None
    tol: float = 1e-4
    n_iter_no_change: int = 10
    verbose: int = 0
    output_mask: np.ndarray = None
    frozen: np.ndarray = None


@dataclass(eq=False)
class TrainingRecord:
    """What training did so far: scikit-learn's MLP record, and the best weights.

    ``validation_scores`` and ``best_validation_score`` are None until a fit
    with early stopping; ``best_loss`` is None during one (the validation
    score decides, as in MLP).
    """

    loss_curve: list = field(default_factory=list)
    n_iter: int = 0
    t: int = 0
    best_loss: float = np.inf
    validation_scores: list = None
    best_validation_score: float = None
    best_theta: np.ndarray = None
    no_improvement_count: int = 0
    n_plateaus: int = 0

    def start_run(self, theta, early_stopping):
        """Start a ``fit`` call from the weights ``theta``: a new best record."""
        self.no_improvement_count = 0
        self.n_plateaus = 0
        self.best_theta = theta.copy()
        if early_stopping:
            if self.validation_scores is None:  # switched on in a warm start
                self.validation_scores = []
            self.best_loss = None
            self.best_validation_score = -np.inf
        else:
            self.best_loss = np.inf


class EpochCheckpoint:
    """The training state at the start of an epoch, to go back to.

    An epoch changes the weights, the optimizer's state (moments, step
    count, learning rate), the record and the random stream; an epoch that
    does not complete (an interrupt, an error, non-finite weights) is undone
    by :meth:`restore`, so that training ends on the state of the last
    completed epoch. It costs a copy of ``theta`` and of the optimizer's
    state per epoch, small beside the epoch itself.
    """

    def __init__(self, network, optimizer, record, random_state):
        self._objects = network, optimizer, record, random_state
        self._theta = network.theta.copy()
        self._optimizer = optimizer.get_state()
        # The record's lists only grow during an epoch: truncated back.
        self._record = replace(record)
        self._n_losses = len(record.loss_curve)
        scores = record.validation_scores
        self._n_scores = None if scores is None else len(scores)
        self._random_state = random_state.get_state()

    def restore(self):
        """Put the state back as it was when the checkpoint was taken."""
        network, optimizer, record, random_state = self._objects
        network.theta[:] = self._theta
        optimizer.set_state(self._optimizer)
        for name in (f.name for f in fields(record)):
            if name not in ("loss_curve", "validation_scores"):
                setattr(record, name, getattr(self._record, name))
        # In place: the estimator's loss_curve_ is the same list.
        del record.loss_curve[self._n_losses :]
        if self._n_scores is not None:
            del record.validation_scores[self._n_scores :]
        random_state.set_state(self._random_state)


class TrainingData:
    """Padded sequences, their lengths, their targets and sample weights.

    Parameters
    ----------
    inputs : ndarray of shape (n, T, F), or (n, T) int64 token ids
        Left-aligned sequences.
    lengths : ndarray of shape (n,), int64
        Real steps of each sequence (at least 1).
    targets : ndarray
        Many-to-one: ``(n,)`` int64 class ids or ``(n, C)`` values. At every
        step: ``(n, T)`` int64 or ``(n, T, C)``, the target of each step.
    sample_weight : ndarray of shape (n,) or (n, T), or None, default=None
        Many-to-one: the weight of each sequence (required). At every step:
        None (each predicted step weighs 1) or the weight of each step
        ``(n, T)``, zero past each sequence's length.
    every_step : bool, default=False
        Whether there is a target at every step.
    lanes, continues : ndarray of shape (n,) or None, default=None
        Set on the batches of truncated BPTT in lanes: the lane of each row,
        and whether the row continues the lane's previous window.
    decoder_inputs : ndarray of shape (n, T_y) or (n, T_y, F_y), default=None
        Set for pairs (an encoder-decoder): the decoder's input at each
        target step (the begin marker, then the target but its last step);
        ``targets`` is then ``(n, T_y)`` or ``(n, T_y, C)``, the target of
        each step, and ``sample_weight`` None or per target step ``(n,
        T_y)``.
    target_lengths : ndarray of shape (n,), int64, default=None
        Set for pairs: the target steps of each pair (at least 1).
    """

    def __init__(
        self, inputs, lengths, targets, sample_weight=None, *, every_step=False,
        lanes=None, continues=None, decoder_inputs=None, target_lengths=None,
    ):  # fmt: skip
        self.inputs = inputs
        self.lengths = lengths
        self.targets = targets
        self.sample_weight = sample_weight
        self.every_step = every_step
        self.lanes = lanes
        self.continues = continues
        self.decoder_inputs = decoder_inputs
        self.target_lengths = target_lengths

    def __len__(self):
        return self.lengths.shape[0]

    @property
    def pairs(self):
        """Whether these are (source, target sequence) pairs."""
        return self.decoder_inputs is not None

    @property
    def weight(self):
        """Weight of this data in an epoch's mean loss: the sum of the sample
        (or step) weights, or the number of predicted steps."""
        if self.sample_weight is None:
            steps = self.target_lengths if self.pairs else self.lengths
            return float(steps.sum())
        return float(self.sample_weight.sum())

    def take(self, index):
        """The sequences ``index`` (an index array or a slice), trimmed to
        their longest."""
        lengths = self.lengths[index]
        T = int(lengths.max())
        if self.pairs:
            return self._take_pairs(index, T)
        targets = self.targets[index, :T] if self.every_step else self.targets[index]
        weight = self.sample_weight
        if weight is not None:
            weight = np.ascontiguousarray(
                weight[index, :T] if weight.ndim == 2 else weight[index]
            )
        return TrainingData(
            np.ascontiguousarray(self.inputs[index, :T]),
            np.ascontiguousarray(lengths),
            np.ascontiguousarray(targets),
            weight,
            every_step=self.every_step,
        )

    def _take_pairs(self, index, T):
        """:meth:`take` for pairs: sources trimmed to ``T``, targets to
        their longest."""
        target_lengths = self.target_lengths[index]
        T_y = int(target_lengths.max())
        weight = self.sample_weight
        if weight is not None:
            weight = np.ascontiguousarray(weight[index, :T_y])
        return TrainingData(
            np.ascontiguousarray(self.inputs[index, :T]),
            np.ascontiguousarray(self.lengths[index]),
            np.ascontiguousarray(self.targets[index, :T_y]),
            weight,
            decoder_inputs=np.ascontiguousarray(self.decoder_inputs[index, :T_y]),
            target_lengths=np.ascontiguousarray(target_lengths),
        )

    def _runs(self, sequences, starts, lengths, **batch_fields):
        """Runs of steps at every step: ``lengths[i]`` steps of sequence
        ``sequences[i]`` from step ``starts[i]``."""
        lengths = np.asarray(lengths, dtype=np.int64)
        index = np.asarray(starts)[:, None] + np.arange(int(lengths.max()))
        index = np.minimum(index, self.inputs.shape[1] - 1)
        rows = np.asarray(sequences)[:, None]
        weight = None
        if self.sample_weight is not None:
            # Steps past a run's length (clamped indices) weigh nothing.
            valid = np.arange(index.shape[1])[None, :] < lengths[:, None]
            weight = np.where(valid, self.sample_weight[rows, index], 0.0)
        return TrainingData(
            np.ascontiguousarray(self.inputs[rows, index]),
            lengths,
            np.ascontiguousarray(self.targets[rows, index]),
            weight,
            every_step=True,
            **batch_fields,
        )

    def cut(self, piece_length):
        """Cut every sequence longer than ``piece_length`` into pieces.

        At every step only. The state starts from zero at each piece (see
        :func:`arrange_for_lanes`).
        """
        if self.lengths.max() <= piece_length:
            return self
        source, starts, lengths = [], [], []
        for i, n in enumerate(self.lengths.tolist()):
            for start in range(0, n, piece_length):
                source.append(i)
                starts.append(start)
                lengths.append(min(piece_length, n - start))
        return self._runs(source, starts, lengths)

    def split_tail(self, n_steps):
        """Split off the last ``n_steps`` predicted steps, by position.

        At every step only. The sequences are read one after the other, in
        order. ``head`` holds every step before the last ``n_steps``: the
        sequences before the cut and, when the cut falls inside a sequence,
        that sequence's first part; ``tail`` holds the rest, its first
        sequence starting at the cut. ``0 < n_steps < lengths.sum()``.

        Returns
        -------
        head, tail : TrainingData
        """
        ends = np.cumsum(self.lengths)
        cut = int(ends[-1]) - n_steps
        k = int(np.searchsorted(ends, cut, side="right"))  # sequence cut
        offset = cut - int(ends[k] - self.lengths[k])  # its steps in the head
        head_lengths = [*self.lengths[:k].tolist(), offset][: k + (offset > 0)]
        head_count = len(head_lengths)
        head = self._runs(
            np.arange(head_count), np.zeros(head_count, np.int64), head_lengths
        )
        tail_lengths = self.lengths[k:].copy()
        tail_lengths[0] -= offset
        starts = np.zeros_like(tail_lengths)
        starts[0] = offset
        tail = self._runs(np.arange(k, len(self)), starts, tail_lengths)
        return head, tail

    def batches(self, rng, settings):
        """Yield the minibatches of one epoch.

        Consecutive slices of an order of the sequences (shuffled with
        ``rng`` if ``settings.shuffle``); at every step with ``bptt_steps``,
        the windows of the lanes (see :meth:`_lane_batches`).
        """
        n = len(self)
        batch_size = resolve_batch_size(settings.batch_size, n)
        order = rng.permutation(n) if settings.shuffle else np.arange(n)
        if self.every_step and settings.bptt_steps is not None:
            yield from self._lane_batches(order, batch_size, settings.bptt_steps)
            return
        for lo in range(0, n, batch_size):
            # In order, a slice: the batch is a view, not a copy, when its
            # longest sequence is as long as the data's.
            if settings.shuffle:
                yield self.take(order[lo : lo + batch_size])
            else:
                yield self.take(slice(lo, lo + batch_size))

    def _lane_batches(self, order, n_lanes, k):
        """Windows of ``k`` steps read by ``n_lanes`` stateful lanes.

        Sequences are dealt, in ``order``, to the lane with the fewest steps
        so far, so that the lanes finish together; each lane reads its
        sequences window after window.
        """
        queues = [[] for _ in range(n_lanes)]
        load = np.zeros(n_lanes, dtype=np.int64)
        for i in order.tolist():
            lane = int(np.argmin(load))
            queues[lane].append(i)
            load[lane] += self.lengths[i]
        position = [0] * n_lanes  # index of the current sequence in each queue
        offset = [0] * n_lanes  # steps of the current sequence already read
        while True:
            lanes = [q for q in range(n_lanes) if position[q] < len(queues[q])]
            if not lanes:
                return
            seqs = np.array([queues[q][position[q]] for q in lanes])
            starts = np.array([offset[q] for q in lanes])
            lengths = np.minimum(self.lengths[seqs] - starts, k)
            yield self._runs(
                seqs, starts, lengths, lanes=np.asarray(lanes), continues=starts > 0
            )
            for j, q in enumerate(lanes):
                offset[q] += int(lengths[j])
                if offset[q] >= self.lengths[seqs[j]]:
                    position[q] += 1
                    offset[q] = 0


# ---------------------------------------------------------- truncated BPTT
def lane_piece_length(lengths, bptt_steps, batch_size):
    """Longest piece a sequence is cut into for truncated BPTT in lanes.

    Each lane's share of the steps, rounded up to whole windows and at
    least ``MIN_WINDOWS_PER_PIECE`` windows: a cut restarts the state from
    zero, which only a long sequence can afford (its pieces then fill the
    lanes that one sequence alone would leave idle).
    """
    lanes = resolve_batch_size(batch_size)
    share = -(-int(lengths.sum()) // lanes)
    windows = max(-(-share // bptt_steps), MIN_WINDOWS_PER_PIECE)
    return windows * bptt_steps


def arrange_for_lanes(data, settings):
    """The data as the lanes read it: long sequences cut into pieces.

    With ``piece_length`` about ``ceil(total steps / lanes)``, one long text
    fills every lane, at the cost of a state reset per piece and epoch.
    Only data with a target at every step and ``bptt_steps`` set is cut.
    """
    if not data.every_step or settings.bptt_steps is None:
        return data
    return data.cut(
        lane_piece_length(data.lengths, settings.bptt_steps, settings.batch_size)
    )


def initial_states(network, batch, carried):
    """States carried into ``batch`` from the previous window of each lane.

    ``carried`` is ``(lanes, h, c)`` after the previous batch, or None.
    Returns ``(h0, c0)``, or ``(None, None)`` for zero states.
    """
    if batch.lanes is None or not batch.continues.any():
        return None, None
    h0, c0 = network.zero_states(batch.lanes.shape[0])
    lanes, h, c = carried
    where = {q: j for j, q in enumerate(lanes.tolist())}
    for j, q in enumerate(batch.lanes.tolist()):
        if batch.continues[j]:
            h0[:, :, j] = h[:, :, where[q]]
            c0[:, :, j] = c[:, :, where[q]]
    return h0, c0


def terminal_window_loss_and_grad(network, batch, weights, loss, grad, k, masks):
    """Loss at each sequence's last step, its gradient truncated to ``k`` steps.

    The steps before each sequence's last ``k`` are run forward once,
    without caches (:meth:`RNNNetwork.stream`); the window then starts from
    the state they reach, a constant (TBPTT(k) for a terminal loss), and
    the gradient of the loss at the last step flows back through the window
    only: memory is O(B x k x H) whatever the length. Unidirectional
    networks only.
    """
    x, lengths = batch.inputs, batch.lengths
    T = x.shape[1]
    start = np.maximum(lengths - k, 0)
    # The steps before the windows: forward only, without caches.
    before = int(start.max())
    prefix_masks = None if masks is None else [m[:, :before] for m in masks[:-1]]
    h0, c0 = network.stream(x[:, :before], start, masks=prefix_masks)
    index = np.minimum(start[:, None] + np.arange(k), T - 1)
    window_masks = None
    if masks is not None:
        window_masks = [take_steps(m, index) for m in masks[:-1]] + [masks[-1]]
    return network.loss_and_grad(
        take_steps(x, index), lengths - start, batch.targets, weights, loss, grad,
        window_masks, h0, c0,
    )  # fmt: skip


# ------------------------------------------------------------ one batch
def dropout_masks(network, batch, rate, random_state):
    """Inverted-dropout masks for one batch (None when ``rate`` is 0)."""
    if rate == 0:
        return None
    B, T = batch.inputs.shape[:2]
    keep = 1.0 - rate
    if batch.pairs:
        shapes = network.dropout_shapes(B, T, batch.decoder_inputs.shape[1])
    else:
        D = network.hidden_size * network.n_directions
        head_shape = (B, T, D) if batch.every_step else (B, D)
        shapes = [(B, T, D)] * (network.n_layers - 1) + [head_shape]
    return [
        ((random_state.random_sample(shape) < keep) / keep).astype(network.dtype)
        for shape in shapes
    ]


def batch_loss_and_grad(
    network, batch, grad, settings, masks=None, carried=None, weight=None
):
    """Regularised loss of one batch; its gradient is written to ``grad``.

    Many-to-one, the data term is ``sum(w_i l_i) / sum(w_i)``; at every step
    (and for pairs, at every target step), the mean loss over the predicted
    steps, or with step weights ``sum(w_it l_it) / sum(w_it)``. The L2 term
    is ``alpha / 2 * ||W||^2 / batch.weight`` on weight matrices only, as in
    MLP (predicted steps play the part of samples). Truncated to ``settings.bptt_steps``
    (see the module docstring).

    ``weight`` is ``batch.weight`` when the caller has it already.

    Returns
    -------
    loss : float
    carried : tuple or None
        The lanes' states after this batch (truncated BPTT in lanes), to
        pass with the next batch.
    """
    if weight is None:
        weight = batch.weight
    if batch.pairs:
        step_weights = None
        if batch.sample_weight is not None:
            step_weights = (batch.sample_weight / weight).astype(network.dtype)
        value = network.loss_and_grad(
            batch.inputs, batch.lengths, batch.decoder_inputs, batch.target_lengths,
            batch.targets, settings.loss, grad, masks, settings.output_mask,
            step_weights,
        )  # fmt: skip
    elif batch.every_step:
        h0, c0 = initial_states(network, batch, carried)
        step_weights = None
        if batch.sample_weight is not None:
            step_weights = (batch.sample_weight / weight).astype(network.dtype)
        value, (h, c) = network.sequence_loss_and_grad(
            batch.inputs, batch.lengths, batch.targets, settings.loss, grad, h0, c0,
            masks, settings.output_mask, step_weights,
        )  # fmt: skip
        carried = None if batch.lanes is None else (batch.lanes, h, c)
    else:
        weights = (batch.sample_weight / weight).astype(network.dtype)
        k = settings.bptt_steps
        if k is not None and k < batch.inputs.shape[1]:
            value = terminal_window_loss_and_grad(
                network, batch, weights, settings.loss, grad, k, masks
            )
        else:
            value = network.loss_and_grad(
                batch.inputs, batch.lengths, batch.targets, weights, settings.loss,
                grad, masks,
            )  # fmt: skip
    if settings.alpha == 0:
        return value, carried  # no pass over the parameters (batch 1: ~15% of a step)
    scale = settings.alpha / weight
    penalty = add_l2_penalty(network.theta, settings.weight_mask, scale, grad)
    return value + penalty, carried


# ----------------------------------------------------------- the loop
def run_epochs(
    network,
    optimizer,
    data,
    settings,
    record,
    random_state,
    n_epochs,
    validation_score=None,
    on_epoch_begin=None,
    on_epoch_end=None,
    incremental=False,
):
    """Train ``network`` for up to ``n_epochs`` epochs.

    A full fit ends on the best weights seen (lowest training loss, or best
    validation score with early stopping); on a plateau (see
    :func:`update_no_improvement`) it first goes back to them with a smaller
    learning rate (:func:`reduce_learning_rate`), then stops. A
    ``partial_fit`` epoch (``incremental``) keeps its last weights.

    An epoch either completes or is undone (:class:`EpochCheckpoint`): an
    exception inside one (non-finite weights or loss, see
    :func:`check_finite`; a ``KeyboardInterrupt``) propagates after the
    undo, training ending as it would have at the end of the epoch before
    (a fit on its best weights). An epoch is complete once recorded, before
    ``on_epoch_end``: a callback that raises ends training on its epoch.

    Parameters
    ----------
    network : RNNNetwork
    optimizer : BaseOptimizer
    data : TrainingData
        With a target at every step and ``bptt_steps``, as
        :func:`arrange_for_lanes` returns it (long sequences cut for the
        lanes; uncut, they train too, with idle lanes).
    settings : TrainingSettings
    record : TrainingRecord
        Updated in place (``record.start_run`` was called for a fit).
    random_state : RandomState
        Shuffles the sequences and draws the dropout masks.
    n_epochs : int
    validation_score : callable or None
        ``validation_score()`` scores the current network on held-out data
        (early stopping); higher is better.
    on_epoch_begin, on_epoch_end : callable or None
        Hook points called around each epoch; ``on_epoch_end()`` returning
        True stops training (as a callback asking to stop).
    incremental : bool
        One ``partial_fit`` epoch: no best-weights record, no plateau rule.

    Returns
    -------
    stopped : bool
        True when training stopped on its own (a plateau after the last
        learning-rate reduction, or a callback), False when it ran all
        ``n_epochs``.
    """
    validated = validation_score is not None
    grad = np.zeros_like(network.theta)
    frozen = settings.frozen
    if frozen is not None:
        # Moments left by training before the freeze would still move them.
        optimizer.forget(frozen)
    start = time.perf_counter()
    # Set while an epoch runs; None when the state is that of a completed
    # epoch (or of the start).
    checkpoint = None
    stop = False
    try:
        for epoch in range(1, n_epochs + 1):
            checkpoint = EpochCheckpoint(network, optimizer, record, random_state)
            if on_epoch_begin is not None:
                on_epoch_begin()
            epoch_loss = 0.0
            epoch_weight = 0.0
            carried = None
            for batch in data.batches(random_state, settings):
                weight = batch.weight
                if weight == 0:
                    continue  # nothing to learn from; keeps sum(w l) / sum(w) defined
                masks = dropout_masks(network, batch, settings.dropout, random_state)
                value, carried = batch_loss_and_grad(
                    network, batch, grad, settings, masks, carried, weight
                )
                if frozen is not None:
                    grad[frozen] = 0
                if settings.clip_norm is not None:
                    clip_global_norm(grad, settings.clip_norm)
                optimizer.update(network.theta, grad)
                epoch_loss += value * weight
                epoch_weight += weight
                record.t += len(batch)
            record.n_iter += 1
            record.loss_curve.append(epoch_loss / max(epoch_weight, 1e-300))
            check_finite(network, record.loss_curve[-1])
            if validated:
                record.validation_scores.append(validation_score())
            if settings.verbose:
                print(
                    epoch_line(
                        f"Epoch {record.n_iter}"  # partial_fit: no planned total
                        if incremental
                        else f"Epoch {epoch}/{n_epochs}",
                        record.loss_curve[-1],
                        record.validation_scores[-1] if validated else None,
                        time.perf_counter() - start,
                    )
                )
            plateau = update_no_improvement(
                record, settings, network, validated, incremental
            )
            checkpoint = None  # the epoch is complete
            # Callbacks see the weights of this epoch, before a plateau
            # restores the best ones.
            stop = bool(on_epoch_end()) if on_epoch_end is not None else False
            if plateau and not stop:
                stop = reduce_learning_rate(
                    record, settings, network, optimizer, validated
                )
            if stop:
                break
    finally:
        # An exception inside an epoch (non-finite weights, Ctrl-C, a
        # MemoryError) undoes that epoch before it propagates: the model
        # stays that of the last completed epoch, never a half-updated one.
        if checkpoint is not None:
            checkpoint.restore()
        if not incremental:  # the best weights, also at max_iter
            network.theta[:] = record.best_theta
    return stop


def epoch_line(epoch, loss, validation_score, elapsed):
    """The ``verbose`` line of one epoch."""
    line = f"{epoch}, loss = {loss:.8f}"
    if validation_score is not None:
        line += f", validation score = {validation_score:.6f}"
    return f"{line}, {elapsed:.2f}s"


def reduce_learning_rate(record, settings, network, optimizer, validated):
    """Handle a plateau; return True when training should stop.

    The first ``MAX_PLATEAUS`` plateaus restart from the best weights seen
    with the learning rate divided by ``PLATEAU_FACTOR`` (recurrent losses
    plateau early and spike; a smaller step gets past both); the next one
    stops training. The optimizer keeps its moment estimates: restarting
    them too (Adam's first steps are of the full learning rate) measured
    worse on the memory task of benchmarks/bench_memory_task.py.
    """
    if record.n_plateaus >= MAX_PLATEAUS:
        return True
    record.n_plateaus += 1
    record.no_improvement_count = 0
    network.theta[:] = record.best_theta
    optimizer.learning_rate /= PLATEAU_FACTOR
    if settings.verbose:
        what = "Validation score" if validated else "Training loss"
        print(
            f"{what} did not improve for {settings.n_iter_no_change + 1} epochs: "
            f"back to the best weights, learning rate now "
            f"{optimizer.learning_rate:g}."
        )
    return False


def update_no_improvement(record, settings, network, validated, incremental=False):
    """Track the best epoch; return True on a plateau.

    An epoch improves when its training loss falls below ``best_loss -
    tol`` (cross-entropy) or ``best_loss * (1 - tol)`` (squared error), or,
    with early stopping (``validated``), when its validation score rises
    above the best by ``tol`` (relatively, for a squared-error model).
    Scores are compared as losses (negated). A plateau is
    ``n_iter_no_change + 1`` consecutive epochs without improvement. The best
    weights are those at the end of the epoch with the lowest running mean
    loss (or best validation score). A ``partial_fit`` epoch
    (``incremental``) only updates ``best_loss``.
    """
    if validated:
        value, best = -record.validation_scores[-1], -record.best_validation_score
    else:
        value, best = record.loss_curve[-1], record.best_loss
    if incremental:
        if best is not None and value < best:
            record.best_loss = value
        return False
    # Squared errors have the scale of the targets (a noisy series' next-step
    # error sits near 3e-3): tol is relative to them. Cross-entropy is in
    # nats whatever the data, and tends to 0 on separable data: tol is
    # absolute, as in MLP, so such a fit stops.
    scale = 1.0 if settings.loss == "softmax" else abs(best)
    if np.isfinite(best) and value >= best - settings.tol * scale:
        record.no_improvement_count += 1
    else:
        record.no_improvement_count = 0
    if value < best:
        if validated:
            record.best_validation_score = -value
        else:
            record.best_loss = value
        record.best_theta = network.theta.copy()
    return record.no_improvement_count > settings.n_iter_no_change


def check_finite(network, loss):
    """Raise a ValueError naming the fix when a weight or the epoch's loss
    became NaN or inf."""
    if not (np.isfinite(loss) and np.isfinite(network.theta).all()):
        raise ValueError(
            "The network's weights or loss became non-finite (NaN or inf) during "
            "training. "
            "Lower learning_rate_init, set clip_norm (gradient clipping), or scale "
            "the input."
        )
