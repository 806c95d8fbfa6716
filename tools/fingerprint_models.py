"""Print a fingerprint of fitted models, to show a refactoring changed none.

Fits RNNClassifier, RNNRegressor and RNNSequenceGenerator for every cell,
one layer and a stacked bidirectional pair (the generator: stacked only),
with full and truncated BPTT, on small seeded data (numeric series and raw
text), then prints one SHA-256 per model over its weights, its training
record and its predictions. Run it on two commits and compare the outputs
(``diff``): equal lines are bit-identical models.

    python tools/fingerprint_models.py > before.txt
    git switch other-commit
    python tools/fingerprint_models.py > after.txt && diff before.txt after.txt
"""

import hashlib
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNClassifier, RNNRegressor, RNNSequenceGenerator

WORDS = "the food was good bad not service great awful but".split()


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(24, 7)).astype(np.float32)
    ragged = [rng.normal(size=(n, 2)) for n in rng.randint(2, 9, size=24)]
    text = [" ".join(rng.choice(WORDS, size=rng.randint(1, 7))) for _ in range(24)]
    y = (X[:, 0] > 0).astype(int)
    return X, ragged, text, y


def _digest(estimator, predictions):
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(estimator._network.theta).tobytes())
    h.update(np.asarray(estimator.loss_curve_, dtype=np.float64).tobytes())
    h.update(np.ascontiguousarray(predictions, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


def main():
    X, ragged, text, y = _data()
    configs = {
        "1 layer": {},
        "2 layers bidirectional": {"n_layers": 2, "bidirectional": True},
        "truncated bptt 3": {"bptt_steps": 3},
    }
    common = {"hidden_size": 5, "max_iter": 4, "random_state": 0}
    for cell in ("rnn", "lstm", "gru"):
        for name, config in configs.items():
            params = {"cell": cell, **common, **config}
            runs = [
                ("classifier numeric", RNNClassifier(**params), X, y),
                ("classifier text", RNNClassifier(**params), text, y),
                ("regressor ragged", RNNRegressor(**params), ragged, X[:, 1]),
            ]
            if not config.get("bidirectional"):
                generator = RNNSequenceGenerator(**params)
                runs += [("generator text", generator, text, None)]
            for what, estimator, data, target in runs:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    estimator.fit(data, target)
                if isinstance(estimator, RNNClassifier):
                    predictions = estimator.predict_proba(data)
                elif isinstance(estimator, RNNSequenceGenerator):
                    predictions = estimator.score_samples(data)
                else:
                    predictions = estimator.predict(data)
                print(f"{cell:4} {name:24} {what:18} {_digest(estimator, predictions)}")


if __name__ == "__main__":
    main()
