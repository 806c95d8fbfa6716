"""The committed intersphinx inventories that let the docs build offline.

``tools/make_intersphinx_inventories.py`` writes ``docs/_inventories/*.inv``
from the installed packages; ``docs/conf.py`` maps each project's public URL
to one of them. These tests read the committed files as Sphinx does (a
four-line header, then zlib-compressed ``name domain:role priority uri
dispname`` lines) and check that the names skrnn's docstrings and pages link
to are there, pointing at the pages of each project's documentation.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import zlib
from pathlib import Path

import pytest

INVENTORIES = Path(__file__).resolve().parent.parent / "docs" / "_inventories"


def read_inventory(name):
    """Map ``(domain:role, name)`` to the URI, ``$`` expanded, as Sphinx reads it."""
    raw = (INVENTORIES / f"{name}.inv").read_bytes()
    lines = raw.split(b"\n", 4)
    assert lines[0] == b"# Sphinx inventory version 2"
    assert lines[3] == b"# The remainder of this file is compressed using zlib."
    entries = {}
    for line in zlib.decompress(lines[4]).decode().splitlines():
        name_, role, _priority, uri, _display = line.split(" ", 4)
        if uri.endswith("$"):
            uri = uri[:-1] + name_
        entries[role, name_] = uri
    return entries


@pytest.mark.parametrize(
    "inventory, role, name, uri",
    [
        ("python", "py:class", "int", "library/functions.html#int"),
        ("python", "py:class", "dict", "library/stdtypes.html#dict"),
        ("python", "py:class", "str", "library/stdtypes.html#str"),
        ("python", "py:function", "len", "library/functions.html#len"),
        ("python", "py:data", "None", "library/constants.html#None"),
        ("python", "py:exception", "ValueError", "library/exceptions.html#ValueError"),
        ("python", "std:term", "iterable", "glossary.html#term-iterable"),
        (
            "numpy",
            "py:class",
            "numpy.ndarray",
            "reference/generated/numpy.ndarray.html#numpy.ndarray",
        ),
        (
            "numpy",
            "py:class",
            "numpy.random.RandomState",
            "reference/random/legacy.html#numpy.random.RandomState",
        ),
        (
            "numpy",
            "py:class",
            "numpy.random.Generator",
            "reference/random/generator.html#numpy.random.Generator",
        ),
        (
            "sklearn",
            "py:class",
            "sklearn.pipeline.Pipeline",
            "modules/generated/sklearn.pipeline.Pipeline.html"
            "#sklearn.pipeline.Pipeline",
        ),
        (
            "sklearn",
            "py:class",
            "sklearn.base.BaseEstimator",
            "modules/generated/sklearn.base.BaseEstimator.html"
            "#sklearn.base.BaseEstimator",
        ),
        (
            "sklearn",
            "py:class",
            "sklearn.model_selection.GridSearchCV",
            "modules/generated/sklearn.model_selection.GridSearchCV.html"
            "#sklearn.model_selection.GridSearchCV",
        ),
        (
            "sklearn",
            "py:class",
            "sklearn.frozen.FrozenEstimator",
            "modules/generated/sklearn.frozen.FrozenEstimator.html"
            "#sklearn.frozen.FrozenEstimator",
        ),
        (
            "sklearn",
            "py:function",
            "sklearn.base.clone",
            "modules/generated/sklearn.base.clone.html#sklearn.base.clone",
        ),
        (
            "sklearn",
            "py:function",
            "sklearn.utils.estimator_checks.check_estimator",
            "modules/generated/sklearn.utils.estimator_checks.check_estimator.html"
            "#sklearn.utils.estimator_checks.check_estimator",
        ),
        (
            "sklearn",
            "py:function",
            "sklearn.model_selection.train_test_split",
            "modules/generated/sklearn.model_selection.train_test_split.html"
            "#sklearn.model_selection.train_test_split",
        ),
        (
            "sklearn",
            "py:method",
            "sklearn.base.TransformerMixin.set_output",
            "modules/generated/sklearn.base.TransformerMixin.html"
            "#sklearn.base.TransformerMixin.set_output",
        ),
        ("sklearn", "std:term", "array-like", "glossary.html#term-array-like"),
        (
            "sklearn",
            "std:label",
            "metadata_routing",
            "metadata_routing.html#metadata-routing",
        ),
    ],
)
def test_inventories_hold_the_names_the_docs_link_to(inventory, role, name, uri):
    assert read_inventory(inventory)[role, name] == uri


@pytest.mark.parametrize("inventory", ["python", "numpy", "sklearn", "matplotlib"])
def test_inventories_link_only_to_relative_pages(inventory):
    # conf.py gives each project's base URL; an absolute or empty URI here
    # would bypass it.
    entries = read_inventory(inventory)
    assert len(entries) > 100
    for uri in entries.values():
        assert uri and "://" not in uri and not uri.startswith("/")
