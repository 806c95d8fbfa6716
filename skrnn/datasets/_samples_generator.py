"""Seeded generators of synthetic sequence tasks (pure numpy)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_timesteps": [Interval(Integral, 2, None, closed="left")],
        "n_channels": [Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 2, None, closed="left")],
        "motif_length": [Interval(Integral, 1, None, closed="left")],
        "position": [StrOptions({"start", "random"})],
        "noise": [Interval(Real, 0, None, closed="left")],
        "min_length": [None, Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_sequence_classification(
    n_samples=500,
    n_timesteps=30,
    *,
    n_channels=1,
    n_classes=2,
    motif_length=3,
    position="random",
    noise=1.0,
    min_length=None,
    random_state=None,
):
    """Generate sequences whose class is a motif hidden in noise.

    Each class owns a distinct random motif of ``motif_length`` steps (values
    +2 or -2 in every channel). A sequence is Gaussian noise of
    standard deviation ``noise`` with its class's motif added at the start
    (``position="start"``: the network must remember it to the end) or at a
    random place (``position="random"``: it must detect it anywhere).

    Parameters
    ----------
    n_samples : int, default=500
        Number of sequences.
    n_timesteps : int, default=30
        Length of the sequences (the longest, with ``min_length``).
    n_channels : int, default=1
        Channels per time step; 1 gives a 2-D array of univariate series.
    n_classes : int, default=2
        Number of classes (motifs).
    motif_length : int, default=3
        Steps of each motif; at most ``n_timesteps`` (and ``min_length``).
    position : {"random", "start"}, default="random"
        Where the motif sits.

        - "random": anywhere in the sequence.
        - "start": on the first steps (a memory task).

    noise : float, default=1.0
        Standard deviation of the Gaussian noise.
    min_length : int or None, default=None
        When set, lengths are drawn uniformly in ``[min_length,
        n_timesteps]`` and ``X`` is a list of arrays.
    random_state : int, RandomState instance or None, default=None
        Seed of every random draw.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps) or \
            (n_samples, n_timesteps, n_channels), or list of ndarray
        The sequences (a list of arrays of shape ``(T_i,)`` or
        ``(T_i, n_channels)`` when ``min_length`` is set).
    y : ndarray of shape (n_samples,)
        The class of each sequence, in ``[0, n_classes)``.

    Examples
    --------
    >>> from skrnn.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(n_samples=4, n_timesteps=10,
    ...                                     random_state=0)
    >>> X.shape, y.shape
    ((4, 10), (4,))
    """
    shortest = n_timesteps if min_length is None else min_length
    if min_length is not None and min_length > n_timesteps:
        raise ValueError(
            f"min_length={min_length} must not exceed n_timesteps={n_timesteps}."
        )
    if motif_length > shortest:
        raise ValueError(
            f"motif_length={motif_length} must not exceed the shortest sequence "
            f"({shortest} steps)."
        )
    n_signs = motif_length * n_channels
    if n_signs < 63 and n_classes > 2**n_signs:
        raise ValueError(
            f"n_classes={n_classes} needs distinct motifs, but motifs of "
            f"motif_length * n_channels = {n_signs} signs allow only {2**n_signs}."
        )
    rng = check_random_state(random_state)
    motifs = _distinct_sign_patterns(rng, n_classes, n_signs)
    motifs = 2.0 * motifs.reshape(n_classes, motif_length, n_channels)
    y = rng.randint(n_classes, size=n_samples)
    if min_length is None:
        lengths = np.full(n_samples, n_timesteps)
    else:
        lengths = rng.randint(min_length, n_timesteps + 1, size=n_samples)
    X = noise * rng.normal(size=(n_samples, n_timesteps, n_channels))
    for i in range(n_samples):
        start = 0
        if position == "random":
            start = rng.randint(lengths[i] - motif_length + 1)
        X[i, start : start + motif_length] += motifs[y[i]]
    if min_length is not None:
        sequences = [X[i, : lengths[i]] for i in range(n_samples)]
        if n_channels == 1:
            sequences = [s[:, 0].copy() for s in sequences]
        return sequences, y
    if n_channels == 1:
        X = X[:, :, 0]
    return X, y


_SINE_MIN_PERIOD = 8.0
_SINE_MAX_PERIOD = 40.0


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_timesteps": [Interval(Integral, 1, None, closed="left")],
        "n_channels": [Interval(Integral, 1, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_sine_waves(
    n_samples=100,
    n_timesteps=100,
    *,
    n_channels=1,
    n_components=2,
    noise=0.05,
    random_state=None,
):
    """Generate noisy series that are each a sum of a few sine waves.

    Every series, and every channel of a series, draws its own
    ``n_components`` sines: a period uniform in [8, 40] steps, a phase
    uniform in [0, 2*pi) and an amplitude uniform in [0.5, 1.5]. The
    amplitudes are then scaled so that their squares sum to 2, which gives
    the clean signal values of order 1: a mean square of 1 on average over
    series (over a finite window it varies from series to series, as sines
    of close periods beat), and at most ``sqrt(2 * n_components)`` in
    absolute value. The scaling does not depend on ``n_timesteps``: with the
    same seed, the clean signals of longer series extend those of shorter
    ones. Gaussian noise of standard
    deviation ``noise`` is added to the clean signal. A task for forecasting
    (predict the next steps) or denoising.

    Parameters
    ----------
    n_samples : int, default=100
        Number of series.
    n_timesteps : int, default=100
        Length of the series.
    n_channels : int, default=1
        Channels per time step, each an independent sum of sines; 1 gives a
        2-D array of univariate series.
    n_components : int, default=2
        Number of sines summed in each channel of each series.
    noise : float, default=0.05
        Standard deviation of the Gaussian noise; 0 gives the clean sums.
    random_state : int, RandomState instance or None, default=None
        Seed of every random draw. The noise is drawn after the sines, so the
        same seed gives the same clean signal whatever ``noise`` is.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps) or \
            (n_samples, n_timesteps, n_channels)
        The series, float64 (3-D when ``n_channels > 1``).

    Examples
    --------
    >>> from skrnn.datasets import make_sine_waves
    >>> X = make_sine_waves(n_samples=4, n_timesteps=50, random_state=0)
    >>> X.shape, X.dtype
    ((4, 50), dtype('float64'))
    >>> make_sine_waves(n_samples=4, n_timesteps=50, n_channels=3,
    ...                 random_state=0).shape
    (4, 50, 3)
    """
    rng = check_random_state(random_state)
    size = (n_samples, n_channels, n_components)
    periods = rng.uniform(_SINE_MIN_PERIOD, _SINE_MAX_PERIOD, size=size)
    phases = rng.uniform(0.0, 2.0 * np.pi, size=size)
    amplitudes = rng.uniform(0.5, 1.5, size=size)
    amplitudes *= np.sqrt(2.0 / np.sum(amplitudes**2, axis=-1, keepdims=True))
    # One component at a time keeps memory at the size of X.
    steps = np.arange(n_timesteps, dtype=np.float64)[None, :, None]
    X = np.zeros((n_samples, n_timesteps, n_channels))
    for k in range(n_components):
        angular = 2.0 * np.pi / periods[:, None, :, k]
        X += amplitudes[:, None, :, k] * np.sin(angular * steps + phases[:, None, :, k])
    X += noise * rng.normal(size=X.shape)
    if n_channels == 1:
        X = X[:, :, 0]
    return X


def _distinct_sign_patterns(rng, n_patterns, n_signs):
    """``n_patterns`` distinct rows of ``n_signs`` random signs (+1 / -1)."""
    patterns = rng.choice([-1.0, 1.0], size=(n_patterns, n_signs))
    # Redraw duplicates until every row is distinct (few redraws: the
    # caller checked that enough patterns exist).
    while len(np.unique(patterns, axis=0)) < n_patterns:
        _, first = np.unique(patterns, axis=0, return_index=True)
        duplicate = np.setdiff1d(np.arange(n_patterns), first)
        patterns[duplicate] = rng.choice([-1.0, 1.0], size=(len(duplicate), n_signs))
    return patterns


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_timesteps": [Interval(Integral, 1, None, closed="left")],
        "mean_duration": [Interval(Real, 1, None, closed="left")],
        "smoothness": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_regime_signals(
    n_samples=100,
    n_timesteps=200,
    *,
    mean_duration=40.0,
    smoothness=0.95,
    random_state=None,
):
    """Generate signals that switch between a smooth and a rough regime.

    A task for labelling every frame of a signal: each series is a sequence
    of segments whose lengths are geometric with mean ``mean_duration``
    steps, alternating between two regimes that a single frame cannot tell
    apart. Both have mean 0 and variance 1 at every step; regime 0 is
    smooth, an AR(1) process ``x_t = a x_{t-1} + sqrt(1 - a^2) e_t`` with
    ``a = smoothness``, and regime 1 is rough, white noise ``x_t = e_t``
    (``e_t`` standard normal). The label of a frame is its regime: a model
    must compare it with its neighbours (a per-frame classifier is at
    chance level).

    Parameters
    ----------
    n_samples : int, default=100
        Number of series.
    n_timesteps : int, default=200
        Length of each series.
    mean_duration : float, default=40.0
        Mean number of steps of a segment (at least 1).
    smoothness : float, default=0.95
        Autocorrelation ``a`` of the smooth regime, in (0, 1).
    random_state : int, RandomState instance or None, default=None
        Seeds the series.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps)
        The signals.
    y : ndarray of shape (n_samples, n_timesteps), int64
        The regime of every frame: 0 smooth, 1 rough.

    Examples
    --------
    >>> from skrnn.datasets import make_regime_signals
    >>> X, y = make_regime_signals(n_samples=3, n_timesteps=50, random_state=0)
    >>> X.shape, y.shape
    ((3, 50), (3, 50))
    >>> sorted(set(y.ravel().tolist()))
    [0, 1]
    """
    rng = check_random_state(random_state)
    a = smoothness
    X = np.empty((n_samples, n_timesteps))
    y = np.empty((n_samples, n_timesteps), dtype=np.int64)
    for i in range(n_samples):
        regime = rng.randint(2)
        value = rng.normal()
        remaining = rng.geometric(1.0 / mean_duration)
        for t in range(n_timesteps):
            if remaining == 0:
                regime = 1 - regime
                remaining = rng.geometric(1.0 / mean_duration)
            noise = rng.normal()
            value = noise if regime else a * value + np.sqrt(1 - a * a) * noise
            X[i, t] = value
            y[i, t] = regime
            remaining -= 1
    return X, y


_MONTHS = (
    "January February March April May June July August September October "
    "November December"
).split()
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL_UNITS = (
    "_ first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
    "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
    "nineteenth"
).split()
_ORDINAL_TENS = {2: "twentieth", 3: "thirtieth"}


def _number_words(n):
    """0 <= n < 100 in English words ("forty-two")."""
    if n < 20:
        return _UNITS[n]
    tens, units = divmod(n, 10)
    return _TENS[tens] + ("-" + _UNITS[units] if units else "")


def _ordinal_words(n):
    """1 <= n <= 31 as an English ordinal in words ("twenty-first")."""
    if n < 20:
        return _ORDINAL_UNITS[n]
    tens, units = divmod(n, 10)
    if not units:
        return _ORDINAL_TENS[tens]
    return _TENS[tens] + "-" + _ORDINAL_UNITS[units]


def _year_words(year):
    """A year of 1950-2049 as it is read ("nineteen eighty-seven")."""
    century, rest = divmod(year, 100)
    if century == 19:
        return "nineteen " + _number_words(rest)
    return "two thousand" + (" " + _number_words(rest) if rest else "")


def _ordinal_suffix(day):
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


# Each format writes (day, month index 0-11, year, weekday index 0-6).
_DATE_FORMATS = (
    lambda d, m, y, w: f"{d} {_MONTHS[m]} {y}",
    lambda d, m, y, w: f"{_MONTHS[m]} {d}, {y}",
    lambda d, m, y, w: f"{d} {_MONTHS[m][:3]} {y}",
    lambda d, m, y, w: f"{d:02d}.{m + 1:02d}.{y}",
    lambda d, m, y, w: f"{m + 1}/{d}/{y % 100:02d}",
    lambda d, m, y, w: f"{_WEEKDAYS[w]}, {_MONTHS[m]} {d}, {y}",
    lambda d, m, y, w: f"the {d}{_ordinal_suffix(d)} of {_MONTHS[m]} {y}",
    lambda d, m, y, w: f"{_ordinal_words(d)} of {_MONTHS[m].lower()}, {_year_words(y)}",
    lambda d, m, y, w: (
        f"{_WEEKDAYS[w].lower()} the {_ordinal_words(d)} of "
        f"{_MONTHS[m].lower()} {_year_words(y)}"
    ),
)


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_date_pairs(n_samples=1000, *, random_state=None):
    """Generate dates written in many ways and their ISO 8601 form.

    A sequence-to-sequence task with a known answer where order and length
    change: each source is a date between 1950-01-01 and 2049-12-31, drawn
    uniformly, written in one of nine formats drawn uniformly, from
    ``"12.03.1987"`` and ``"3/12/87"`` (month first) to ``"thursday the
    twelfth of march nineteen eighty-seven"``; the target is
    ``"1987-03-12"``. Sources have 6 to 60 characters, the longest (days
    and years in words, the weekday) the hardest to read without attention.
    Two-digit years are 1950-2049 (``"87"`` is 1987, ``"12"`` 2012).

    Parameters
    ----------
    n_samples : int, default=1000
        Number of pairs.
    random_state : int, RandomState instance or None, default=None
        Seeds the dates and formats.

    Returns
    -------
    X : list of str
        The written dates.
    y : list of str
        The same dates as ``YYYY-MM-DD``.

    Examples
    --------
    >>> from skrnn.datasets import make_date_pairs
    >>> X, y = make_date_pairs(n_samples=3, random_state=0)
    >>> all(len(target) == 10 for target in y)
    True
    """
    import datetime

    rng = check_random_state(random_state)
    first = datetime.date(1950, 1, 1).toordinal()
    last = datetime.date(2049, 12, 31).toordinal()
    X, y = [], []
    for ordinal, k in zip(
        rng.randint(first, last + 1, size=n_samples),
        rng.randint(len(_DATE_FORMATS), size=n_samples),
    ):
        date = datetime.date.fromordinal(int(ordinal))
        write = _DATE_FORMATS[k]
        X.append(write(date.day, date.month - 1, date.year, date.weekday()))
        y.append(date.isoformat())
    return X, y
