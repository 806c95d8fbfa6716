"""Imports only go down the layers of ARCHITECTURE.md.

Every module of the package is parsed (imports inside functions included)
and placed in a layer; an import of a module of the same layer (sideways)
or of a higher one (upward) fails, and so does a module no layer names, so
that a new module has to be placed. The test reads source text only: it
imports nothing of skrnn.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skrnn"

# Top to bottom. A module may import the modules of lower layers only.
LAYERS = [
    # Export to ONNX reads fitted estimators (the optional extra "onnx").
    ("ONNX export", ["skrnn.onnx"]),
    ("ONNX step models", ["skrnn.onnx._step_models"]),
    ("ONNX converters", ["skrnn.onnx._converters"]),
    # all_estimators() lists what the package exports.
    ("discovery of the public API", ["skrnn.utils.discovery"]),
    ("public API", ["skrnn", "skrnn.utils", "skrnn.datasets"]),
    ("tools over estimators", ["skrnn.utils._gradcheck", "skrnn.utils._scoring"]),
    (
        "estimators",
        [
            "skrnn._classifier",
            "skrnn._regressor",
            "skrnn._generator",
            "skrnn._tagger",
            "skrnn._seq2seq",
            "skrnn.datasets._base",
            "skrnn.datasets._samples_generator",
        ],
    ),
    ("estimator base", ["skrnn._base"]),
    ("reading X", ["skrnn._input"]),
    ("tokenizer, pretrained vectors", ["skrnn._tokenizer", "skrnn._vectors"]),
    (
        "input kinds, docstrings, saved state",
        ["skrnn._sequences", "skrnn._docstrings", "skrnn._persistence"],
    ),
    ("training", ["skrnn._training"]),
    ("encoder-decoder network", ["skrnn._encoder_decoder"]),
    ("network, optimizers", ["skrnn._network", "skrnn._optimizers"]),
    ("how parallel kernels run", ["skrnn._kernels._threads"]),
    ("kernel registry", ["skrnn._kernels"]),
    ("generation loops", ["skrnn._kernels._generate"]),
    (
        "kernels",
        [
            "skrnn._kernels._vanilla",
            "skrnn._kernels._lstm",
            "skrnn._kernels._gru",
            "skrnn._kernels._dense",
            "skrnn._kernels._embedding",
            "skrnn._kernels._optim",
            "skrnn._kernels._attention",
        ],
    ),
    (
        "kernel helpers",
        [
            "skrnn._kernels._linalg",
            "skrnn._kernels._activations",
            "skrnn._kernels._cell",
        ],
    ),
    # The register-blocked product tile, written in LLVM IR.
    ("product tile", ["skrnn._kernels._tile"]),
    (
        "kernel settings",
        ["skrnn._kernels._config", "skrnn._version"],
    ),
]
LAYER_OF = {module: k for k, (_, modules) in enumerate(LAYERS) for module in modules}

# Below the estimators only numpy (and numba in the kernels) may be imported:
# the network and the training layer are tested with arrays alone.
THIRD_PARTY = {
    "skrnn._training": {"numpy"},
    "skrnn._network": {"numpy"},
    "skrnn._encoder_decoder": {"numpy"},
    "skrnn._optimizers": {"numpy"},
    # numba's own code generator, to write the tile's LLVM IR (listed before
    # its package: the first prefix that matches applies).
    "skrnn._kernels._tile": {"numba", "llvmlite"},
    "skrnn._kernels": {"numpy", "numba"},
}
# ``os``: the kernels read the thread variables (``_kernels._threads``);
# ``types``: it copies a kernel's function to compile its serial twin.
STANDARD = {"abc", "dataclasses", "time", "math", "numbers", "os", "types", "typing"}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name):
    """The modules ``name`` imports: skrnn modules by full name, others by
    their top-level package."""
    tree = ast.parse(MODULES[name].read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name}: relative import"
            found.add(node.module)
            # ``from skrnn._kernels import _gru`` imports a module.
            found.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if f"{node.module}.{alias.name}" in MODULES
            )
    return found


def test_layers_name_every_module():
    assert sorted(set(MODULES) - set(LAYER_OF)) == []
    assert sorted(set(LAYER_OF) - set(MODULES)) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_layers_imports_go_down(name):
    layer = LAYER_OF[name]
    wrong = [
        f"{name} ({LAYERS[layer][0]}) imports {target} ({LAYERS[LAYER_OF[target]][0]})"
        for target in sorted(imported_modules(name))
        if target.startswith("skrnn")
        and LAYER_OF[target] <= layer
        # A package's __init__ gathers its own submodules.
        and not (MODULES[name].name == "__init__.py" and target.startswith(name))
    ]
    assert wrong == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_layers_estimators_never_call_a_kernel(name):
    # The estimators talk to the network and training layers only.
    if LAYER_OF[name] >= LAYER_OF["skrnn._training"]:
        return
    kernels = [m for m in imported_modules(name) if m.startswith("skrnn._kernels")]
    assert kernels == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_layers_below_the_estimators_import_numpy_only(name):
    allowed = next(
        (
            packages
            for prefix, packages in THIRD_PARTY.items()
            if name.startswith(prefix)
        ),
        None,
    )
    if allowed is None:
        return
    third_party = {
        m.split(".")[0] for m in imported_modules(name) if not m.startswith("skrnn")
    }
    assert sorted(third_party - allowed - STANDARD) == []


def test_layers_test_catches_an_upward_import(tmp_path, monkeypatch):
    # The rule can fail: a kernel importing the network is reported.
    fake = tmp_path / "skrnn" / "_kernels" / "_config.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from skrnn._network import RNNNetwork\n")
    monkeypatch.setitem(MODULES, "skrnn._kernels._config", fake)
    with pytest.raises(
        AssertionError, match=r"kernel settings.*imports skrnn\._network"
    ):
        test_layers_imports_go_down("skrnn._kernels._config")
