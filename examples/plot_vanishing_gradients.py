"""
Remembering across a growing distance: tanh RNN, LSTM and GRU
=============================================================

Recurrent networks learn by backpropagation through time: the gradient that
tells the network how to use an early input is a product of one factor per
step in between, and such products tend to vanish as the distance grows.
The LSTM and the GRU were designed with gates that can keep a state, and its
gradient, unchanged over many steps. This example puts the three cells of
skrnn on a memory task and lets the distance grow, on a budget of seconds.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The task
# --------
#
# :func:`~skrnn.datasets.make_sequence_classification` with
# ``position="start"`` writes each class's motif (three steps of +2 or -2)
# on the first steps of a series and Gaussian noise (standard deviation 0.5)
# on every step. The classifier reads the state after the last step, so it
# must carry the class from the first steps to the end: ``n_timesteps`` is
# the distance. Two classes, 600 series per distance, 30% held out.
import numpy as np
from sklearn.model_selection import train_test_split

from skrnn.datasets import make_sequence_classification


def memory_task(distance):
    X, y = make_sequence_classification(
        n_samples=600,
        n_timesteps=distance,
        position="start",
        noise=0.5,
        random_state=0,
    )
    return train_test_split(
        X.astype(np.float32), y, test_size=0.3, stratify=y, random_state=0
    )


# %%
# The same budget for every cell
# ------------------------------
#
# 16 units, at most 60 epochs at a learning rate of 0.01, for two values of
# ``random_state`` (the initial weights and the order of the minibatches):
# with a budget this short, whether a network finds the solution depends on
# its start, and two runs show how much.
import warnings
from time import perf_counter

from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

distances = [10, 20, 40, 80, 160]
cells = ["rnn", "lstm", "gru"]
seeds = [0, 1]
accuracy = np.empty((len(cells), len(distances), len(seeds)))
start = perf_counter()
for j, distance in enumerate(distances):
    X_train, X_test, y_train, y_test = memory_task(distance)
    for i, cell in enumerate(cells):
        for k, seed in enumerate(seeds):
            clf = RNNClassifier(
                cell=cell,
                hidden_size=16,
                learning_rate_init=0.01,
                max_iter=60,
                random_state=seed,
            )
            accuracy[i, j, k] = clf.fit(X_train, y_train).score(X_test, y_test)
print(f"{accuracy.size} fits in {perf_counter() - start:.1f} s")
for i, cell in enumerate(cells):
    runs = ", ".join(
        f"{d}: {a.min():.2f}/{a.max():.2f}" for d, a in zip(distances, accuracy[i])
    )
    print(f"{cell:>4} (worse/better run per distance) {runs}")

# %%
# Held-out accuracy against the distance
# --------------------------------------
#
# The line is the mean of the two runs, the dots are the runs; 0.5 is
# chance.
import matplotlib.pyplot as plt

labels = {"rnn": "tanh RNN", "lstm": "LSTM", "gru": "GRU"}
plt.figure(figsize=(6, 4))
for i, cell in enumerate(cells):
    (line,) = plt.plot(distances, accuracy[i].mean(axis=1), "o-", label=labels[cell])
    for k in range(len(seeds)):
        plt.scatter(distances, accuracy[i, :, k], color=line.get_color(), s=12)
plt.axhline(0.5, color="k", linewidth=0.8)
plt.xscale("log")
plt.xticks(distances, [str(d) for d in distances])
plt.xlabel("distance: steps between the motif and the end")
plt.ylabel("held-out accuracy")
plt.legend()
plt.tight_layout()
plt.show()

# %%
# What came out
# -------------
#
# Up to 20 steps every cell learns the task in both runs. From 40 steps on,
# some runs fail, and which ones depends on the start as much as on the
# cell. At 160 steps neither gated cell learns the task within 60 epochs,
# while the tanh RNN does in one run (0.74 in the other). So on this budget
# the plot does not show the textbook picture, the tanh RNN failing first:
# every cell finds the task harder as the distance grows, and the gated
# cells need more epochs than this to learn to hold their state. A likely
# part of the reason is the initialisation: skrnn starts every recurrent
# weight matrix orthogonal, which keeps the tanh RNN's gradient from
# shrinking quickly while its units are far from saturation, whereas the
# gates of a fresh LSTM (forget gate about 0.73 at zero input, its bias
# starting at 1) and GRU (update gate about 0.5) let the state fade within
# a few dozen steps until training learns to keep it. Longer training (the
# default ``max_iter=200``), more data or more noise change the picture:
# rerun with your own settings before drawing conclusions for your data.
