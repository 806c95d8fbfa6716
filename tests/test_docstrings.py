"""Docstrings: numpydoc validation and agreement with the code.

As scikit-learn's ``test_docstrings.py`` and ``test_docstring_parameters.py``.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import warnings

import numpy as np
import pytest
from numpydoc.docscrape import ClassDoc
from numpydoc.validate import validate

import skrnn
import skrnn.datasets
import skrnn.utils
from skrnn.utils.discovery import all_estimators

# Checks scikit-learn does not enforce either: extended summaries, "See Also"
# and examples on every method, and RT02 (it misreads "name : type" returns).
IGNORED = {"ES01", "SA01", "EX01", "GL01", "GL02", "RT02"}


def _public_objects():
    paths = []
    for module in (skrnn, skrnn.utils, skrnn.datasets):
        for name in module.__all__:
            if name.startswith("__"):
                continue
            obj = getattr(module, name)
            paths.append(f"{module.__name__}.{name}")
            if inspect.isclass(obj):
                for attr, member in inspect.getmembers(obj):
                    owner = getattr(member, "__module__", "") or ""
                    if (
                        not attr.startswith("_")
                        and callable(member)
                        and (owner.startswith("skrnn"))
                    ):
                        paths.append(f"{module.__name__}.{name}.{attr}")
    return paths


@pytest.mark.parametrize("path", _public_objects())
def test_docstrings_numpydoc_valid(path):
    errors = [
        f"{code}: {message}"
        for code, message in validate(path)["errors"]
        if code not in IGNORED
    ]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name, Estimator", all_estimators())
def test_docstrings_parameters_match_signature(name, Estimator):
    documented = [p.name for p in ClassDoc(Estimator)["Parameters"]]
    signature = list(inspect.signature(Estimator).parameters)
    assert documented == signature


@pytest.mark.parametrize("name, Estimator", all_estimators())
def test_docstrings_fitted_attributes_documented(name, Estimator):
    documented = {a.name for a in ClassDoc(Estimator)["Attributes"]}
    X = np.random.RandomState(0).normal(size=(20, 4))
    y = (X[:, 0] > 0).astype(int)
    if name == "RNNSequenceTagger":  # a label at every step
        y = (X > 0).astype(int)
    settings = {
        "hidden_size": 2,
        "max_iter": 2,
        "early_stopping": True,
        "random_state": 0,
    }
    accepted = Estimator().get_params()
    est = Estimator(**{k: v for k, v in settings.items() if k in accepted})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    fitted = {
        attr for attr in vars(est) if attr.endswith("_") and not attr.startswith("_")
    }
    assert fitted - documented == set()
