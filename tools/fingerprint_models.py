"""Print a fingerprint of fitted models, to show a refactoring changed none.

Fits RNNClassifier, RNNRegressor and RNNSequenceGenerator for every cell,
one layer and a stacked bidirectional pair (the generator: stacked only),
with full and truncated BPTT, on small seeded data (numeric series and raw
text), then every branch of the training loop (early stopping, plateaus,
dropout, clipping, L2, sample and class weights, the three optimizers,
stateful lanes, partial_fit, warm_start), and prints one SHA-256 per model
over its weights, its training record and its predictions (and a text
generator's sample). Run it on two commits and compare the outputs
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
    record = [estimator.n_iter_, estimator.t_, estimator.best_loss_]
    record += getattr(estimator, "validation_scores_", [])
    h.update(repr(record).encode())
    h.update(np.ascontiguousarray(predictions, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


def _predictions(estimator, data):
    if isinstance(estimator, RNNClassifier):
        return estimator.predict_proba(data)
    if isinstance(estimator, RNNSequenceGenerator):
        return estimator.score_samples(data)
    return estimator.predict(data)


def _fit(estimator, *args, method="fit", **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        getattr(estimator, method)(*args, **kwargs)
    return estimator


def training_paths(X, ragged, text, y):
    """Early stopping, plateaus, dropout, clipping, L2, weights, optimizers,
    lanes, partial_fit and warm_start: every branch of the training loop."""
    long_text = "".join(text)
    weights = np.linspace(0.5, 2.0, len(y))
    shared = {"hidden_size": 5, "random_state": 0, "n_iter_no_change": 2}
    stopping = {"early_stopping": True, "validation_fraction": 0.25, "max_iter": 12}
    regularised = {"dropout": 0.2, "clip_norm": 0.5, "alpha": 0.01}
    runs = []
    for cell in ("rnn", "lstm", "gru"):
        common = {"cell": cell, **shared}
        clf = RNNClassifier(
            **common, **stopping, **regularised, class_weight="balanced"
        )
        runs.append(("classifier stopping", _fit(clf, X, y, sample_weight=weights), X))
        reg = RNNRegressor(
            **common,
            **stopping,
            **regularised,
            bptt_steps=3,
            optimizer="sgd",
            batch_size=5,
        )
        runs.append(("regressor bptt stopping", _fit(reg, ragged, X[:, 1]), ragged))
        reg = RNNRegressor(**common, max_iter=15, tol=0.5, optimizer="rmsprop")
        runs.append(("regressor plateaus", _fit(reg, X, X[:, 2]), X))
        gen = RNNSequenceGenerator(
            **common, **stopping, **regularised, bptt_steps=4, batch_size=3
        )
        runs.append(("generator lanes stopping", _fit(gen, text), text))
        gen = RNNSequenceGenerator(**common, **stopping, bptt_steps=5)
        runs.append(("generator tail stopping", _fit(gen, [long_text]), text))
        gen = RNNSequenceGenerator(**common, **stopping, bptt_steps=3)
        runs.append(("generator numeric", _fit(gen, ragged), ragged))
        clf = RNNClassifier(**common, batch_size=7)
        for _ in range(3):
            _fit(clf, text, y, method="partial_fit", classes=[0, 1])
        runs.append(("classifier partial_fit", clf, text))
        gen = RNNSequenceGenerator(**common, bptt_steps=4)
        for _ in range(2):
            _fit(gen, text, method="partial_fit")
        runs.append(("generator partial_fit", gen, text))
        reg = _fit(RNNRegressor(**common, max_iter=3, warm_start=True), X, X[:, 1])
        reg.set_params(max_iter=4, learning_rate_init=0.01, optimizer="sgd")
        runs.append(("regressor warm_start", _fit(reg, X, X[:, 1]), X))
    for (what, estimator, data), cell in zip(
        runs, np.repeat(["rnn", "lstm", "gru"], 9)
    ):
        predictions = _predictions(estimator, data)
        if isinstance(estimator, RNNSequenceGenerator) and estimator._loss == "softmax":
            sample = estimator.generate(20, random_state=0, stop_at_end=False)
            predictions = np.append(predictions, [ord(c) for c in sample])
        digest = _digest(estimator, predictions)
        print(f"{cell:4} {'training paths':24} {what:18} {digest}")


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
                _fit(estimator, data, target)
                predictions = _predictions(estimator, data)
                print(f"{cell:4} {name:24} {what:18} {_digest(estimator, predictions)}")
    training_paths(X, ragged, text, y)


if __name__ == "__main__":
    main()
