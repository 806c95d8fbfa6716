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
    """Padded sequences, lengths, encoded targets and sample weights."""

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


def dropout_masks(network, batch, rate, random_state):
    """Inverted-dropout masks for one batch (None when ``rate`` is 0)."""
    if rate == 0:
        return None
    B, T = batch.values.shape[:2]
    D = network.hidden_size * network.n_directions
    keep = 1.0 - rate
    shapes = [(B, T, D)] * (network.n_layers - 1) + [(B, D)]
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
    loss,
    n_epochs,
    validation_score=None,
    on_epoch_begin=None,
    on_epoch_end=None,
):
    """Train ``network`` for up to ``n_epochs`` epochs.

    Parameters
    ----------
    estimator : BaseRNN
        Source of the settings and owner of the training record.
    network : RNNNetwork
    optimizer : object with ``update(theta, grad)``
    data : TrainingData
    loss : {"softmax", "squared"}
    n_epochs : int
    validation_score : callable or None
        ``validation_score()`` scores the current network on held-out data
        (early stopping); higher is better.
    on_epoch_begin, on_epoch_end : callable or None
        Hook points called around each epoch; ``on_epoch_end()`` returning
        True stops training (as a callback asking to stop).

    Returns
    -------
    stopped : bool
        True when training stopped on its own (no improvement), False when
        it ran all ``n_epochs``.
    """
    rng = estimator._random_state
    n = len(data)
    batch_size = estimator._batch_size(n)
    grad = np.zeros_like(network.theta)
    start = time.perf_counter()
    for _ in range(n_epochs):
        if on_epoch_begin is not None:
            on_epoch_begin()
        order = rng.permutation(n) if estimator.shuffle else np.arange(n)
        epoch_loss = 0.0
        epoch_weight = 0.0
        for lo in range(0, n, batch_size):
            batch = data.take(order[lo : lo + batch_size])
            batch_weight = float(batch.sample_weight.sum())
            if batch_weight == 0:
                continue  # nothing to learn from; keeps sum(w l) / sum(w) defined
            masks = dropout_masks(network, batch, estimator.dropout, rng)
            value = batch_loss_and_grad(
                estimator, network, batch, grad, loss, masks, estimator.bptt_steps
            )
            if estimator.clip_norm is not None:
                clip_global_norm(grad, estimator.clip_norm)
            optimizer.update(network.theta, grad)
            epoch_loss += value * batch_weight
            epoch_weight += batch_weight
            estimator.t_ += batch.lengths.shape[0]
        estimator.n_iter_ += 1
        estimator.loss_curve_.append(epoch_loss / max(epoch_weight, 1e-300))
        check_finite(network)
        if validation_score is not None:
            estimator.validation_scores_.append(validation_score())
        if estimator.verbose:
            line = f"Epoch {estimator.n_iter_}, loss = {estimator.loss_curve_[-1]:.8f}"
            if validation_score is not None:
                line += f", validation score = {estimator.validation_scores_[-1]:.6f}"
            print(f"{line}, {time.perf_counter() - start:.2f}s")
        stop = update_no_improvement(estimator, network, validation_score is not None)
        if on_epoch_end is not None:
            stop = on_epoch_end() or stop
        if stop:
            if validation_score is not None:
                network.theta[:] = estimator._best_theta
            return True
    if validation_score is not None:  # as MLP: best weights at max_iter too
        network.theta[:] = estimator._best_theta
    return False


def update_no_improvement(estimator, network, early_stopping):
    """MLP's stopping rule; returns True when training should stop."""
    if early_stopping:
        score = estimator.validation_scores_[-1]
        if score < estimator.best_validation_score_ + estimator.tol:
            estimator._no_improvement_count += 1
        else:
            estimator._no_improvement_count = 0
        if score > estimator.best_validation_score_:
            estimator.best_validation_score_ = score
            estimator._best_theta = network.theta.copy()
    else:
        last = estimator.loss_curve_[-1]
        if last > estimator.best_loss_ - estimator.tol:
            estimator._no_improvement_count += 1
        else:
            estimator._no_improvement_count = 0
        if last < estimator.best_loss_:
            estimator.best_loss_ = last
    return estimator._no_improvement_count > estimator.n_iter_no_change


def check_finite(network):
    """Raise a ValueError naming the fix when a weight became NaN or inf."""
    if not np.isfinite(network.theta).all():
        raise ValueError(
            "The network's weights became non-finite (NaN or inf) during training. "
            "Lower learning_rate_init, set clip_norm (gradient clipping), or scale "
            "the input."
        )
