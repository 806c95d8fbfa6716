"""Sphinx configuration of skrnn's documentation.

Build (offline; the README's "Documentation" command)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Every ``examples/plot_*.py`` runs during the build (sphinx-gallery); an error
in one stops it. Intersphinx reads the inventories committed in
``docs/_inventories`` (written by ``tools/make_intersphinx_inventories.py``),
never the network.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are files; no display needed

import skrnn

HERE = Path(__file__).resolve().parent

# -- Project -----------------------------------------------------------------

project = "skrnn"
author = "The skrnn developers"
copyright = "The skrnn developers, BSD-3-Clause"
release = skrnn.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx_design",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_inventories",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
]
default_role = "literal"
nitpicky = False

# autodoc / autosummary: one page per public object, from docs/api.rst.
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"

# numpydoc renders the docstrings; the class template lists the methods, so
# numpydoc does not add its own member tables.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_validation_checks = set()
# Types in "Parameters" and "Returns" link to Python's, numpy's and
# scikit-learn's pages (through the offline inventories).
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    "bool": "bool",  # numpydoc's default names a label of Python's docs
    "ndarray": "numpy.ndarray",
    "dtype": "numpy.dtype",
    "RandomState": "numpy.random.RandomState",
    "Generator": "numpy.random.Generator",
    "array-like": ":term:`array-like <array-like>`",
    "Bunch": "sklearn.utils.Bunch",
    "FrozenEstimator": "sklearn.frozen.FrozenEstimator",
    "Pipeline": "sklearn.pipeline.Pipeline",
    "Tokenizer": "skrnn.Tokenizer",
    "RNNClassifier": "skrnn.RNNClassifier",
    "RNNRegressor": "skrnn.RNNRegressor",
    "RNNSequenceGenerator": "skrnn.RNNSequenceGenerator",
    "DataFrame": "pandas.DataFrame",
    "Series": "pandas.Series",
    "path-like": "os.PathLike",
    "callable": "collections.abc.Callable",
}
numpydoc_xref_ignore = {
    "of", "shape", "default", "or", "optional", "instance", "and", "the",
    "if", "is", "with", "a", "an", "one", "per", "each", "n_samples",
    "n_features", "n_timesteps", "n_channels",
    "n_classes", "n_outputs", "n_steps", "vocabulary_size_", "max_length_",
    "n_features_in_", "dtype=int64", "iterable", "sequence", "sequences",
    "arrays", "estimator",
}  # fmt: skip

# -- Intersphinx, offline ------------------------------------------------------

# Each project's public documentation URL, read from a committed inventory so
# that the build never downloads ``objects.inv``.
_INV = HERE / "_inventories"
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", str(_INV / "python.inv")),
    "numpy": ("https://numpy.org/doc/stable/", str(_INV / "numpy.inv")),
    "sklearn": ("https://scikit-learn.org/stable/", str(_INV / "sklearn.inv")),
    "matplotlib": ("https://matplotlib.org/stable/", str(_INV / "matplotlib.inv")),
}

# -- sphinx-gallery --------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Every plot_*.py is executed at build time, and an error stops the build.
    "filename_pattern": r"/plot_",
    # quick_demo.py and series_motif_demo.py are command-line scripts (the
    # README's demo) that print rather than plot and have no gallery title;
    # the gallery covers the same ground with figures.
    "ignore_pattern": r"(__init__|quick_demo|series_motif_demo)\.py",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "run_stale_examples": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 5,
    "capture_repr": ("_repr_html_", "__repr__"),
    # A plotting call's return value is not output worth showing.
    "ignore_repr_types": r"matplotlib\.(text|axes|figure|lines|legend|image)",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "plot_gallery": "True",
    # "Examples using this class" on every API page.
    "backreferences_dir": "generated",  # beside the autosummary stubs
    "doc_module": ("skrnn",),
    "inspect_global_variables": False,
    "show_memory": False,
    "within_subsection_order": "FileNameSortKey",
}

# -- HTML ------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skrnn {release}"
html_static_path = ["_static"]
html_css_files = ["skrnn.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_sidebars = {
    "index": [],
    "install": [],
    "quick_start": [],
    "changelog": [],
}
html_context = {"default_mode": "light"}
