"""
Recurrent features for gradient boosting
========================================

A recurrent network reads a sequence; a gradient-boosting model reads a table.
Here the label depends on both: on a motif hidden somewhere in a series and
on a number recorded beside it. An :class:`~skrnn.RNNClassifier` sees only the
series; gradient boosting on the raw values sees the number, but a motif that
moves from one series to the next only in part.
In a :class:`~sklearn.compose.ColumnTransformer`, the network's
:meth:`~skrnn.RNNClassifier.transform` (its state after the last step) turns
each series into a few columns, and gradient boosting combines them with the
number.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The data
# --------
#
# :func:`~skrnn.datasets.make_sequence_classification` gives 1,000 series of
# 30 steps with one of two motifs (five steps of +2 or -2) at a random place
# in Gaussian noise. Beside each series we record a "load" between 0 and 1.
# A series is positive when it holds motif 1 *and* its load is above 0.3:
# neither the series nor the load alone decides. The series become the
# columns ``t0`` to ``t29`` of a DataFrame, the load one more column.
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from skrnn.datasets import make_sequence_classification

series, motif = make_sequence_classification(
    n_samples=1000, n_timesteps=30, motif_length=5, random_state=0
)
load = np.random.RandomState(0).uniform(size=len(series))
y = ((motif == 1) & (load > 0.3)).astype(int)

steps = [f"t{i}" for i in range(series.shape[1])]
X = pd.DataFrame(series.astype(np.float32), columns=steps)
X["load"] = load
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
print(f"{len(X_train)} training and {len(X_test)} held-out rows")
print(f"{y.mean():.0%} positive")

# %%
# Recurrent features beside the load
# ----------------------------------
#
# The :class:`~sklearn.compose.ColumnTransformer` fits a GRU of 16 units on
# the step columns (as univariate series, with the labels) and passes the
# load through; a :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
# reads the 16 features and the load. The GRU trains for 60 epochs: its loss
# is still falling then (hence a ``ConvergenceWarning``), but 200 epochs
# scored lower on the held-out rows.
from time import perf_counter

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline

from skrnn import RNNClassifier

features = ColumnTransformer(
    [
        (
            "rnn",
            RNNClassifier(cell="gru", hidden_size=16, max_iter=60, random_state=0),
            steps,
        ),
        ("load", "passthrough", ["load"]),
    ]
)
combined = make_pipeline(features, HistGradientBoostingClassifier(random_state=0))
start = perf_counter()
combined.fit(X_train, y_train)
print(f"fitted in {perf_counter() - start:.1f} s")
print(features.get_feature_names_out()[[0, 1, -1]])

# %%
# The two baselines
# -----------------
#
# The network alone is the one fitted inside the pipeline, predicting from
# the series only: its best possible accuracy is that of predicting "motif
# 1", about 0.85 here. Gradient boosting on the raw table reads the load and
# the value at each fixed step, not a motif wherever it sits. Without any
# sign of the motif, boosting on the load alone scores 0.667 here (rows with
# a load of 0.3 or less are negative, the others even odds).
rnn = features.named_transformers_["rnn"]
raw = HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
scores = {
    "RNN alone\n(series)": rnn.score(X_test[steps], y_test),
    "gradient boosting\n(raw steps, load)": raw.score(X_test, y_test),
    "gradient boosting\n(RNN features, load)": combined.score(X_test, y_test),
}
for name, score in scores.items():
    print(f"{name.replace(chr(10), ' '):42s} held-out accuracy {score:.3f}")

# %%
# Held-out accuracy
# -----------------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 3))
bars = ax.barh(list(scores), list(scores.values()), color=["C0", "C7", "C2"])
ax.bar_label(bars, fmt="%.3f", padding=3)
ax.set_xlim(0.5, 1.05)
ax.set_xlabel("held-out accuracy")
ax.invert_yaxis()
fig.tight_layout()
plt.show()

# %%
# The gradient-boosting model was trained on the network's features of its
# own training rows (``fit_transform``), on which the network fits better
# than on new rows; the held-out scores above include that effect.
