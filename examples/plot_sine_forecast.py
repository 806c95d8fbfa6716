"""
Continuing a series
===================

Fitted on numeric series, :class:`~skrnn.RNNSequenceGenerator` learns to
predict the next value from the ones before it. Given the beginning of a new
series, :meth:`~skrnn.RNNSequenceGenerator.generate` then continues it step
after step, feeding its own predictions back in. Here the series are noisy
sums of two sine waves (:func:`~skrnn.datasets.make_sine_waves`), each with
its own periods, phases and amplitudes.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The data
# --------
#
# 1,100 series of 100 steps: two sines with periods between 8 and 40 steps,
# plus Gaussian noise of standard deviation 0.05. The same seed with
# ``noise=0`` gives the clean signals, the truth we compare forecasts with.
# We train on the first 1,000 series, in float32 (faster than float64).
import numpy as np

from skrnn.datasets import make_sine_waves

X = make_sine_waves(n_samples=1100, n_timesteps=100, random_state=0)
clean = make_sine_waves(n_samples=1100, n_timesteps=100, noise=0, random_state=0)
X = X.astype(np.float32)
X_train, X_test, clean_test = X[:1000], X[1000:], clean[1000:]

# %%
# Training
# --------
#
# A GRU of 64 units trained to predict every next value (squared error),
# 40 epochs at a learning rate of 0.005. Each series must be continued from
# its own beginning, so the model has to infer the periods and phases from
# what it reads.
from time import perf_counter

from skrnn import RNNSequenceGenerator

gen = RNNSequenceGenerator(
    cell="gru", hidden_size=64, learning_rate_init=0.005, max_iter=40, random_state=0
)
start = perf_counter()
gen.fit(X_train)
print(f"{gen.n_iter_} epochs in {perf_counter() - start:.1f} s")

# %%
# Forecasting 50 steps
# --------------------
#
# For each of the 100 held-out series the model reads the first 50 steps
# (the prompt) and generates the next 50. The output holds only the new
# values, shape ``(50, n_channels)``. We compare with the clean continuation
# and with the naive forecast that repeats the last value read.
forecast = np.array([gen.generate(50, prompt=series[:50])[:, 0] for series in X_test])
truth = clean_test[:, 50:]
rmse = np.sqrt(np.mean((forecast - truth) ** 2))
naive = np.sqrt(np.mean((X_test[:, 49:50] - truth) ** 2))
print(f"RMSE of the forecasts: {rmse:.3f}; repeating the last value: {naive:.3f}")

# %%
# Four held-out series: the prompt, the true continuation and the forecast.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(2, 2, figsize=(10, 5), sharex=True)
steps = np.arange(100)
for ax, k in zip(axes.ravel(), range(4)):
    ax.plot(steps[:50], X_test[k, :50], color="k", linewidth=1, label="prompt")
    ax.plot(steps[50:], truth[k], color="tab:blue", label="true continuation")
    ax.plot(
        steps[50:], forecast[k], color="tab:orange", linestyle="--", label="forecast"
    )
    ax.axvline(49.5, color="grey", linestyle=":")
axes[0, 0].legend(loc="lower left", fontsize="small")
for ax in axes[1]:
    ax.set_xlabel("time step")
fig.tight_layout()
plt.show()

# %%
# The error grows with the horizon: each generated value is read back as
# input, so early mistakes in period or phase compound.
plt.figure(figsize=(5, 3.5))
plt.plot(np.arange(1, 51), np.sqrt(np.mean((forecast - truth) ** 2, axis=0)))
plt.xlabel("steps ahead")
plt.ylabel("RMSE over the 100 held-out series")
plt.tight_layout()
plt.show()

# %%
# With this short training (40 epochs, 1,000 series, seconds) the forecasts
# follow the shape of most series for a while and then drift in phase or
# amplitude; their error is about 40% of the naive forecast's.
# ``benchmarks/README.md`` reports a longer training (an LSTM of 64 units,
# 2,000 series, 80 epochs, about a minute) whose error is 15% to 25% of the
# naive forecast's over five seeds.
