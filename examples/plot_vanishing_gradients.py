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
# A memory task in the spirit of the adding problem of Hochreiter and
# Schmidhuber (1997). Each series has two channels. The first holds standard
# normal noise on every step, except on one step among the first five, where
# it holds the class: -1 or +1. The second channel marks that step with a 1.
# The classifier reads the state after the last step, so it must write the
# marked value into its state and keep it to the end, while every later step
# brings a distractor of the same scale through the same input: a gate that
# opens only on the marker can do that, a tanh unit adds every input to its
# state. ``n_timesteps`` is the distance. 400 series per distance, 30% held
# out.
import numpy as np
from sklearn.model_selection import train_test_split


def memory_task(n_timesteps, n_samples=400, random_state=0):
    rng = np.random.RandomState(random_state)
    y = rng.randint(2, size=n_samples)
    X = np.zeros((n_samples, n_timesteps, 2), dtype=np.float32)
    X[:, :, 0] = rng.normal(size=(n_samples, n_timesteps))
    rows, where = np.arange(n_samples), rng.randint(5, size=n_samples)
    X[rows, where, 0] = 2 * y - 1
    X[rows, where, 1] = 1
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


# %%
# The same budget for every cell
# ------------------------------
#
# 16 units, at most 40 epochs at a learning rate of 0.01, for three values of
# ``random_state`` (the initial weights and the order of the minibatches):
# with a budget this short, whether a network finds the solution depends on
# its start, and three runs show how much.
import warnings
from time import perf_counter

from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

distances = [10, 25, 50, 100]
cells = ["rnn", "lstm", "gru"]
seeds = [0, 1, 2]
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
                max_iter=40,
                random_state=seed,
            )
            accuracy[i, j, k] = clf.fit(X_train, y_train).score(X_test, y_test)
print(f"{accuracy.size} fits in {perf_counter() - start:.1f} s")
print("held-out accuracy of each run, per distance")
for i, cell in enumerate(cells):
    runs = " | ".join(
        f"{d}: " + " ".join(f"{a:.2f}" for a in runs)
        for d, runs in zip(distances, accuracy[i])
    )
    print(f"{cell:>4}  {runs}")

# %%
# Held-out accuracy against the distance
# --------------------------------------
#
# The line is the mean of the three runs, the dots are the runs; 0.5 is
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
plt.xlabel("distance: steps from the marked value to the end")
plt.ylabel("held-out accuracy")
plt.legend()
plt.tight_layout()
plt.show()

# %%
# What came out
# -------------
#
# At 10 steps every cell learns the task in all three runs. At 25 steps the
# tanh RNN already falls short (0.66 to 0.79) while the LSTM and the GRU
# still learn it (0.98 to 1.00). From 50 steps on the tanh RNN is close to
# chance (0.62 at best): its state is ``tanh(x_t W_x + h_{t-1} W_h + b)``,
# the same weights write the marked value and every distractor into it, and
# no gate can shut the distractors out. The LSTM learns 50 steps in one run
# (0.71 and 0.74 in the others) and 100 steps in two of the three (0.51 in
# the third): on this budget it is the only cell that bridges 100 steps,
# though not from every start.
#
# The GRU, built for the same purpose, learns 25 steps but stays at chance
# from 50 on (0.51 at best). A likely reason is its start: skrnn sets the
# LSTM's forget-gate bias to 1, so that a fresh LSTM keeps 0.73 of its cell
# state per step (for a zero input), and every GRU bias to 0, so that a
# fresh GRU keeps half of its state per step. What the direct path keeps of
# the marked value after 50 steps, and of the gradient that should teach the
# network to keep it, is then about 0.73**50, 2e-7, for the LSTM and
# 0.5**50, 9e-16, for the GRU: the gates have to learn to hold the state
# before any useful gradient reaches the marked step. Longer training, more
# data or more units change the picture: rerun with your own settings
# before drawing conclusions for your data.
