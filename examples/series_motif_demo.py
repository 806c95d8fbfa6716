"""Quick demo: an LSTM classifier finds a motif hidden anywhere in a series.

The class of each noisy series is set by a three-step motif placed at a
random time step, so no fixed column of the array carries the answer. Prints
the held-out accuracy and training time, and a linear model's accuracy for
contrast.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skrnn import RNNClassifier
from skrnn.datasets import make_sequence_classification

X, y = make_sequence_classification(
    n_samples=2000,
    n_timesteps=30,
    n_classes=3,
    position="random",
    noise=0.5,
    random_state=0,
)
X = X.astype(np.float32)  # float32 input trains in float32, the fast path
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

clf = RNNClassifier(
    cell="lstm", hidden_size=32, learning_rate_init=0.01, max_iter=100, random_state=0
)
start = time.perf_counter()
clf.fit(X_train, y_train)
elapsed = time.perf_counter() - start
print(
    f"RNNClassifier(lstm, 32 units): held-out accuracy {clf.score(X_test, y_test):.3f}"
)
print(
    f"training: {clf.n_iter_} epochs on {len(X_train)} series of 30 steps "
    f"in {elapsed:.1f} s (first run includes Numba compilation)"
)
linear = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print(f"LogisticRegression on the raw steps: {linear.score(X_test, y_test):.3f}")
