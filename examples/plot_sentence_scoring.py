"""
Scoring sentences with a word-level language model
==================================================

A language model gives every sentence a probability. The classic use of a
recurrent language model is to tell likely sentences from unlikely ones:
speech recognisers and translators rank their candidate outputs this way. We
fit a word-level :class:`~skrnn.RNNSequenceGenerator` on lines of Hamlet and
score held-out lines against the same lines with their words shuffled: the
same words, so only the order can tell them apart.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Lines of the play
# -----------------
#
# Every line of :func:`~skrnn.datasets.load_shakespeare` with at least four
# words, leaving out the speakers' names (in capitals); 300 lines are held
# out.
from sklearn.model_selection import train_test_split

from skrnn.datasets import load_shakespeare

lines = [
    line
    for line in load_shakespeare().text.split("\n")
    if len(line.split()) >= 4 and not line.isupper()
]
train, test = train_test_split(lines, test_size=300, random_state=0)
print(f"{len(train)} training lines, {len(test)} held-out lines, e.g.:")
print("\n".join(test[:3]))

# %%
# A word-level model
# ------------------
#
# The generator reads characters by default; a :class:`~skrnn.Tokenizer` with
# ``analyzer="word"`` makes it read words (lowercased, words of two letters
# or more, as scikit-learn's ``CountVectorizer``). ``min_df=3`` keeps the
# words seen in at least three lines; rarer ones share the out-of-vocabulary
# id. An LSTM of 64 units, 10 epochs: a short training, enough for the point.
from time import perf_counter

from skrnn import RNNSequenceGenerator, Tokenizer

gen = RNNSequenceGenerator(
    tokenizer=Tokenizer(analyzer="word", min_df=3),
    hidden_size=64,
    max_iter=10,
    random_state=0,
)
start = perf_counter()
gen.fit(train)
print(f"{gen.n_iter_} epochs in {perf_counter() - start:.1f} s")
print(f"vocabulary: {gen.vocabulary_size_} ids (4 reserved)")

# %%
# Real lines against shuffled ones
# --------------------------------
#
# We shuffle the words of each held-out line, as the tokenizer sees them, so
# that both versions hold exactly the same tokens.
# :meth:`~skrnn.RNNSequenceGenerator.score_samples` returns each line's total
# log-likelihood (natural log, the end of the line counted as one more
# token); :meth:`~skrnn.RNNSequenceGenerator.perplexity` summarises a set of
# lines.
import re

import numpy as np

rng = np.random.RandomState(0)
test_words = [re.findall(gen.tokenizer_.token_pattern, line.lower()) for line in test]
shuffled = [" ".join(rng.permutation(words)) for words in test_words]
print("real:    ", " ".join(test_words[0]))
print("shuffled:", shuffled[0])

real_score = gen.score_samples(test)
shuffled_score = gen.score_samples(shuffled)
print(f"perplexity, real lines:     {gen.perplexity(test):.0f}")
print(f"perplexity, shuffled lines: {gen.perplexity(shuffled):.0f}")
better = np.mean(real_score > shuffled_score)
print(f"the real line scores higher than its shuffle for {better:.0%} of lines")

# %%
# Left, the log-likelihood per token (words plus the end of the line) of the
# real lines and of their shuffles: lines differ a lot in how predictable
# they are, so the two distributions overlap. Right, the paired view: for
# each line, how much more likely per token the real order is than its
# shuffle (above 0: the real line wins).
import matplotlib.pyplot as plt

n_tokens = np.array([len(words) + 1 for words in test_words])
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
bins = np.linspace(-9, -2, 36)
left.hist(real_score / n_tokens, bins=bins, alpha=0.6, label="real lines")
left.hist(shuffled_score / n_tokens, bins=bins, alpha=0.6, label="words shuffled")
left.set_xlabel("log-likelihood per token (nats)")
left.set_ylabel("held-out lines")
left.legend()
right.hist((real_score - shuffled_score) / n_tokens, bins=30, color="tab:green")
right.axvline(0, color="k", linewidth=0.8)
right.set_xlabel("real minus shuffled, per token (nats)")
fig.tight_layout()
plt.show()

# %%
# Trained for 10 epochs on 3,500 lines (the loss was still falling, hence
# the ``ConvergenceWarning``), the model has already learned enough English
# word order that most real lines score higher than the same words
# shuffled. The rest go the other way: the model is small and briefly
# trained, and some shuffles read almost as well as the original.
