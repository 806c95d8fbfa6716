"""Quick demo: a default RNNClassifier reads word order in raw text.

``load_sentiment`` holds short reviews whose label is set by the *order* of
their words ("the food was good but the service was awful" is negative, the
same words the other way round are positive). The recurrent classifier is
fitted on the raw sentences with default settings; a bag-of-words model on
the same split shows what word counts alone can do. Prints both held-out
accuracies, the training time and a few predictions.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import time

from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skrnn import RNNClassifier
from skrnn.datasets import load_sentiment

data = load_sentiment()
X_train, X_test, y_train, y_test = train_test_split(
    data.data, data.target, test_size=0.25, random_state=0, stratify=data.target
)

clf = RNNClassifier(random_state=0)  # an LSTM with 64 units, words embedded in 32-D
start = time.perf_counter()
clf.fit(X_train, y_train)
elapsed = time.perf_counter() - start
print(f"RNNClassifier() on raw text: held-out accuracy {clf.score(X_test, y_test):.3f}")
print(
    f"training: {clf.n_iter_} epochs on {len(X_train)} sentences in {elapsed:.1f} s "
    "(the first run also compiles the Numba kernels)"
)

bag = make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000))
bag.fit(X_train, y_train)
print(f"bag of words + LogisticRegression: {bag.score(X_test, y_test):.3f}")

examples = [
    "the food was great but the service was awful",
    "the service was awful but the food was great",
    "although the plot was not boring, the ending felt dreadful",
    "my hotel is never dull, although the staff seemed rude",
]
print()
for sentence, label, proba in zip(
    examples, clf.predict(examples), clf.predict_proba(examples).max(axis=1)
):
    print(f"{data.target_names[label]:>8} ({proba:.2f})  {sentence}")
