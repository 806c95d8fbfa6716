"""
Checking the gradients of your own configuration
================================================

skrnn computes its gradients by backpropagation through time in hand-written
Numba kernels. :func:`skrnn.utils.check_gradients` lets you verify them on
*your* configuration: it copies a fitted estimator's network in float64 and
compares the analytic gradient of its training loss (L2 penalty and class
weights included, dropout off) with central finite differences
``(L(p + e) - L(p - e)) / (2 e)``, one parameter at a time.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# A stacked bidirectional GRU classifier
# --------------------------------------
#
# Two layers of 8 units in each direction, on 16 series of 12 steps with two
# channels and three classes. Five epochs are enough: the check needs weights
# away from their initial values, not a good model, so we silence the
# warning that training did not converge.
import warnings

from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNClassifier
from skrnn.datasets import make_sequence_classification
from skrnn.utils import check_gradients

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_sequence_classification(
    n_samples=16, n_timesteps=12, n_channels=2, n_classes=3, random_state=0
)
clf = RNNClassifier(
    cell="gru",
    hidden_size=8,
    n_layers=2,
    bidirectional=True,
    max_iter=5,
    random_state=0,
).fit(X, y)
error = check_gradients(clf, X, y)
print(f"bidirectional 2-layer GRU classifier: relative error {error:.1e}")

# %%
# The returned figure is ``max |analytic - numeric| / max |numeric|`` over the
# parameters checked (all of them by default). Central differences in float64
# agree with a correct gradient to about 1e-8 or better.
#
# Other configurations
# --------------------
#
# The same call works on any fitted estimator: here a character-level LSTM
# language model (its targets are the next characters, so ``y`` is None) and
# a two-output regressor reading variable-length series with a tanh RNN and
# a larger L2 penalty. ``max_params`` checks a random subset of the
# parameters, for larger models.
import numpy as np

from skrnn import RNNRegressor, RNNSequenceGenerator

texts = ["to be, or not to be", "that is the question"]
gen = RNNSequenceGenerator(hidden_size=8, max_iter=5, random_state=0).fit(texts)
print(f"character LSTM generator: relative error {check_gradients(gen, texts):.1e}")

rng = np.random.RandomState(0)
series = [rng.normal(size=length) for length in (5, 9, 14, 7)]
targets = np.array([[s.sum(), s[-1]] for s in series])
reg = RNNRegressor(
    cell="rnn", hidden_size=6, alpha=0.1, max_iter=5, random_state=0
).fit(series, targets)
error = check_gradients(reg, series, targets, max_params=100)
print(f"tanh RNN regressor, 100 parameters: relative error {error:.1e}")

# %%
# Choosing the step
# -----------------
#
# Finite differences have two sources of error: a large step ``e`` sees the
# curvature of the loss (error of order ``e**2``), a tiny one drowns in
# float64 rounding (error of order ``1e-16 / e``). The error of the same
# correct gradient against the step shows both slopes and the sweet spot
# between 1e-4 and the default ``epsilon=1e-6``.
import matplotlib.pyplot as plt

epsilons = np.logspace(-1, -10, 10)
errors = [check_gradients(clf, X, y, epsilon=e, max_params=200) for e in epsilons]
plt.figure(figsize=(5, 3.5))
plt.loglog(epsilons, errors, "o-")
plt.xlabel("finite-difference step epsilon")
plt.ylabel("relative gradient error")
plt.title("GRU classifier, 200 parameters")
plt.gca().invert_xaxis()
plt.tight_layout()
plt.show()

# %%
# What a failing check looks like
# -------------------------------
#
# A bug in a gradient (a missing term, a wrong sign, a gate's derivative
# taken at the wrong step) does not shrink with the step: the error stays
# large, typically between 1e-3 and 1, at every ``epsilon``, instead of
# dropping to 1e-8 or below near ``epsilon=1e-6``. A check that covers only some
# parameters (``max_params``) can miss a bug confined to the others: check
# all of them once on a small model of the same configuration. If a
# configuration of yours fails, please report it with the code that fits
# and checks it: that is all we need to reproduce it.
