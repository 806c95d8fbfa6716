"""
Sentiment classification
========================

:func:`~skrnn.datasets.load_sentiment` holds 2,000 short reviews whose label
is set by the *order* of their words: "the food was great but the service was
awful" is negative, the same clauses the other way round are positive. Every
sentence has a mirror with the same words and the opposite label, so a bag of
words cannot do better than chance. An :class:`~skrnn.RNNClassifier` reads the
raw sentences word by word and learns which clause decides.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The data
# --------
#
# We hold out a quarter of the sentences, stratified by label.
from sklearn.model_selection import train_test_split

from skrnn.datasets import load_sentiment

data = load_sentiment()
X_train, X_test, y_train, y_test = train_test_split(
    data.data, data.target, test_size=0.25, stratify=data.target, random_state=0
)
print(f"{len(X_train)} training and {len(X_test)} held-out sentences, e.g.:")
for sentence, label in zip(X_train[:3], y_train[:3]):
    print(f"  {data.target_names[label]:>8}: {sentence}")

# %%
# A recurrent classifier on raw text
# ----------------------------------
#
# With its defaults, :class:`~skrnn.RNNClassifier` tokenizes the text into
# words, embeds each word in 32 dimensions and reads the sentence with an LSTM
# of 64 units; the head reads the state after the last word. Training stops
# when the loss no longer improves (after 68 epochs here).
from time import perf_counter

from skrnn import RNNClassifier

clf = RNNClassifier(random_state=0)
start = perf_counter()
clf.fit(X_train, y_train)
print(f"{clf.n_iter_} epochs in {perf_counter() - start:.1f} s")
print(f"RNNClassifier held-out accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# A bag of words on the same split
# --------------------------------
#
# Word counts and a logistic regression: the usual first baseline for text.
# Here it sees the same words in both mirrored sentences, and it stays near
# (or below) chance.
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

bag = make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000))
bag.fit(X_train, y_train)
print(f"bag of words held-out accuracy: {bag.score(X_test, y_test):.3f}")

# %%
# Where the recurrent model errs
# ------------------------------
#
# The confusion matrix of the held-out sentences, then the sentences it gets
# wrong, with the probability it gave to the wrong label.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay

ConfusionMatrixDisplay.from_estimator(
    clf, X_test, y_test, display_labels=data.target_names, colorbar=False
)
plt.title("RNNClassifier, held-out sentences")
plt.show()

y_pred = clf.predict(X_test)
proba = clf.predict_proba(X_test)
wrong = np.flatnonzero(y_pred != y_test)
print(f"{len(wrong)} misclassified of {len(X_test)}:")
print(f"{'true':>8} | {'predicted':>9} | {'p(pred)':>7} | sentence")
for i in wrong:
    true, pred = data.target_names[y_test[i]], data.target_names[y_pred[i]]
    print(f"{true:>8} | {pred:>9} | {proba[i, y_pred[i]]:>7.2f} | {X_test[i]}")

# %%
# The model reads order
# ---------------------
#
# The same two clauses in both orders get opposite labels.
pair = [
    "the food was great but the service was awful",
    "the service was awful but the food was great",
]
for sentence, label in zip(pair, clf.predict(pair)):
    print(f"{data.target_names[label]:>8}: {sentence}")
