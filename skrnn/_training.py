"""The minibatch training loop shared by every estimator.

``run_epochs`` is the only loop over epochs and minibatches. It reads the
training settings from the estimator (duck-typed: hyper-parameters by name)
and records its progress in the estimator's fitted attributes with
scikit-learn's MLP names (``loss_curve_``, ``best_loss_``, ``n_iter_``, ``t_``,
``validation_scores_``, ``best_validation_score_``).
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import time

import numpy as np

from skrnn._kernels._optim import add_l2_penalty, clip_global_norm


class TrainingData:
    """Padded sequences, lengths, encoded targets and sample weights.

    The training set of a many-to-one model: one target per sequence. Its
    minibatches are consecutive slices of a (shuffled) order of the samples.
    """

    every_step = False

    def __init__(self, values, lengths, targets, sample_weight):
        self.values = values
        self.lengths = lengths
        self.targets = targets
        self.sample_weight = sample_weight

    def __len__(self):
        return self.lengths.shape[0]

    def take(self, index):
        """The rows ``index``, trimmed to their longest sequence."""
        lengths = self.lengths[index]
        T = int(lengths.max())
        return TrainingData(
            np.ascontiguousarray(self.values[index, :T]),
            np.ascontiguousarray(lengths),
            np.ascontiguousarray(self.targets[index]),
            self.sample_weight[index],
        )

    def batches(self, rng, batch_size, shuffle):
        """Yield the minibatches of one epoch."""
        n = len(self)
        order = rng.permutation(n) if shuffle else np.arange(n)
        for lo in range(0, n, batch_size):
            batch = self.take(order[lo : lo + batch_size])
            # Epoch losses are averaged with these weights.
            batch.weight = float(batch.sample_weight.sum())
            yield batch

    def loss_and_grad(self, estimator, network, batch, grad, masks):
        """Regularised loss of ``batch``; its gradient is written to ``grad``."""
        return batch_loss_and_grad(
            estimator, network, batch, grad, estimator._loss, masks,
            estimator.bptt_steps,
        )  # fmt: skip


class SequenceData:
    """Next-step training data: inputs and targets at every step.

    Parameters
    ----------
    inputs : ndarray of shape (n, T), int64, or (n, T, F)
        Left-aligned sequences (token ids or values).
    targets : ndarray of shape (n, T), int64, or (n, T, C)
        The target of each step (the next token or value).
    lengths : ndarray of shape (n,), int64
        Predicted steps of each sequence (at least 1).
    loss : {"softmax", "squared"}
    output_mask : ndarray of bool or None
        Outputs that are never a target (see
        :meth:`RNNNetwork.sequence_loss_and_grad`).

    With ``bptt_steps`` set, :meth:`batches` runs truncated BPTT in stateful
    lanes: each of ``batch_size`` lanes reads its sequences window after
    window of ``bptt_steps`` steps, and the state at the end of a window is
    the initial state of the next window of the same sequence. Sequences
    are dealt to the lane with the fewest steps so far, so that the lanes
    finish together; see :meth:`cut` for one long text.
    """

    every_step = True

    def __init__(self, inputs, targets, lengths, loss, output_mask=None):
        self.inputs = inputs
        self.targets = targets
        self.lengths = lengths
        self.loss = loss
        self.output_mask = output_mask
        self.carried = None

    def __len__(self):
        return self.lengths.shape[0]

    def _rows(self, rows, index, lengths):
        return SequenceData(
            np.ascontiguousarray(self.inputs[rows, index]),
            np.ascontiguousarray(self.targets[rows, index]),
            np.asarray(lengths, dtype=np.int64),
            self.loss,
            self.output_mask,
        )

    def take(self, index):
        """The sequences ``index``, trimmed to their longest."""
        index = np.asarray(index)
        lengths = self.lengths[index]
        steps = np.arange(int(lengths.max()))
        return self._rows(index[:, None], steps[None, :], lengths)

    def cut(self, piece_length):
        """Cut every sequence longer than ``piece_length`` into pieces.

        The state starts from zero at each piece: with ``piece_length`` set
        to ``ceil(total steps / batch_size)``, one long text fills every lane
        at the cost of ``batch_size`` state resets per epoch.
        """
        if self.lengths.max() <= piece_length:
            return self
        source, starts, lengths = [], [], []
        for i, n in enumerate(self.lengths.tolist()):
            for start in range(0, n, piece_length):
                source.append(i)
                starts.append(start)
                lengths.append(min(piece_length, n - start))
        index = np.asarray(starts)[:, None] + np.arange(piece_length)
        index = np.minimum(index, self.inputs.shape[1] - 1)
        return self._rows(np.asarray(source)[:, None], index, lengths)

    def split_tail(self, n_steps):
        """Split off the last ``n_steps`` predicted steps, by position.

        The sequences are read one after the other, in order. ``head`` holds
        every step before the last ``n_steps``: the sequences before the cut
        and, when the cut falls inside a sequence, that sequence's first
        part; ``tail`` holds the rest, its first sequence starting at the
        cut. ``0 < n_steps < lengths.sum()``.

        Returns
        -------
        head, tail : SequenceData
        """
        ends = np.cumsum(self.lengths)
        cut = int(ends[-1]) - n_steps
        k = int(np.searchsorted(ends, cut, side="right"))  # sequence cut
        offset = cut - int(ends[k] - self.lengths[k])  # its steps in the head
        head_lengths = [*self.lengths[:k].tolist(), offset][: k + (offset > 0)]
        steps = np.arange(max(head_lengths))
        head = self._rows(
            np.arange(len(head_lengths))[:, None], steps[None, :], head_lengths
        )
        tail_lengths = self.lengths[k:].copy()
        tail_lengths[0] -= offset
        starts = np.zeros_like(tail_lengths)
        starts[0] = offset
        index = starts[:, None] + np.arange(int(tail_lengths.max()))
        index = np.minimum(index, self.inputs.shape[1] - 1)
        tail = self._rows(np.arange(k, len(self))[:, None], index, tail_lengths)
        return head, tail

    def batches(self, rng, batch_size, shuffle, bptt_steps=None):
        """Yield the minibatches of one epoch (see the class docstring)."""
        n = len(self)
        order = rng.permutation(n) if shuffle else np.arange(n)
        self.carried = None
        if bptt_steps is None:
            for lo in range(0, n, batch_size):
                batch = self.take(order[lo : lo + batch_size])
                batch.lanes = None
                batch.weight = float(batch.lengths.sum())
                yield batch
        else:
            yield from self._lane_batches(order, batch_size, bptt_steps)

    def _lane_batches(self, order, n_lanes, k):
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
            index = starts[:, None] + np.arange(int(lengths.max()))
            index = np.minimum(index, self.inputs.shape[1] - 1)
            batch = self._rows(seqs[:, None], index, lengths)
            batch.lanes = np.asarray(lanes)
            batch.continues = starts > 0
            batch.weight = float(lengths.sum())
            yield batch
            for j, q in enumerate(lanes):
                offset[q] += int(lengths[j])
                if offset[q] >= self.lengths[seqs[j]]:
                    position[q] += 1
                    offset[q] = 0

    def initial_states(self, network, batch):
        """States carried into ``batch`` from the previous window of each lane."""
        if batch.lanes is None or not batch.continues.any():
            return None, None
        h0, c0 = network._zero_states(batch.lanes.shape[0])
        lanes, h, c = self.carried
        where = {q: j for j, q in enumerate(lanes.tolist())}
        for j, q in enumerate(batch.lanes.tolist()):
            if batch.continues[j]:
                h0[:, :, j] = h[:, :, where[q]]
                c0[:, :, j] = c[:, :, where[q]]
        return h0, c0

    def loss_and_grad(self, estimator, network, batch, grad, masks):
        """Mean next-step loss of ``batch`` plus L2; gradient into ``grad``.

        The L2 term is ``alpha / 2 * ||W||^2 / n_steps``: the predicted
        steps play the part of MLP's samples.
        """
        h0, c0 = self.initial_states(network, batch)
        value, (h, c) = network.sequence_loss_and_grad(
            batch.inputs, batch.lengths, batch.targets, self.loss, grad, h0, c0,
            masks, self.output_mask,
        )  # fmt: skip
        if batch.lanes is not None:
            self.carried = (batch.lanes, h, c)
        scale = estimator.alpha / batch.weight
        penalty = add_l2_penalty(network.theta, estimator._weight_mask, scale, grad)
        return value + penalty


def batch_shape(batch):
    """``(B, T)`` of a batch of either kind."""
    values = batch.inputs if isinstance(batch, SequenceData) else batch.values
    return values.shape[:2]


def dropout_masks(network, batch, rate, random_state, every_step=False):
    """Inverted-dropout masks for one batch (None when ``rate`` is 0)."""
    if rate == 0:
        return None
    B, T = batch_shape(batch)
    D = network.hidden_size * network.n_directions
    keep = 1.0 - rate
    head_shape = (B, T, D) if every_step else (B, D)
    shapes = [(B, T, D)] * (network.n_layers - 1) + [head_shape]
    return [
        ((random_state.random_sample(shape) < keep) / keep).astype(network.dtype)
        for shape in shapes
    ]


def batch_loss_and_grad(estimator, network, batch, grad, loss, masks, bptt_steps):
    """Regularised loss of one batch; its gradient is written to ``grad``.

    The data term is ``sum(w_i l_i) / sum(w_i)``; the L2 term is
    ``alpha / 2 * ||W||^2 / sum(w_i)`` on weight matrices only, as in MLP.
    The gradient is truncated to ``bptt_steps`` steps (None: full BPTT).
    """
    total_weight = batch.sample_weight.sum()
    weights = (batch.sample_weight / total_weight).astype(network.dtype)
    T = batch.values.shape[1]
    if bptt_steps is not None and bptt_steps < T:
        value = network.truncated_loss_and_grad(
            batch.values, batch.lengths, batch.targets, weights, loss, grad,
            bptt_steps, masks,
        )  # fmt: skip
    else:
        value = network.loss_and_grad(
            batch.values, batch.lengths, batch.targets, weights, loss, grad, masks
        )
    scale = estimator.alpha / total_weight
    return value + add_l2_penalty(network.theta, estimator._weight_mask, scale, grad)


def run_epochs(
    estimator,
    network,
    optimizer,
    data,
    n_epochs,
    validation_score=None,
    on_epoch_begin=None,
    on_epoch_end=None,
    batch_options=(),
    incremental=False,
):
    """Train ``network`` for up to ``n_epochs`` epochs.

    A full fit ends on the best weights seen (lowest training loss, or best
    validation score with early stopping); on a plateau (see
    :func:`update_no_improvement`) it first goes back to them with a smaller
    learning rate (:func:`reduce_learning_rate`), then stops. A
    ``partial_fit`` epoch (``incremental``) keeps its last weights.

    Parameters
    ----------
    estimator : BaseRNN
        Source of the settings and owner of the training record.
    network : RNNNetwork
    optimizer : object with ``update(theta, grad)``
    data : TrainingData or SequenceData
        Yields the minibatches (``batches``) and computes their loss and
        gradient (``loss_and_grad``).
    n_epochs : int
    validation_score : callable or None
        ``validation_score()`` scores the current network on held-out data
        (early stopping); higher is better.
    on_epoch_begin, on_epoch_end : callable or None
        Hook points called around each epoch; ``on_epoch_end()`` returning
        True stops training (as a callback asking to stop).
    batch_options : tuple
        Extra arguments of ``data.batches`` (the generator's ``bptt_steps``).
    incremental : bool
        One ``partial_fit`` epoch: no best-weights record, no plateau rule.

    Returns
    -------
    stopped : bool
        True when training stopped on its own (a plateau after the last
        learning-rate reduction, or a callback), False when it ran all
        ``n_epochs``.
    """
    rng = estimator._random_state
    batch_size = estimator._batch_size(len(data))
    grad = np.zeros_like(network.theta)
    start = time.perf_counter()
    for epoch in range(1, n_epochs + 1):
        if on_epoch_begin is not None:
            on_epoch_begin()
        epoch_loss = 0.0
        epoch_weight = 0.0
        for batch in data.batches(rng, batch_size, estimator.shuffle, *batch_options):
            if batch.weight == 0:
                continue  # nothing to learn from; keeps sum(w l) / sum(w) defined
            masks = dropout_masks(
                network, batch, estimator.dropout, rng, data.every_step
            )
            value = data.loss_and_grad(estimator, network, batch, grad, masks)
            if estimator.clip_norm is not None:
                clip_global_norm(grad, estimator.clip_norm)
            optimizer.update(network.theta, grad)
            epoch_loss += value * batch.weight
            epoch_weight += batch.weight
            estimator.t_ += batch.lengths.shape[0]
        estimator.n_iter_ += 1
        estimator.loss_curve_.append(epoch_loss / max(epoch_weight, 1e-300))
        check_finite(network)
        if validation_score is not None:
            estimator.validation_scores_.append(validation_score())
        validated = validation_score is not None
        if estimator.verbose:
            print(
                epoch_line(
                    f"Epoch {estimator.n_iter_}"  # partial_fit: no planned total
                    if incremental
                    else f"Epoch {epoch}/{n_epochs}",
                    estimator.loss_curve_[-1],
                    estimator.validation_scores_[-1] if validated else None,
                    time.perf_counter() - start,
                )
            )
        plateau = update_no_improvement(estimator, network, validated, incremental)
        # Callbacks see the weights of this epoch, before a plateau restores
        # the best ones.
        stop = bool(on_epoch_end()) if on_epoch_end is not None else False
        if plateau and not stop:
            stop = reduce_learning_rate(estimator, network, optimizer)
        if stop:
            break
    if not incremental:  # the best weights, also at max_iter
        network.theta[:] = estimator._best_theta
    return stop


def epoch_line(epoch, loss, validation_score, elapsed):
    """The ``verbose`` line of one epoch."""
    line = f"{epoch}, loss = {loss:.8f}"
    if validation_score is not None:
        line += f", validation score = {validation_score:.6f}"
    return f"{line}, {elapsed:.2f}s"


# A plateau divides the learning rate by this factor, at most this many times.
PLATEAU_FACTOR = 2.0
MAX_PLATEAUS = 3


def reduce_learning_rate(estimator, network, optimizer):
    """Handle a plateau; return True when training should stop.

    The first ``MAX_PLATEAUS`` plateaus restart from the best weights seen
    with the learning rate divided by ``PLATEAU_FACTOR`` (recurrent losses
    plateau early and spike; a smaller step gets past both); the next one
    stops training. The optimizer keeps its moment estimates: restarting
    them too (Adam's first steps are of the full learning rate) measured
    worse on the memory task of benchmarks/bench_memory_task.py.
    """
    if estimator._n_plateaus >= MAX_PLATEAUS:
        return True
    estimator._n_plateaus += 1
    estimator._no_improvement_count = 0
    network.theta[:] = estimator._best_theta
    optimizer.learning_rate /= PLATEAU_FACTOR
    if estimator.verbose:
        what = "Validation score" if estimator.early_stopping else "Training loss"
        print(
            f"{what} did not improve for {estimator.n_iter_no_change + 1} epochs: "
            f"back to the best weights, learning rate now "
            f"{optimizer.learning_rate:g}."
        )
    return False


def update_no_improvement(estimator, network, early_stopping, incremental=False):
    """Track the best epoch; return True on a plateau.

    An epoch improves when its training loss falls below ``best_loss_ -
    tol`` (cross-entropy) or ``best_loss_ * (1 - tol)`` (squared error), or,
    with early stopping, when its validation score rises above the best by
    ``tol`` (relatively, for a squared-error model). Scores are compared as
    losses (negated). A plateau is ``n_iter_no_change + 1`` consecutive
    epochs without improvement. The best weights are those at the end of the
    epoch with the lowest running mean loss (or best validation score). A
    ``partial_fit`` epoch (``incremental``) only updates ``best_loss_``.
    """
    if early_stopping:
        value, best = (
            -estimator.validation_scores_[-1],
            -estimator.best_validation_score_,
        )
    else:
        value, best = estimator.loss_curve_[-1], estimator.best_loss_
    if incremental:
        if best is not None and value < best:
            estimator.best_loss_ = value
        return False
    # Squared errors have the scale of the targets (a noisy series' next-step
    # error sits near 3e-3): tol is relative to them. Cross-entropy is in
    # nats whatever the data, and tends to 0 on separable data: tol is
    # absolute, as in MLP, so such a fit stops.
    scale = abs(best) if estimator._loss == "squared" else 1.0
    if np.isfinite(best) and value >= best - estimator.tol * scale:
        estimator._no_improvement_count += 1
    else:
        estimator._no_improvement_count = 0
    if value < best:
        if early_stopping:
            estimator.best_validation_score_ = -value
        else:
            estimator.best_loss_ = value
        estimator._best_theta = network.theta.copy()
    return estimator._no_improvement_count > estimator.n_iter_no_change


def check_finite(network):
    """Raise a ValueError naming the fix when a weight became NaN or inf."""
    if not np.isfinite(network.theta).all():
        raise ValueError(
            "The network's weights became non-finite (NaN or inf) during training. "
            "Lower learning_rate_init, set clip_norm (gradient clipping), or scale "
            "the input."
        )
