"""Write the intersphinx inventories that let the docs build offline.

Sphinx's intersphinx extension downloads each project's ``objects.inv`` at
build time; the docs of skrnn must build without a network. This script
writes ``docs/_inventories/{python,numpy,sklearn,matplotlib}.inv`` instead,
from the public names of the *installed* packages, each entry pointing at
the page where that project's own documentation describes the name (the URL
patterns of docs.python.org, numpy.org, scikit-learn.org and matplotlib.org).
``docs/conf.py`` maps each project's public URL to its local file, so links
in the built HTML go to the real online pages.

Run it again (and commit the ``.inv`` files) after upgrading scikit-learn,
numpy or matplotlib::

    python tools/make_intersphinx_inventories.py

The files are Sphinx inventories of version 2 (a four-line header, then
zlib-compressed lines ``name domain:role priority uri dispname``), the format
``sphinx.ext.intersphinx`` reads; sorted, so a rerun on the same versions
writes the same bytes.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import builtins
import importlib
import inspect
import platform
import zlib
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "docs" / "_inventories"

# scikit-learn modules documented on their own API page; names are taken from
# each module's ``__all__`` (sklearn's API reference lists the same names).
SKLEARN_MODULES = [
    "sklearn",
    "sklearn.base",
    "sklearn.calibration",
    "sklearn.callback",
    "sklearn.cluster",
    "sklearn.compose",
    "sklearn.covariance",
    "sklearn.cross_decomposition",
    "sklearn.datasets",
    "sklearn.decomposition",
    "sklearn.discriminant_analysis",
    "sklearn.dummy",
    "sklearn.ensemble",
    "sklearn.exceptions",
    "sklearn.feature_extraction",
    "sklearn.feature_extraction.image",
    "sklearn.feature_extraction.text",
    "sklearn.feature_selection",
    "sklearn.frozen",
    "sklearn.gaussian_process",
    "sklearn.gaussian_process.kernels",
    "sklearn.impute",
    "sklearn.inspection",
    "sklearn.isotonic",
    "sklearn.kernel_approximation",
    "sklearn.kernel_ridge",
    "sklearn.linear_model",
    "sklearn.manifold",
    "sklearn.metrics",
    "sklearn.metrics.pairwise",
    "sklearn.mixture",
    "sklearn.model_selection",
    "sklearn.multiclass",
    "sklearn.multioutput",
    "sklearn.naive_bayes",
    "sklearn.neighbors",
    "sklearn.neural_network",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "sklearn.random_projection",
    "sklearn.semi_supervised",
    "sklearn.svm",
    "sklearn.tree",
    "sklearn.utils",
    "sklearn.utils.class_weight",
    "sklearn.utils.discovery",
    "sklearn.utils.estimator_checks",
    "sklearn.utils.extmath",
    "sklearn.utils.metaestimators",
    "sklearn.utils.multiclass",
    "sklearn.utils.parallel",
    "sklearn.utils.random",
    "sklearn.utils.validation",
]

# Entries of scikit-learn's glossary (https://scikit-learn.org/stable/glossary.html)
# that numpydoc-style docstrings and the user guide refer to.
SKLEARN_TERMS = [
    "array-like",
    "classes_",
    "clone",
    "cross-validation",
    "early stopping",
    "estimator",
    "fit",
    "fitted",
    "meta-estimator",
    "n_features_in_",
    "n_iter_",
    "n_jobs",
    "partial_fit",
    "pipeline",
    "predict",
    "predict_proba",
    "random_state",
    "sample_weight",
    "score",
    "score_samples",
    "transform",
    "warm_start",
]

# Builtin types documented in "Built-in Types" rather than "Built-in Functions".
STDTYPES = {
    "bytearray", "bytes", "dict", "frozenset", "list", "memoryview", "range",
    "set", "str", "tuple",
}  # fmt: skip

# Sections of scikit-learn's docs that the docstrings skrnn inherits from
# scikit-learn (score, get_metadata_routing, set_output, ...) link to with
# :ref:; the set_output guide is linked through its example page.
SKLEARN_LABELS = {
    "metadata_routing": ("metadata_routing.html#metadata-routing", "Metadata Routing"),
    "accuracy_score": (
        "modules/model_evaluation.html#accuracy-score",
        "Accuracy score",
    ),
    "r2_score": ("modules/model_evaluation.html#r2-score", "R² score"),
    "df_output_transform": (
        "auto_examples/miscellaneous/plot_set_output.html",
        "Introducing the set_output API",
    ),
    "sphx_glr_auto_examples_miscellaneous_plot_set_output.py": (
        "auto_examples/miscellaneous/plot_set_output.html"
        "#sphx-glr-auto-examples-miscellaneous-plot-set-output-py",
        "Introducing the set_output API",
    ),
    "glossary": ("glossary.html#glossary", "Glossary of Common Terms and API Elements"),
}

# Entries of Python's glossary that numpydoc's type links use ("iterable").
PYTHON_TERMS = ["iterable", "mapping", "path-like object", "sequence"]

# The Python standard library beyond builtins: module -> (page, members).
PYTHON_MODULES = {
    "pickle": ("library/pickle.html", ["dump", "dumps", "load", "loads"]),
    "pathlib": ("library/pathlib.html", ["Path", "PurePath"]),
    "os": ("library/os.html", ["PathLike", "environ", "fork"]),
    "collections.abc": (
        "library/collections.abc.html",
        ["Iterable", "Mapping", "Sequence", "Callable"],
    ),
    "multiprocessing": ("library/multiprocessing.html", []),
    "warnings": ("library/warnings.html", ["warn", "catch_warnings"]),
    "zlib": ("library/zlib.html", []),
}

# numpy: scalar types on the scalars page, random generators on their own.
NUMPY_SCALARS = [
    "bool_", "float16", "float32", "float64", "int8", "int16", "int32",
    "int64", "uint8", "intp", "generic", "number", "integer", "floating",
]  # fmt: skip
NUMPY_RANDOM = {
    "numpy.random.RandomState": ("class", "reference/random/legacy.html#$"),
    "numpy.random.Generator": ("class", "reference/random/generator.html#$"),
    "numpy.random.default_rng": ("function", "reference/random/generator.html#$"),
    "numpy.random": ("module", "reference/random/index.html#module-numpy.random"),
}


def _public(names):
    return sorted(n for n in names if not n.startswith("_"))


def _role(obj):
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return "exception"
        return "class"
    if callable(obj):
        return "function"
    return "data"


def _methods(cls):
    """Public methods and properties of a class, inherited ones included."""
    out = []
    for name in _public(dir(cls)):
        attr = inspect.getattr_static(cls, name, None)
        if isinstance(attr, property):
            out.append((name, "attribute"))
        elif callable(getattr(cls, name, None)) and not inspect.isclass(
            getattr(cls, name, None)
        ):
            out.append((name, "method"))
    return out


def python_entries():
    """Builtins (functions, types, constants, exceptions) and a few modules."""
    entries = []
    for name in _public(dir(builtins)):
        obj = getattr(builtins, name)
        if name in {"None", "True", "False", "Ellipsis", "NotImplemented"}:
            entries.append((name, "data", "library/constants.html#$"))
        elif inspect.isclass(obj) and issubclass(obj, BaseException):
            entries.append((name, "exception", "library/exceptions.html#$"))
        elif name in STDTYPES:
            entries.append((name, "class", "library/stdtypes.html#$"))
        elif inspect.isclass(obj):
            entries.append((name, "class", "library/functions.html#$"))
        elif callable(obj):
            entries.append((name, "function", "library/functions.html#$"))
    for term in PYTHON_TERMS:
        entries.append((term, "term", "glossary.html#term-" + term.replace(" ", "-")))
    for module, (page, members) in PYTHON_MODULES.items():
        entries.append((module, "module", f"{page}#module-{module}"))
        mod = importlib.import_module(module)
        for member in members:
            obj = getattr(mod, member)
            role = "data" if member == "environ" else _role(obj)
            entries.append((f"{module}.{member}", role, f"{page}#$"))
    return entries


def numpy_entries():
    """Top-level numpy functions and classes, ndarray's methods, scalars."""
    import numpy as np

    entries = [("numpy", "module", "reference/index.html#module-numpy")]
    scalars = set(NUMPY_SCALARS)
    for name in _public(getattr(np, "__all__", dir(np))):
        obj = getattr(np, name, None)
        if obj is None or inspect.ismodule(obj) or name in scalars:
            continue
        role = _role(obj)
        if role == "data":
            entries.append((f"numpy.{name}", "data", "reference/constants.html#$"))
            continue
        entries.append(
            (f"numpy.{name}", role, f"reference/generated/numpy.{name}.html#$")
        )
    for name in NUMPY_SCALARS:
        entries.append((f"numpy.{name}", "class", "reference/arrays.scalars.html#$"))
    for name, role in _methods(np.ndarray):
        full = f"numpy.ndarray.{name}"
        entries.append((full, role, f"reference/generated/{full}.html#$"))
    for name, (role, uri) in NUMPY_RANDOM.items():
        entries.append((name, role, uri))
    return entries


def sklearn_entries():
    """Public names of scikit-learn's API pages, their methods, glossary terms."""
    # The experimental estimators are documented; importing enables them.
    importlib.import_module("sklearn.experimental.enable_halving_search_cv")
    importlib.import_module("sklearn.experimental.enable_iterative_imputer")
    entries = []
    for module in SKLEARN_MODULES:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        if module.count(".") == 1:  # one API page per top-level module
            entries.append((module, "module", f"api/{module}.html#module-$"))
        names = getattr(mod, "__all__", None)
        if names is None:  # e.g. sklearn.base: the names defined there
            names = [
                n
                for n, obj in vars(mod).items()
                if (inspect.isclass(obj) or inspect.isfunction(obj))
                and obj.__module__ == module
            ]
        for name in _public(names):
            obj = getattr(mod, name, None)
            if obj is None or inspect.ismodule(obj):
                continue
            full = f"{module}.{name}"
            if module == "sklearn" and obj.__module__.startswith("sklearn.base"):
                full = f"sklearn.base.{name}"  # sklearn.clone is sklearn.base.clone
            role = _role(obj)
            page = f"modules/generated/{full}.html"
            entries.append((full, role, f"{page}#$"))
            if full != f"{module}.{name}":
                entries.append((f"{module}.{name}", role, f"{page}#{full}"))
            if role in {"class", "exception"}:
                for member, member_role in _methods(obj):
                    entries.append((f"{full}.{member}", member_role, f"{page}#$"))
    for term in SKLEARN_TERMS:
        anchor = "term-" + term.replace(" ", "-")
        entries.append((term, "term", f"glossary.html#{anchor}"))
    for label, (uri, title) in SKLEARN_LABELS.items():
        entries.append((label, "label", uri, title))
    return entries


def matplotlib_entries():
    """pyplot's functions and the methods of Axes and Figure."""
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    entries = [
        ("matplotlib.pyplot", "module", "api/pyplot_summary.html#module-$"),
    ]
    for name in _public(dir(plt)):
        obj = getattr(plt, name)
        if inspect.isfunction(obj) and obj.__module__ == "matplotlib.pyplot":
            full = f"matplotlib.pyplot.{name}"
            entries.append((full, "function", f"api/_as_gen/{full}.html#$"))
    for cls, path, page in [
        (Axes, "matplotlib.axes.Axes", "api/axes_api.html#$"),
        (Figure, "matplotlib.figure.Figure", "api/figure_api.html#$"),
    ]:
        entries.append((path, "class", page))
        for name, role in _methods(cls):
            if role == "method":
                full = f"{path}.{name}"
                entries.append((full, role, f"api/_as_gen/{full}.html#$"))
    return entries


def _write_inventory(path, project, version, entries):
    lines = []
    for entry in sorted(set(entries)):
        name, role, uri = entry[:3]
        display = entry[3] if len(entry) > 3 else "-"
        domain = f"std:{role}" if role in {"term", "label"} else f"py:{role}"
        if uri.endswith("#$") or uri.endswith("-$"):
            pass  # "$" stands for the name, as in Sphinx's own inventories
        elif uri.endswith("#" + name):
            uri = uri[: -len(name)] + "$"
        priority = -1 if role == "label" else 1
        lines.append(f"{name} {domain} {priority} {uri} {display}")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = zlib.compress(("\n".join(lines) + "\n").encode(), 9)
    path.write_bytes(header.encode() + body)
    return len(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)

    import matplotlib
    import numpy
    import sklearn

    python_version = ".".join(platform.python_version_tuple()[:2])
    for filename, project, version, entries in [
        ("python.inv", "Python", python_version, python_entries()),
        ("numpy.inv", "NumPy", numpy.__version__, numpy_entries()),
        ("sklearn.inv", "scikit-learn", sklearn.__version__, sklearn_entries()),
        ("matplotlib.inv", "Matplotlib", matplotlib.__version__, matplotlib_entries()),
    ]:
        n = _write_inventory(args.out_dir / filename, project, version, entries)
        print(f"{args.out_dir / filename}: {n} entries ({project} {version})")


if __name__ == "__main__":
    main()
