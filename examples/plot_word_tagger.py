"""
Part-of-speech tagging of real sentences
========================================

A word tagger on the Turkish Web Treebank (Google, Apache-2.0), which the
PyPI package ``turkish-treebanks`` ships as CoNLL-U files: hand-annotated
sentences from the web, each token tagged with one of the universal
part-of-speech tags. :func:`~skrnn.datasets.load_conllu` reads them into
what :class:`~skrnn.RNNSequenceTagger` takes: pre-tokenized sentences and a
tag per token. A bidirectional LSTM reads each sentence both ways and tags
every word; we compare it with the classic baseline, the most frequent tag
of each word.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The treebank
# ------------
#
# The package installs its two files (web text and Wikipedia) under
# ``data/``; ``importlib.metadata`` finds them. As the treebank's README
# suggests, every tenth sentence is held out.
import importlib.metadata

from skrnn.datasets import load_conllu

treebank = importlib.metadata.distribution("turkish-treebanks")
X, y = [], []
for part in ("web", "wiki"):
    words, tags = load_conllu(
        treebank.locate_file(f"data/{part}.conllu"), return_X_y=True
    )
    X += words
    y += tags
X_train = [s for i, s in enumerate(X) if i % 10]
y_train = [t for i, t in enumerate(y) if i % 10]
X_test = [s for i, s in enumerate(X) if i % 10 == 0]
y_test = [t for i, t in enumerate(y) if i % 10 == 0]
print(f"{len(X_train)} training and {len(X_test)} held-out sentences, e.g.:")
print(" ".join(f"{w}/{t}" for w, t in zip(X_train[0], y_train[0])))

# %%
# The baseline: each word's most frequent tag
# -------------------------------------------
#
# Words unseen in training get the most frequent tag overall.
from collections import Counter

import numpy as np

counts = {}
for words, tags in zip(X_train, y_train):
    for w, t in zip(words, tags):
        counts.setdefault(w, Counter())[t] += 1
overall = Counter(t for tags in y_train for t in tags).most_common(1)[0][0]
baseline = [
    np.array([counts[w].most_common(1)[0][0] if w in counts else overall for w in s])
    for s in X_test
]
truth = np.concatenate([np.array(t) for t in y_test])
print(f"most frequent tag: accuracy {np.mean(np.concatenate(baseline) == truth):.3f}")

# %%
# A bidirectional LSTM tagger
# ---------------------------
#
# The sentences go in as they are, lists of tokens. The tokenizer keeps
# case (``lowercase=False``: capitals mark proper nouns) and words seen at
# least twice (``min_df=2``); the rarer ones are read as the
# out-of-vocabulary token, whose embedding therefore learns what an unknown
# word looks like in context. Early stopping holds out a tenth of the
# training sentences and keeps the weights of the epoch that tagged them
# best; training longer would fit the training words at the expense of the
# held-out ones.
from time import perf_counter

from skrnn import RNNSequenceTagger, Tokenizer

tagger = RNNSequenceTagger(
    bidirectional=True,
    hidden_size=64,
    embedding_dim=64,
    tokenizer=Tokenizer(lowercase=False, min_df=2),
    max_iter=40,
    early_stopping=True,
    n_iter_no_change=3,
    random_state=0,
)
start = perf_counter()
tagger.fit(X_train, y_train)
print(f"{tagger.n_iter_} epochs in {perf_counter() - start:.1f} s")
print(f"BiLSTM tagger: accuracy {tagger.score(X_test, y_test):.3f}")

# %%
# Precision and recall per tag
# ----------------------------
#
# ``predict`` returns one array of tags per sentence; scikit-learn's metrics
# read the concatenated steps.
from sklearn.metrics import classification_report

predicted = np.concatenate(tagger.predict(X_test))
print(classification_report(truth, predicted, zero_division=0))

# %%
# Where the tagger gains
# ----------------------
#
# F1 per tag for both models: the tagger gains most on the tags that depend
# on context, and on words it never saw.
import matplotlib.pyplot as plt
from sklearn.metrics import f1_score

labels = [t for t, n in Counter(truth).most_common() if n >= 10]  # not the rarest
f1 = {
    "most frequent tag": f1_score(
        truth, np.concatenate(baseline), labels=labels, average=None, zero_division=0
    ),
    "BiLSTM tagger": f1_score(
        truth, predicted, labels=labels, average=None, zero_division=0
    ),
}
fig, ax = plt.subplots(figsize=(8, 3.5))
positions = np.arange(len(labels))
for k, (name, values) in enumerate(f1.items()):
    ax.bar(positions + (k - 0.5) * 0.4, values, width=0.4, label=name)
ax.set_xticks(positions, labels, rotation=45)
ax.set_ylabel("F1 on held-out words")
ax.set_ylim(0, 1.15)
ax.legend(loc="upper center", ncols=2)
fig.tight_layout()
plt.show()

# %%
# The held-out words that training never saw are the hard part: the
# baseline can only guess the most frequent tag for them, while the tagger
# reads their neighbours.
seen = {w for s in X_train for w in s}
unseen = np.concatenate([[w not in seen for w in s] for s in X_test])
print(f"held-out words unseen in training: {unseen.mean():.1%}")
for name, pred in (
    ("most frequent tag", np.concatenate(baseline)),
    ("BiLSTM", predicted),
):
    print(f"{name:>17}: accuracy on them {np.mean(pred[unseen] == truth[unseen]):.3f}")
