"""
Random or pretrained embedding starts
=====================================

An estimator on text starts its embedding table at random unless
``embedding_init`` gives it word vectors trained elsewhere. Vectors help
most when labels are few: the vectors are learnt from plenty of unlabelled
text, and a word that no labelled example shows is still read through its
vector instead of as the out-of-vocabulary token.

Here an :class:`~skrnn.RNNSequenceTagger` learns part-of-speech tags from
only 300 tagged sentences of the Turkish Web Treebank (shipped by the PyPI
package ``turkish-treebanks``). The vectors are made in a few lines from the
treebank's words without their tags (positive pointwise mutual information
of neighbouring words, reduced by a truncated SVD), written to a GloVe-format
text file and passed by path; no download.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The sentences
# -------------
#
# Every tenth sentence is held out (as the treebank's README suggests). Of
# the others, only 300 keep their tags; all of them, and the held-out
# sentences too, serve as unlabelled text for the vectors, as a large raw
# corpus would.
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
X_pool = [s for i, s in enumerate(X) if i % 10]
y_pool = [t for i, t in enumerate(y) if i % 10]
X_test = [s for i, s in enumerate(X) if i % 10 == 0]
y_test = [t for i, t in enumerate(y) if i % 10 == 0]
print(f"{len(X)} sentences, {sum(map(len, X)):,} words; {len(X_test)} held out")

# %%
# Word vectors from unlabelled text
# ---------------------------------
#
# For every word, count which words stand one and two positions before and
# after it (sentence boundaries included), keep the positive pointwise
# mutual information, and keep the 64 leading dimensions of its truncated
# SVD: words used in the same places get close vectors, and in a language
# that is much of their part of speech. The vectors are scaled to a norm of
# 5, the scale of published GloVe vectors.
import os
import tempfile
from collections import Counter

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD

frequency = Counter(w for s in X for w in s)
vocabulary = sorted(frequency)  # every word of the raw text gets a vector
index = {w: i for i, w in enumerate(vocabulary)}
# Context words: those seen twice or more, plus the two sentence boundaries.
contexts = {w: i for i, w in enumerate(w for w, c in frequency.items() if c >= 2)}
n_contexts = len(contexts) + 3  # + rare word, start, end
offsets = (-2, -1, 1, 2)
rows, cols = [], []
for s in X:
    for i, w in enumerate(s):
        for k, offset in enumerate(offsets):
            j = i + offset
            if j < 0:
                context = n_contexts - 2
            elif j >= len(s):
                context = n_contexts - 1
            else:
                context = contexts.get(s[j], n_contexts - 3)
            rows.append(index[w])
            cols.append(k * n_contexts + context)
shape = (len(vocabulary), len(offsets) * n_contexts)
counts = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=shape).tocsr()
counts = counts.tocoo()  # duplicates summed
total = counts.data.sum()
row_sums = np.bincount(counts.row, counts.data, shape[0])
col_sums = np.bincount(counts.col, counts.data, shape[1])
pmi = np.log(counts.data * total / (row_sums[counts.row] * col_sums[counts.col]))
keep = pmi > 0
ppmi = sparse.csr_matrix((pmi[keep], (counts.row[keep], counts.col[keep])), shape)
dim = 64
vectors = TruncatedSVD(n_components=dim, random_state=0).fit_transform(ppmi)
vectors *= 5.0 / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

path = os.path.join(tempfile.mkdtemp(), "vectors.txt")
with open(path, "w", encoding="utf-8") as f:  # GloVe: "word v1 ... v64"
    for word, vector in zip(vocabulary, vectors):
        f.write(word + " " + " ".join(f"{v:.4f}" for v in vector) + "\n")
print(f"{len(vocabulary):,} word vectors of {dim} dimensions in a GloVe file")

# %%
# Random and pretrained starts on 300 tagged sentences
# ----------------------------------------------------
#
# The same bidirectional LSTM tagger, three draws of 300 labelled sentences.
# With ``embedding_init=path`` the vocabulary takes the vectors' words too:
# a held-out word that the 300 sentences never show, but the unlabelled text
# does, is read through its vector. ``embedding_coverage_`` says how much of
# the labelled text's vocabulary the file covers.
from skrnn import RNNSequenceTagger, Tokenizer

rng = np.random.default_rng(0)
truth = np.concatenate([np.array(t) for t in y_test])
scores = {"random": [], "pretrained": []}
unseen_scores = {"random": [], "pretrained": []}
for seed in range(3):
    labelled = rng.choice(len(X_pool), size=300, replace=False)
    X_train = [X_pool[i] for i in labelled]
    y_train = [y_pool[i] for i in labelled]
    seen = {w for s in X_train for w in s}
    unseen = np.concatenate([[w not in seen for w in s] for s in X_test])
    for start, init in (("random", None), ("pretrained", path)):
        tagger = RNNSequenceTagger(
            bidirectional=True,
            hidden_size=32,
            embedding_dim=dim,
            embedding_init=init,
            tokenizer=Tokenizer(lowercase=False),
            max_iter=30,
            random_state=seed,
        )
        tagger.fit(X_train, y_train)
        predicted = np.concatenate(tagger.predict(X_test))
        scores[start].append(np.mean(predicted == truth))
        unseen_scores[start].append(np.mean(predicted[unseen] == truth[unseen]))
    print(
        f"draw {seed}: {unseen.mean():.0%} of held-out words unseen in the 300; "
        f"coverage {tagger.embedding_coverage_:.2f}"
    )
for start in scores:
    print(
        f"{start:>10} start: held-out accuracy {np.mean(scores[start]):.3f}, "
        f"on unseen words {np.mean(unseen_scores[start]):.3f}"
    )

# %%
# The comparison
# --------------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3.2))
for k, values in enumerate((scores, unseen_scores)):
    for j, start in enumerate(values):
        ax.scatter(
            np.full(3, 2 * k + j), values[start], color=f"C{j}",
            label=f"{start} start" if k == 0 else None,
        )  # fmt: skip
ax.set_xticks([0.5, 2.5], ["all held-out words", "words unseen in the 300"])
ax.set_xlim(-0.5, 3.5)
ax.set_ylabel("accuracy")
ax.set_title("BiLSTM tagger, 300 tagged sentences, 3 draws")
ax.legend(loc="lower left")
fig.tight_layout()
plt.show()

# %%
# The vectors carry what the tags need (which words stand in which places),
# learnt from text that costs nothing to label; the tagger reads words that
# its 300 sentences never showed, and gains most on them. With many labelled
# sentences the gap narrows, as the labels themselves show most words.
#
# The scale of the vectors matters: training moves the rows of the words it
# sees by about ``learning_rate_init`` per step, while the rows of words only
# the vectors know stay put. Against vectors of norm 5 that drift is small,
# and seen and unseen words stay in one space; scaled down to the random
# start's size (norm 0.5 here), the same vectors gave no gain.
# ``freeze_embedding=True`` removes the drift altogether, at the cost of the
# fine-tuning that frequent words profit from (here it did worse overall).
