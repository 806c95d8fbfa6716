"""
Streaming text with ``partial_fit``
===================================

When the data arrive in chunks (a log, a queue, files too many to hold at
once), :meth:`~skrnn.RNNClassifier.partial_fit` trains one epoch on each chunk
as it comes. Text needs one more step: the vocabulary must be fixed before
the first chunk, because the embedding table is sized by it. A
:class:`~skrnn.Tokenizer` fitted up front and wrapped in
:class:`sklearn.frozen.FrozenEstimator` is used as it is, never refitted:
words first seen in a later chunk are read as the out-of-vocabulary id.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# A vocabulary fixed up front
# ---------------------------
#
# We pretend that only the first 200 training sentences are available when
# the vocabulary is built, and stream the rest of
# :func:`~skrnn.datasets.load_sentiment` in chunks of 50 sentences.
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import train_test_split

from skrnn import RNNClassifier, Tokenizer
from skrnn.datasets import load_sentiment

X, y = load_sentiment(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
tokenizer = Tokenizer().fit(X_train[:200])
vocabulary = set(tokenizer.vocabulary_)
test_words = [word for sentence in X_test for word in sentence.split()]
unseen = sum(word not in vocabulary for word in test_words) / len(test_words)
print(f"vocabulary of {len(vocabulary)} words from 200 sentences")
print(f"held-out words out of that vocabulary: {unseen:.1%}")

# %%
# Training chunk by chunk
# -----------------------
#
# The first call names every class (``classes=[0, 1]``): a chunk may hold
# only one. Each call runs one epoch over its chunk (two minibatches of 32
# and 18 sentences here). A stream of 1,500 sentences is short for this
# model, so we replay it: ``n_passes`` passes over the same chunks in the same
# order, scoring the held-out sentences after every chunk.
import numpy as np

clf = RNNClassifier(tokenizer=FrozenEstimator(tokenizer), random_state=0)
chunk_size, n_passes = 50, 4
seen, accuracy = [], []
for _ in range(n_passes):
    for start in range(0, len(X_train), chunk_size):
        X_chunk = X_train[start : start + chunk_size]
        y_chunk = y_train[start : start + chunk_size]
        clf.partial_fit(X_chunk, y_chunk, classes=[0, 1])
        seen.append(len(X_chunk) + (seen[-1] if seen else 0))
        accuracy.append(clf.score(X_test, y_test))
print(f"{len(accuracy)} chunks; held-out accuracy after each pass:")
chunks_per_pass = len(accuracy) // n_passes
for p in range(n_passes):
    print(f"  pass {p + 1}: {accuracy[(p + 1) * chunks_per_pass - 1]:.3f}")

# %%
# The learning curve
# ------------------
#
# Held-out accuracy after each chunk, against the number of sentences read
# so far (the dotted lines separate the passes).
import matplotlib.pyplot as plt

plt.figure(figsize=(7, 3.5))
plt.plot(seen, accuracy)
for p in range(1, n_passes):
    plt.axvline(p * len(X_train), color="grey", linestyle=":")
plt.axhline(0.5, color="k", linewidth=0.8)
plt.xlabel("training sentences read")
plt.ylabel("held-out accuracy")
plt.ylim(0.4, 1.0)
plt.tight_layout()
plt.show()

# %%
# The vocabulary did not grow
# ---------------------------
#
# The model still reads through the tokenizer fitted on 200 sentences: a
# word it never saw maps to the out-of-vocabulary id, and prediction works
# on any text.
print(f"tokenizer_ vocabulary: {len(clf.tokenizer_.vocabulary_)} words")
print(clf.predict(["the zorblat was great but the service was awful"]))
print(np.asarray(clf.classes_))
