"""
A character-level model of Hamlet
=================================

An :class:`~skrnn.RNNSequenceGenerator` fitted on raw text is a language model:
it reads the text one character at a time and learns to predict the next one.
Fitted on the opening of Shakespeare's Hamlet
(:func:`~skrnn.datasets.load_shakespeare`), it then writes text of its own,
more or less adventurous depending on the sampling temperature.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The text
# --------
#
# The whole play is 175,000 characters; to keep this example to seconds we
# train on the first 50,000 and keep the next 5,000 to measure how well the
# model predicts text it has not seen.
from skrnn.datasets import load_shakespeare

text = load_shakespeare().text
train, held_out = text[:50_000], text[50_000:55_000]
print(train[:300])

# %%
# Training
# --------
#
# One LSTM layer of 128 units over characters embedded in 32 dimensions (the
# default ``Tokenizer(analyzer="char", lowercase=False)`` keeps case). The
# text is one long document, so we train with truncated backpropagation
# through time: ``batch_size=16`` lanes each read their share of the text in
# windows of ``bptt_steps=50`` characters, carrying the state from one window
# to the next. Ten epochs at a learning rate of 0.005.
from time import perf_counter

from skrnn import RNNSequenceGenerator

gen = RNNSequenceGenerator(
    hidden_size=128,
    bptt_steps=50,
    batch_size=16,
    learning_rate_init=0.005,
    max_iter=10,
    random_state=0,
)
start = perf_counter()
gen.fit([train])
print(f"{gen.n_iter_} epochs in {perf_counter() - start:.1f} s")

# %%
# ``loss_curve_`` holds the mean cross-entropy per character of each epoch
# (natural log; a model that guesses uniformly among the
# ``vocabulary_size_`` symbols would score ``log(vocabulary_size_)``). The
# perplexity of the held-out text is the number of characters the model is,
# in effect, choosing between at each step.
import matplotlib.pyplot as plt
import numpy as np

plt.figure(figsize=(5, 3.5))
plt.plot(np.arange(1, gen.n_iter_ + 1), gen.loss_curve_, "o-", label="training loss")
plt.axhline(
    np.log(gen.vocabulary_size_), color="grey", linestyle=":", label="uniform guess"
)
plt.legend()
plt.xlabel("epoch")
plt.ylabel("training loss (nats per character)")
plt.tight_layout()
plt.show()
print(f"uniform guess: perplexity {gen.vocabulary_size_}")
print(f"held-out perplexity: {gen.perplexity([held_out]):.1f}")

# %%
# Samples at three temperatures
# -----------------------------
#
# :meth:`~skrnn.RNNSequenceGenerator.generate` continues a prompt by drawing
# one character at a time. The temperature divides the logits before
# sampling: low values pick the likeliest characters (safe, repetitive),
# 1 samples the model's own distribution, higher values flatten it (more
# invention, more misspellings).
for temperature in (0.3, 0.8, 1.3):
    sample = gen.generate(
        300, prompt="HAMLET\n", temperature=temperature, random_state=0
    )
    print(f"--- temperature {temperature} ---\n{sample}\n")

# %%
# After ten short epochs the model has learned the layout of the play
# (speakers' names in capitals on their own line, then their lines),
# frequent words and English-looking spelling, but not yet sense. A larger
# model trained longer goes further: ``benchmarks/README.md`` trains 256
# units with windows of 100 characters on 90% of the play for ten epochs
# (about a minute on 2 cores) and reaches 2.3 bits per character on the rest,
# a perplexity of about 5.
