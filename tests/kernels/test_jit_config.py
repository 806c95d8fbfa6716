"""Every kernel is compiled with the flags of ``_kernels/_config.py``.

The dispatchers are found by introspection (every numba dispatcher defined in a
module of ``skrnn._kernels``), so a new kernel is covered without editing this
file. A kernel that hard-codes a flag, or takes a function as an argument (which
silently defeats ``cache=True``), fails here.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import ast
import importlib
import inspect
import pkgutil
import textwrap

import pytest
from numba.core.caching import FunctionCache
from numba.core.dispatcher import Dispatcher

import skrnn._kernels
from skrnn._kernels import CELLS, _config


def find_dispatchers():
    """``{"module.name": dispatcher}`` for every kernel defined in ``_kernels``."""
    found = {}
    for info in pkgutil.iter_modules(skrnn._kernels.__path__):
        module_name = f"skrnn._kernels.{info.name}"
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if isinstance(obj, Dispatcher) and obj.py_func.__module__ == module_name:
                found[f"{info.name}.{name}"] = obj
    return found


DISPATCHERS = find_dispatchers()

# Options numba fills in itself; anything else must come from _config (or be
# ``parallel=True``).
NUMBA_DEFAULTS = {"nopython": True, "boundscheck": None}


def called_parameters(func):
    """Names of ``func``'s parameters that its body calls like functions."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    fdef = tree.body[0]
    params = {a.arg for a in fdef.args.args + fdef.args.kwonlyargs}
    return sorted(
        node.func.id
        for node in ast.walk(fdef)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in params
    )


def test_jit_config_values_are_safe():
    assert not {"nnan", "ninf", "fast", "reassoc"} & set(_config.FASTMATH)
    assert _config.ERROR_MODEL == "numpy"
    assert _config.CACHE is True
    assert _config.NOGIL is True
    assert isinstance(_config.CHUNK_SIZE, int) and _config.CHUNK_SIZE >= 1
    assert _config.JIT_OPTIONS == {
        "cache": _config.CACHE,
        "fastmath": set(_config.FASTMATH),
        "nogil": _config.NOGIL,
        "error_model": _config.ERROR_MODEL,
    }


def test_jit_config_finds_every_registered_kernel():
    registered = {
        id(kernel) for cell in CELLS.values()
        for kernel in (cell.forward, cell.backward, cell.step)
    }  # fmt: skip
    found = {id(d) for d in DISPATCHERS.values()}
    assert len(registered) == 9
    assert registered <= found
    for module in ("_dense", "_optim", "_linalg"):
        assert any(name.startswith(module + ".") for name in DISPATCHERS)


def test_jit_config_registry_describes_each_cell():
    # Name (the key), dispatch code, gate blocks, b_h, cs, carried c, and the
    # gate blocks whose bias starts at 1.
    described = {
        key: (
            cell.name, cell.code, cell.n_gates, cell.recurrent_bias,
            cell.stores_cs, cell.carries_c, cell.unit_bias_gates,
        )
        for key, cell in CELLS.items()
    }  # fmt: skip
    assert described == {
        "rnn": ("rnn", 0, 1, False, False, False, ()),
        "lstm": ("lstm", 1, 4, False, True, True, (1,)),
        "gru": ("gru", 2, 3, True, True, False, ()),
    }


@pytest.mark.parametrize("name", sorted(DISPATCHERS))
def test_jit_config_kernel_uses_config_flags(name):
    d = DISPATCHERS[name]
    options = dict(d.targetoptions)
    assert options.pop("fastmath") == set(_config.FASTMATH)
    assert options.pop("nogil") is _config.NOGIL
    assert options.pop("error_model") == _config.ERROR_MODEL
    assert options.pop("parallel", True) is True
    assert options == NUMBA_DEFAULTS
    # cache=True does not appear in targetoptions: it installs a file cache.
    assert isinstance(d._cache, FunctionCache) is _config.CACHE


@pytest.mark.parametrize("name", sorted(DISPATCHERS))
def test_jit_config_kernel_takes_no_function_argument(name):
    assert called_parameters(DISPATCHERS[name].py_func) == []


def test_jit_config_function_argument_detector_flags_a_called_parameter():
    def apply(x, fn, out):
        out[0] = fn(x)

    assert called_parameters(apply) == ["fn"]
