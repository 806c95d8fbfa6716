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
# the vocabulary is built, then stream the 1,500 training sentences of
# :func:`~skrnn.datasets.load_sentiment` in chunks of 100.
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
# only one. Each call runs one epoch over its chunk (minibatches of 32). One
# pass over 1,500 sentences is far too little for this model (``fit`` takes
# dozens of epochs), so we replay the stream: 20 passes over the same chunks
# in the same order, scoring the held-out sentences after every chunk.
# ``partial_fit`` keeps the learning rate fixed (``fit`` halves it on
# plateaus), so we raise it from the default 0.002 to 0.01.
clf = RNNClassifier(
    tokenizer=FrozenEstimator(tokenizer), learning_rate_init=0.01, random_state=0
)
chunk_size, n_passes = 100, 20
seen, accuracy = [], []
for _ in range(n_passes):
    for start in range(0, len(X_train), chunk_size):
        X_chunk = X_train[start : start + chunk_size]
        y_chunk = y_train[start : start + chunk_size]
        clf.partial_fit(X_chunk, y_chunk, classes=[0, 1])
        seen.append(len(X_chunk) + (seen[-1] if seen else 0))
        accuracy.append(clf.score(X_test, y_test))
chunks_per_pass = len(accuracy) // n_passes
print(f"{len(accuracy)} chunks; held-out accuracy after passes 1, 5, 10, 15, 20:")
print([round(accuracy[p * chunks_per_pass - 1], 3) for p in (1, 5, 10, 15, 20)])

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
# The held-out accuracy stays near chance for about ten passes, then climbs
# to about 0.99 within about five: the model first has to discover that
# the contrast word decides which clause gives the label, as the full
# ``fit`` does in :ref:`sphx_glr_auto_examples_plot_sentiment.py`.

# %%
# The vocabulary did not grow
# ---------------------------
#
# The model still reads through the tokenizer fitted on 200 sentences: a
# word it never saw maps to the out-of-vocabulary id, and prediction works
# on any text.
print(f"tokenizer_ vocabulary: {len(clf.tokenizer_.vocabulary_)} words")
for sentence in [
    "the zorblat was great but the service was awful",
    "the service was awful but the zorblat was great",
]:
    label = ["negative", "positive"][clf.predict([sentence])[0]]
    print(f"{label}: {sentence}")
