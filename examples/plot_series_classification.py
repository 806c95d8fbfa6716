"""
Series classification
=====================

:func:`~skrnn.datasets.make_sequence_classification` hides a short motif in
Gaussian noise: each class owns its own motif of five steps, placed anywhere
in the series. An :class:`~skrnn.RNNClassifier` reads each series step by
step and must spot the motif wherever it sits; a model of the values at
fixed time steps (a logistic regression) serves as the baseline.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The data
# --------
#
# 800 univariate series of 30 steps in three classes: a 2-D array
# ``(n_samples, n_timesteps)``, the shape scikit-learn's estimators take.
# The motifs are +2 or -2 at each step, the noise has a standard deviation
# of 1. We cast the series to float32: skrnn then trains in float32, several
# times faster than in float64. A few series per class:
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from skrnn.datasets import make_sequence_classification

X, y = make_sequence_classification(
    n_samples=800, n_timesteps=30, n_classes=3, motif_length=5, random_state=0
)
X = X.astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

fig, axes = plt.subplots(1, 3, figsize=(11, 3), sharey=True)
for label, ax in enumerate(axes):
    for series in X[y == label][:3]:
        ax.plot(series, linewidth=1)
    ax.set_title(f"class {label}")
    ax.set_xlabel("time step")
axes[0].set_ylabel("value")
fig.tight_layout()
plt.show()

# %%
# A recurrent classifier
# ----------------------
#
# A GRU of 32 units, at most 100 epochs (training stops earlier when the loss
# stops improving; a ``ConvergenceWarning`` says when it was still falling).
from time import perf_counter

from skrnn import RNNClassifier

clf = RNNClassifier(cell="gru", hidden_size=32, max_iter=100, random_state=0)
start = perf_counter()
clf.fit(X_train, y_train)
print(f"{clf.n_iter_} epochs in {perf_counter() - start:.1f} s")
print(f"RNNClassifier held-out accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# A baseline that ignores order
# -----------------------------
#
# A logistic regression on the 30 values of each series: the motif moves from
# series to series, so each weight sees it only now and then. It does better
# than chance (1/3) but far worse than the recurrent model.
from sklearn.linear_model import LogisticRegression

baseline = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print(f"LogisticRegression held-out accuracy: {baseline.score(X_test, y_test):.3f}")

# %%
# The training loss
# -----------------
#
# ``loss_curve_`` holds the mean training loss of each epoch.
plt.figure(figsize=(5, 3))
plt.plot(clf.loss_curve_)
plt.xlabel("epoch")
plt.ylabel("training loss (cross-entropy)")
plt.tight_layout()
plt.show()
