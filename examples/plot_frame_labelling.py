"""
Labelling every frame of a signal
=================================

:func:`~skrnn.datasets.make_regime_signals` makes signals that switch
between two regimes: a smooth one (each value close to the one before) and a
rough one (white noise). Both have mean 0 and variance 1, so one frame alone
says nothing about its regime; its neighbours do. An
:class:`~skrnn.RNNSequenceTagger` labels every frame from what its recurrent
layers read on both sides of it.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The signals
# -----------
#
# 150 series of 200 frames; segments last 40 frames on average. The first
# 100 series train, the last 50 are held out.
import numpy as np

from skrnn.datasets import make_regime_signals

X, y = make_regime_signals(n_samples=150, n_timesteps=200, random_state=0)
X = X.astype(np.float32)  # the fast path
X_train, X_test, y_train, y_test = X[:100], X[100:], y[:100], y[100:]
print(f"{X_train.shape[0]} training series of {X.shape[1]} frames")
print(f"share of rough frames: {y.mean():.2f}")

# %%
# A per-frame classifier
# ----------------------
#
# Gradient boosting on the value of each frame alone: it cannot tell the
# regimes apart, and stays at chance level.
from sklearn.ensemble import HistGradientBoostingClassifier

per_frame = HistGradientBoostingClassifier(random_state=0)
per_frame.fit(X_train.reshape(-1, 1), y_train.ravel())
frame_accuracy = per_frame.score(X_test.reshape(-1, 1), y_test.ravel())
print(f"per-frame gradient boosting, held-out accuracy: {frame_accuracy:.3f}")

# %%
# A bidirectional tagger
# ----------------------
#
# ``y`` is a 2-D array: one label per frame. The bidirectional LSTM reads
# each series forwards and backwards, so the label of a frame depends on the
# frames before and after it.
from time import perf_counter

from skrnn import RNNSequenceTagger

tagger = RNNSequenceTagger(
    bidirectional=True,
    hidden_size=32,
    learning_rate_init=0.005,
    max_iter=60,
    random_state=0,
)
start = perf_counter()
tagger.fit(X_train, y_train)
print(f"{tagger.n_iter_} epochs in {perf_counter() - start:.1f} s")
print(f"RNNSequenceTagger, held-out accuracy: {tagger.score(X_test, y_test):.3f}")

# %%
# The predicted regimes over a held-out signal
# --------------------------------------------
#
# ``predict`` returns one label array per series. The shaded bands are the
# true rough segments; the line below the signal is the tagger's
# probability that each frame is rough. Its mistakes sit at the switches,
# where a few frames cannot yet tell which regime began.
import matplotlib.pyplot as plt

series = 0
proba = tagger.predict_proba(X_test[series : series + 1])[0][:, 1]
predicted = tagger.predict(X_test[series : series + 1])[0]
frames = np.arange(X.shape[1])

fig, (top, bottom) = plt.subplots(
    2, 1, figsize=(8, 4.5), sharex=True, height_ratios=[2, 1]
)
top.plot(frames, X_test[series], color="black", lw=0.8)
for ax in (top, bottom):
    ax.fill_between(
        frames, 0, 1, where=y_test[series] == 1, step="mid",
        transform=ax.get_xaxis_transform(), color="tab:orange", alpha=0.25,
        label="rough (true)",
    )  # fmt: skip
top.set_ylabel("signal")
top.legend(loc="upper right")
bottom.plot(frames, proba, color="tab:blue", label="P(rough)")
wrong = predicted != y_test[series]
bottom.plot(frames[wrong], proba[wrong], "x", color="red", label="mislabelled")
bottom.set_ylim(-0.05, 1.05)
bottom.set_xlabel("frame")
bottom.legend(loc="upper right")
fig.tight_layout()
plt.show()
