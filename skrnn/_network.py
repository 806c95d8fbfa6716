"""RNNNetwork: parameter layout, initialisation, forward and gradient passes.

The network owns one flat parameter vector ``theta`` (compute dtype) and named
views into it; every kernel call receives views, and the optimizer, clipping
and the finite-difference check work on the flat vector. This module knows
nothing about scikit-learn: it works on padded arrays and lengths.

Shapes: ``B`` samples, ``T`` padded steps, ``F`` input features, ``H`` hidden
units, ``D = H * n_directions`` features per step out of a layer, ``C``
outputs of the head.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skrnn._kernels import CELLS
from skrnn._kernels._dense import (
    dense_backward,
    dense_forward,
    log_softmax,
    softmax_cross_entropy,
    squared_error,
    squared_error_with_stop,
)
from skrnn._kernels._embedding import embedding_backward, embedding_forward
from skrnn._kernels._generate import continue_series, sample_tokens
from skrnn._kernels._threads import runnable

# Steps per forward call when no gradient is needed (prediction, scoring,
# the steps before a truncated-BPTT window): the caches of a call hold
# B x STREAM_STEPS steps whatever the length of the sequences.
STREAM_STEPS = 256

# Logit given to outputs that can never occur (finite, so that no inf or NaN
# enters a kernel; exp() of it underflows to exactly 0 in float32 and float64).
MASKED_LOGIT = -1e30


def log_probabilities(outputs):
    """Row-wise log-softmax of head outputs, as a new array."""
    log_p = np.empty_like(outputs)
    log_softmax(outputs, log_p)
    return log_p


def reverse_padded(x, lengths):
    """Reverse each sample's first ``lengths[i]`` steps; padding stays put.

    The map is its own inverse. Returns a fresh C-contiguous array.
    """
    T = x.shape[1]
    t = np.arange(T)
    index = np.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)
    return take_steps(x, index)


def take_steps(x, index):
    """``x[b, index[b, k]]`` for every sample ``b``; ``x`` is (B, T) or (B, T, F).

    Returns a fresh C-contiguous array of shape ``index.shape + x.shape[2:]``.
    """
    B, T = x.shape[:2]
    # Whole steps taken from the flattened (B * T) rows: a tenth of the time
    # of take_along_axis, which broadcasts the index over F.
    flat = (np.arange(B)[:, None] * T + index).ravel()
    rows = x.reshape(B * T, *x.shape[2:]).take(flat, axis=0)
    return rows.reshape(*index.shape, *x.shape[2:])


def theta_problem(theta, dtype, n_params):
    """What makes a loaded flat parameter vector unusable, or None: it must
    be a finite 1-D array of ``dtype`` holding the layout's ``n_params``
    values (the kernels would read a shorter one out of bounds)."""
    if not isinstance(theta, np.ndarray) or theta.ndim != 1:
        return "theta is not a 1-D array"
    if theta.dtype != dtype:
        return f"theta has dtype {theta.dtype}, the network {dtype}"
    if theta.shape[0] != n_params:
        return f"theta holds {theta.shape[0]} values where the layout needs {n_params}"
    if not np.isfinite(theta).all():
        return "theta holds NaN or inf"
    return None


def inconsistent_state(problem):
    """The error of a saved network that cannot be used."""
    return ValueError(
        f"The saved network is inconsistent: {problem}. The file is truncated "
        "or was modified; load an intact copy or refit."
    )


class FlatParameters:
    """Masks over a network's flat ``theta``, from its named ``views``.

    Shared by :class:`RNNNetwork` and the encoder-decoder: a subclass has
    ``theta`` and ``views(flat)``; ``WEIGHT_VECTORS`` names the vectors that
    are weights (L2 applies) besides the matrices, whose names start with
    ``W``.
    """

    WEIGHT_VECTORS = ()

    def weight_mask(self):
        """Boolean vector, True on weights (L2 applies), False on biases."""
        mask = np.zeros(self.theta.shape[0], dtype=bool)
        for name, view in self.views(mask).items():
            if name.rsplit(".", 1)[1].startswith("W") or name in self.WEIGHT_VECTORS:
                view[...] = True
        return mask

    def parameter_mask(self, *names):
        """Boolean vector, True on the named parameters (such as "embedding.W")."""
        mask = np.zeros(self.theta.shape[0], dtype=bool)
        views = self.views(mask)
        for name in names:
            if name in views:
                views[name][...] = True
        return mask


class RNNNetwork(FlatParameters):
    """A stack of recurrent layers and a dense head on one flat parameter vector.

    Parameters
    ----------
    cell : str
        A key of ``skrnn._kernels.CELLS``: everything cell-specific is read
        from that description.
    n_inputs : int
        Features per time step of the first recurrent layer's input (the
        embedding width when ``vocabulary_size`` is set).
    hidden_size : int
    n_layers : int
    bidirectional : bool
    n_outputs : int
        Width of the dense head.
    dtype : numpy dtype
        Compute dtype (float32 or float64).
    vocabulary_size : int or None, default=None
        When set, the input is int64 token ids of shape (B, T), looked up in
        an embedding table ``embedding.W`` of shape (vocabulary_size,
        n_inputs) in front of the first layer.
    """

    def __init__(
        self,
        cell,
        n_inputs,
        hidden_size,
        n_layers,
        bidirectional,
        n_outputs,
        dtype,
        vocabulary_size=None,
    ):
        self.cell = cell
        self.vocabulary_size = vocabulary_size
        self.n_inputs = n_inputs
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.bidirectional = bidirectional
        self.n_outputs = n_outputs
        self.dtype = np.dtype(dtype)
        self._layout = self._make_layout()
        self.theta = np.zeros(sum(self._sizes()), dtype=self.dtype)
        self._build_views()

    # ------------------------------------------------------------------ layout
    @property
    def n_directions(self):
        return 2 if self.bidirectional else 1

    @property
    def cell_kernels(self):
        """The cell's description, a ``CellKernels`` (looked up, never stored)."""
        return CELLS[self.cell]

    @property
    def n_gates(self):
        return self.cell_kernels.n_gates

    def _make_layout(self):
        H = self.hidden_size
        G = self.n_gates * H
        recurrent_bias = self.cell_kernels.recurrent_bias
        layout = []
        if self.vocabulary_size is not None:
            layout.append(("embedding.W", (self.vocabulary_size, self.n_inputs)))
        for layer in range(self.n_layers):
            F = self.n_inputs if layer == 0 else H * self.n_directions
            for direction in range(self.n_directions):
                prefix = f"layer{layer}.dir{direction}."
                layout += [
                    (prefix + "W_x", (F, G)),
                    (prefix + "W_h", (H, G)),
                    (prefix + "b", (G,)),
                    (prefix + "b_h", (H,) if recurrent_bias else (0,)),
                ]
        D = H * self.n_directions
        layout += [("head.W", (D, self.n_outputs)), ("head.b", (self.n_outputs,))]
        return layout

    def _sizes(self):
        return [int(np.prod(shape)) for _, shape in self._layout]

    def views(self, flat):
        """Named views into a flat vector laid out like ``theta``."""
        return {
            name: flat[start:stop].reshape(shape)
            for name, start, stop, shape in self._spans
        }

    def offsets(self):
        """Offset in ``theta`` of each named parameter."""
        return {name: start for name, start, _, _ in self._spans}

    def step_tables(self):
        """Where the generation loops find each parameter in ``theta``.

        Returns ``(layers, head, embedding)``, int64 tables laid out as
        ``skrnn._kernels._generate`` expects. Unidirectional networks only.
        """
        o = self.offsets()
        shapes = dict(self._layout)
        rows = []
        for layer in range(self.n_layers):
            prefix = f"layer{layer}.dir0."
            F, G = shapes[prefix + "W_x"]
            names = ("W_x", "W_h", "b", "b_h")
            offsets = [o[prefix + name] for name in names]
            rows.append([*offsets, F, G, shapes[prefix + "b_h"][0]])
        head = [o["head.W"], o["head.b"]]
        embedding = [o.get("embedding.W", 0), self.vocabulary_size or 0, self.n_inputs]
        return (
            np.array(rows, dtype=np.int64),
            np.array(head, dtype=np.int64),
            np.array(embedding, dtype=np.int64),
        )

    def bind(self, theta):
        """Read the parameters from ``theta`` from now on: a view into a
        larger vector laid out like this network's (an encoder-decoder's
        part), whose values become the parameters."""
        self.theta = theta
        self._build_views()

    def _build_views(self):
        ends = np.cumsum([0, *self._sizes()]).tolist()
        self._spans = [
            (name, start, stop, shape)
            for (name, shape), start, stop in zip(self._layout, ends, ends[1:])
        ]
        self.params = self.views(self.theta)

    def __getstate__(self):
        # Views come back from a pickle as independent copies: drop them and
        # rebuild them from ``theta`` on load.
        state = self.__dict__.copy()
        for name in ("params", "_spans"):
            del state[name]
        # The dtype by name: skops trusts a string, not a ``numpy.dtype``.
        state["dtype"] = self.dtype.name
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        # A name, or a ``numpy.dtype`` in states saved before it was a name.
        self.dtype = np.dtype(self.dtype)
        problem = self._state_problem()
        if problem is not None:
            raise inconsistent_state(problem)
        self._build_views()

    def _state_problem(self):
        """What makes a loaded state unusable, or None.

        The views over ``theta`` and the kernels that read them rely on
        ``theta`` matching the layout its hyper-parameters give: a mismatch
        would be read out of bounds inside a kernel.
        """
        if self.cell not in CELLS:
            return f"unknown cell {self.cell!r}"
        if self.dtype not in (np.float32, np.float64):
            return f"dtype {self.dtype} is not float32 or float64"
        sizes = (self.n_inputs, self.hidden_size, self.n_layers, self.n_outputs)
        if not all(isinstance(v, (int, np.integer)) and v > 0 for v in sizes):
            return "its sizes are not positive integers"
        layout = [(name, tuple(int(n) for n in shape)) for name, shape in self._layout]
        if layout != self._make_layout():
            return "its parameter layout does not match its hyper-parameters"
        return theta_problem(self.theta, self.dtype, sum(self._sizes()))
        return None

    def astype(self, dtype):
        """A copy of the network computing in ``dtype``."""
        net = RNNNetwork(
            self.cell,
            self.n_inputs,
            self.hidden_size,
            self.n_layers,
            self.bidirectional,
            self.n_outputs,
            dtype,
            self.vocabulary_size,
        )
        net.theta[:] = self.theta
        return net

    # ---------------------------------------------------------- initialisation
    def initialize(self, random_state):
        """Draw the parameters from ``random_state`` (a ``RandomState``).

        Input and head weights: Glorot uniform per gate block; recurrent
        weights: orthogonal per gate block; biases 0, except the gate blocks
        of the cell's ``unit_bias_gates`` (the LSTM forget gate), which start
        at 1 so that memory is kept early in training.
        Embedding vectors: uniform in [-0.05, 0.05] (Keras's default), except
        the padding id's (0), which is never read and stays 0. Small initial
        vectors let training shape them (words used alike end up alike)
        instead of memorising random codes: on ``load_sentiment`` standard
        normal vectors generalised far worse.
        """
        H = self.hidden_size
        for name, view in self.params.items():
            kind = name.rsplit(".", 1)[1]
            if view.size == 0:
                continue
            if name == "embedding.W":
                view[...] = random_state.uniform(-0.05, 0.05, size=view.shape)
                view[0] = 0
            elif kind == "W_x" or name == "head.W":
                fan_in = view.shape[0]
                fan_out = H if kind == "W_x" else view.shape[1]
                bound = np.sqrt(6.0 / (fan_in + fan_out))
                view[...] = random_state.uniform(-bound, bound, size=view.shape)
            elif kind == "W_h":
                for g in range(self.n_gates):
                    q, r = np.linalg.qr(random_state.normal(size=(H, H)))
                    view[:, g * H : (g + 1) * H] = q * np.sign(np.diag(r))
            else:
                view[...] = 0
                if kind == "b" and name != "head.b":
                    for g in self.cell_kernels.unit_bias_gates:
                        view[g * H : (g + 1) * H] = 1

    # ----------------------------------------------------------------- passes
    def _run_direction(self, layer, direction, x, lengths, h0, c0):
        """Forward one layer-direction; returns the cache its backward needs."""
        kernels = self.cell_kernels
        p = self.params
        prefix = f"layer{layer}.dir{direction}."
        B, T, _ = x.shape
        H = self.hidden_size
        hs = np.empty((B, T, H), dtype=self.dtype)
        cs = np.empty((B, T, H) if kernels.stores_cs else (0, 0, 0), self.dtype)
        act = np.empty((B, T, self.n_gates * H), dtype=self.dtype)
        runnable(kernels.forward)(
            x, lengths, p[prefix + "W_x"], p[prefix + "W_h"], p[prefix + "b"],
            p[prefix + "b_h"], h0, c0, hs, cs, act,
        )  # fmt: skip
        return {"x": x, "h0": h0, "c0": c0, "hs": hs, "cs": cs, "act": act}

    def zero_states(self, B):
        """Zero initial states ``(h0, c0)`` of shape (n_layers, n_directions, B, H)."""
        H = self.hidden_size
        shape = (self.n_layers, self.n_directions, B, H)
        return np.zeros(shape, self.dtype), np.zeros(shape, self.dtype)

    def forward(self, x, lengths, h0=None, c0=None, masks=None, every_step=False):
        """Run every layer; return the caches and the head's input features.

        Parameters
        ----------
        x : ndarray of shape (B, T, F), or (B, T) int64 token ids
        lengths : ndarray of shape (B,), int64
        h0, c0 : ndarray of shape (n_layers, n_directions, B, H), default=None
            Initial states (zeros when None), in each direction's own time
            order (for the reverse direction: the state before the last step).
        masks : list of ndarray, default=None
            Inverted-dropout masks: one (B, T, D) mask for the input of each
            layer above the first, then one mask of the shape of ``features``
            for the head's input.
        every_step : bool, default=False
            Whether the head reads every step (a next-step model) instead of
            each sample's last real step (many-to-one).

        Returns
        -------
        caches : list of list of dict
            ``caches[layer][direction]``, what the backward pass needs.
        features : ndarray of shape (B, D), or (B, T, D) with ``every_step``
            Each sample's output at its last real step, every direction
            concatenated (the reverse direction's last step is time 0); or
            the top layer's output at every step.
        """
        x = self.embed(x, lengths)
        if h0 is None:
            h0, c0 = self.zero_states(x.shape[0])
        caches = []
        layer_input = x
        for layer in range(self.n_layers):
            if layer > 0 and masks is not None:
                layer_input = layer_input * masks[layer - 1]
            layer_caches = []

            def run(direction, run_input, layer=layer, layer_caches=layer_caches):
                cache = self._run_direction(
                    layer, direction, run_input, lengths, h0[layer, direction],
                    c0[layer, direction],
                )  # fmt: skip
                layer_caches.append(cache)
                return cache["hs"]

            layer_input = self._each_direction(layer_input, lengths, run)
            caches.append(layer_caches)
        if every_step:
            features = layer_input
        else:
            last = lengths - 1
            rows = np.arange(x.shape[0])
            features = np.concatenate(
                [cache["hs"][rows, last] for cache in caches[-1]], axis=1
            )
        if masks is not None:
            features = features * masks[-1]
        return caches, np.ascontiguousarray(features)

    def embed(self, x, lengths):
        """The first layer's input: ``x`` itself, or the embedded token ids."""
        if self.vocabulary_size is None:
            return x
        out = np.empty((*x.shape, self.n_inputs), dtype=self.dtype)
        embedding_forward(x, lengths, self.params["embedding.W"], out)
        return out

    def head(self, features):
        """Raw head outputs ``b + features @ W``, shape (B, C)."""
        out = np.empty((features.shape[0], self.n_outputs), dtype=self.dtype)
        dense_forward(features, self.params["head.W"], self.params["head.b"], out)
        return out

    def predict(self, x, lengths):
        """Raw head outputs for a padded batch (no dropout), shape (B, C)."""
        return self.head(self.features(x, lengths))

    def features(self, x, lengths, every_step=False):
        """What the head reads, without caches (no dropout).

        A unidirectional network reads the sequences in windows of
        ``STREAM_STEPS`` steps (see :meth:`stream`): memory does not grow
        with their length (except for the output itself with
        ``every_step``).

        Parameters
        ----------
        x : ndarray of shape (B, T, F), or (B, T) int64 token ids
        lengths : ndarray of shape (B,), int64
        every_step : bool, default=False
            Whether to return the top layer's output at every step instead
            of after each sequence's last real step.

        Returns
        -------
        features : ndarray of shape (B, D), or (B, T, D) with ``every_step``
            Every direction concatenated (the reverse direction's output
            after the last real step is its output at time 0); zero past
            each sequence's length with ``every_step``.
        """
        if not every_step:
            if self.bidirectional:
                return self._bidirectional_features(x, lengths)
            h, _ = self.stream(x, lengths)
            return np.ascontiguousarray(h[-1, 0])
        if self.bidirectional:
            out = self._bidirectional_features(x, lengths, every_step=True)
        else:
            out = np.empty((*x.shape[:2], self.hidden_size), dtype=self.dtype)

            def keep(rows, start, _, top):
                out[rows, start : start + top.shape[1]] = top

            self.stream(x, lengths, on_window=keep)
        out[np.arange(x.shape[1])[None, :] >= lengths[:, None]] = 0
        return out

    def _bidirectional_features(self, x, lengths, every_step=False):
        """:meth:`features` of a bidirectional network.

        Layer after layer, each direction in windows (:meth:`stream`); only
        a layer's outputs are kept, as the next layer's input.
        """
        B, T = x.shape[:2]
        layer_input = self.embed(x, lengths)
        for layer in range(self.n_layers):
            # The top layer's outputs are needed only at every step.
            top = layer == self.n_layers - 1 and not every_step
            finals = []  # each direction's state after the last step

            def run(direction, run_input, layer=layer, top=top, finals=finals):
                hs = None if top else np.zeros((B, T, self.hidden_size), self.dtype)

                def keep(rows, start, _, out):
                    hs[rows, start : start + out.shape[1]] = out

                h, _ = self.stream(
                    run_input, lengths, on_window=None if top else keep,
                    layer=layer, direction=direction,
                )  # fmt: skip
                finals.append(h[layer, direction])
                return hs

            layer_input = self._each_direction(layer_input, lengths, run)
        if every_step:
            return layer_input
        return np.ascontiguousarray(np.concatenate(finals, axis=1))

    def _each_direction(self, layer_input, lengths, run):
        """Run every direction of a layer; return its output (B, T, D) or None.

        ``run(direction, run_input)`` runs one direction on its input in its
        own time order (reversed per sample for the reverse direction) and
        returns its outputs in that order, or None when they are not needed.
        """
        outputs = []
        for direction in range(self.n_directions):
            run_input = layer_input
            if direction == 1:
                run_input = reverse_padded(layer_input, lengths)
            hs = run(direction, run_input)
            if hs is not None:
                outputs.append(hs if direction == 0 else reverse_padded(hs, lengths))
        if not outputs:
            return None
        return outputs[0] if len(outputs) == 1 else np.concatenate(outputs, 2)

    def stream(
        self, x, lengths, h0=None, c0=None, masks=None, on_window=None, layer=None,
        direction=0,
    ):  # fmt: skip
        """Run the network's layers without keeping their caches.

        The sequences are read in windows of ``STREAM_STEPS`` steps, every
        layer of a window before the next window, each layer starting from
        the state it reached; only the sequences still running enter a
        window. Each step computes what :meth:`forward` computes, bit for
        bit.

        Parameters
        ----------
        x : ndarray of shape (B, T, F), or (B, T) int64 token ids
        lengths : ndarray of shape (B,), int64
            Steps to run per sequence; 0 leaves its initial state.
        h0, c0 : ndarray of shape (n_layers, n_directions, B, H), default=None
            Initial states (zeros when None); not modified.
        masks : list of ndarray, default=None
            Inverted-dropout masks of shape (B, T, D) for the input of each
            layer above the first (see :meth:`forward`).
        on_window : callable, default=None
            ``on_window(rows, start, n_steps, top)`` after each window:
            the sequences in it, its first step, their steps in it, and
            the top layer's outputs, shape (len(rows), max(n_steps), H).
        layer, direction : int, default=None, 0
            Run only this layer-direction, ``x`` being its input (embedded
            already): how a bidirectional network streams, layer by layer.

        Returns
        -------
        h, c : ndarray of shape (n_layers, n_directions, B, H)
            Each layer's state after each sequence's last step (``c`` is zero
            unless the cell carries a second state).
        """
        B, T = x.shape[:2]
        if h0 is None:
            h, c = self.zero_states(B)
        else:
            h, c = h0.copy(), c0.copy()
        carries_c = self.cell_kernels.carries_c
        for start in range(0, T, STREAM_STEPS):
            rows = np.flatnonzero(lengths > start)
            if rows.size == 0:
                break
            n_steps = np.minimum(lengths[rows] - start, STREAM_STEPS)
            steps = slice(start, start + int(n_steps.max()))
            layer_input = np.ascontiguousarray(x[rows, steps])
            if layer is None:
                layer_input = self.embed(layer_input, n_steps)
            picked = np.arange(rows.shape[0])
            d = direction
            for k in range(self.n_layers) if layer is None else (layer,):
                if k > 0 and masks is not None:
                    layer_input = layer_input * masks[k - 1][rows, steps]
                cache = self._run_direction(
                    k, d, layer_input, n_steps,
                    np.ascontiguousarray(h[k, d, rows]),
                    np.ascontiguousarray(c[k, d, rows]),
                )  # fmt: skip
                h[k, d, rows] = cache["hs"][picked, n_steps - 1]
                if carries_c:
                    c[k, d, rows] = cache["cs"][picked, n_steps - 1]
                layer_input = cache["hs"]
            if on_window is not None:
                on_window(rows, start, n_steps, layer_input)
        return h, c

    def backward(
        self,
        caches,
        lengths,
        d_features,
        grad,
        masks=None,
        need_input_grad=False,
        every_step=False,
        grad_views=None,
        dh_last=None,
        dc_last=None,
    ):
        """Backpropagate ``d_features`` through every layer into ``grad``.

        ``d_features`` is (B, D), the gradient w.r.t. the last real step's
        output, or with ``every_step`` (B, T, D), w.r.t. every step's.
        ``dh_last``, ``dc_last`` (n_layers, n_directions, B, H), when given,
        are the gradients w.r.t. each layer-direction's state after the last
        real step (in its own time order): an encoder's final states, which
        start a decoder.

        Writes the recurrent layers' gradients into ``grad`` (a flat vector
        laid out like ``theta``) and returns the gradients w.r.t. the input
        and the initial states ``(dx, dh0, dc0)``; ``dx`` is (B, T, F), zero
        past each sample's length, with ``need_input_grad``, else None.
        ``grad_views``, ``views(grad)`` when the caller has them already.
        """
        backward = self.cell_kernels.backward
        g = self.views(grad) if grad_views is None else grad_views
        p = self.params
        H = self.hidden_size
        B = lengths.shape[0]
        rows = np.arange(B)
        last = lengths - 1
        if masks is not None:
            d_features = d_features * masks[-1]
        dh0 = np.zeros((self.n_layers, self.n_directions, B, H), self.dtype)
        # In: the gradient w.r.t. the last cell state (the kernels read it);
        # out: w.r.t. the initial one.
        dc0 = np.zeros_like(dh0) if dc_last is None else dc_last.astype(self.dtype)
        # Gradient w.r.t. the current layer's output, (B, T, D).
        d_output = d_features if every_step else None
        dx = None
        for layer in range(self.n_layers - 1, -1, -1):
            # The kernels write d_x only when asked to: below the first layer
            # there is nothing to pass it to, unless an embedding table.
            need_dx = layer > 0 or need_input_grad
            dx = None
            for direction in range(self.n_directions):
                cache = caches[layer][direction]
                T = cache["hs"].shape[1]
                if d_output is None:
                    dhs = np.zeros((B, T, H), self.dtype)
                else:
                    dhs = np.ascontiguousarray(
                        d_output[:, :, direction * H : (direction + 1) * H]
                    )
                    if direction == 1:
                        dhs = reverse_padded(dhs, lengths)
                if layer == self.n_layers - 1 and not every_step:
                    dhs[rows, last] += d_features[
                        :, direction * H : (direction + 1) * H
                    ]
                if dh_last is not None:
                    if d_output is not None and direction == 0:
                        dhs = dhs.copy()  # may be a view of the caller's array
                    dhs[rows, last] += dh_last[layer, direction]
                prefix = f"layer{layer}.dir{direction}."
                x = cache["x"]
                # Never read when not need_dx: the kernel leaves it unwritten.
                d_x = np.empty_like(x) if need_dx else np.empty((0, 0, 0), x.dtype)
                inputs = (x, lengths, p[prefix + "W_x"], p[prefix + "W_h"])
                inputs += (p[prefix + "b_h"], cache["h0"], cache["c0"])
                stored = (cache["hs"], cache["cs"], cache["act"], dhs)
                outputs = (d_x, g[prefix + "W_x"], g[prefix + "W_h"], g[prefix + "b"])
                outputs += (g[prefix + "b_h"], dh0[layer, direction])
                outputs += (dc0[layer, direction],)
                runnable(backward)(*inputs, *stored, *outputs, need_dx)
                if not need_dx:
                    continue
                if direction == 1:
                    d_x = reverse_padded(d_x, lengths)
                dx = d_x if dx is None else dx + d_x
            if layer > 0 and masks is not None:
                dx = dx * masks[layer - 1]
            d_output = dx
        return dx, dh0, dc0

    def loss_and_grad(
        self, x, lengths, targets, weights, loss, grad, masks=None, h0=None, c0=None
    ):
        """Loss of a batch and its gradient w.r.t. ``theta`` (written to ``grad``).

        Many-to-one: the head reads each sample's last real step.

        Parameters
        ----------
        x : ndarray of shape (B, T, F), or (B, T) int64 token ids
        lengths : ndarray of shape (B,), int64
        targets : ndarray
            ``(B,)`` int64 class indices for ``loss="softmax"``, ``(B, C)``
            floats for ``loss="squared"``.
        weights : ndarray of shape (B,)
            Sample weights divided by their sum.
        loss : {"softmax", "squared"}
        grad : ndarray of shape (n_params,)
            Out.
        masks : list of ndarray, default=None
            Dropout masks, see :meth:`forward`.
        h0, c0 : ndarray of shape (n_layers, 1, B, H), default=None
            Initial states (zeros when None); the gradient does not flow
            into them (truncated BPTT).

        Returns
        -------
        loss_value : float
        """
        caches, features = self.forward(x, lengths, h0, c0, masks=masks)
        g = self.views(grad)
        value, d_features = self._head_loss_and_grad(
            features, targets, weights, loss, g
        )
        self._backward_into(x, caches, lengths, d_features, grad, g, masks)
        return value

    def _head_loss_and_grad(self, features, targets, weights, loss, g, mask=None):
        """Loss of the head on rows of ``features``; the head's gradient goes
        to the gradient views ``g``, the gradient w.r.t. ``features`` is
        returned.

        ``mask`` (outputs that can never be a target) pins those logits to
        ``MASKED_LOGIT``, so that they get probability 0.
        """
        out = self.head(features)
        if mask is not None:
            out[:, mask] = MASKED_LOGIT
        d_out = np.empty_like(out)
        if loss == "softmax":
            value = softmax_cross_entropy(out, targets, weights, d_out)
        elif loss == "squared_stop":
            value = squared_error_with_stop(out, targets, weights, d_out)
        else:
            value = squared_error(out, targets, weights, d_out)
        d_features = np.empty_like(features)
        dense_backward(
            features, d_out, self.params["head.W"], d_features, g["head.W"], g["head.b"]
        )
        return float(value), d_features

    def _backward_into(
        self, x, caches, lengths, d_features, grad, g, masks, every_step=False
    ):
        """Backpropagate through the layers and the embedding into ``grad``
        (whose views are ``g``)."""
        embedded = self.vocabulary_size is not None
        dx, _, _ = self.backward(
            caches, lengths, d_features, grad, masks, need_input_grad=embedded,
            every_step=every_step, grad_views=g,
        )  # fmt: skip
        if embedded:
            embedding_backward(x, lengths, dx, g["embedding.W"])

    # ------------------------------------------------------ next-step model
    def states_after(self, caches, lengths):
        """Each layer's state after each sample's last real step.

        Returns ``(h, c)`` of shape (n_layers, 1, B, H), the initial states
        that continue the sequences (``c`` is zero unless the cell carries a
        second state). Unidirectional networks only.
        """
        B = lengths.shape[0]
        rows = np.arange(B)
        last = lengths - 1
        h, c = self.zero_states(B)
        for layer, layer_caches in enumerate(caches):
            cache = layer_caches[0]
            h[layer, 0] = cache["hs"][rows, last]
            if self.cell_kernels.carries_c:
                c[layer, 0] = cache["cs"][rows, last]
        return h, c

    def step_outputs(self, x, lengths, h0=None, c0=None, on_rows=None):
        """Head outputs at every real step, as rows (no caches kept).

        Unidirectional networks only.

        Parameters
        ----------
        x, lengths, h0, c0 : see :meth:`stream`.
        on_rows : callable, default=None
            ``on_rows(samples, steps, out)`` for each window of steps
            instead of collecting the rows: the sample and step of each row
            and the head outputs ``out`` (rows, C), sample by sample. Memory
            then stays that of a window.

        Returns
        -------
        out : ndarray of shape (N, C) or None
            ``N = lengths.sum()`` rows, sample by sample, then step by step
            (None with ``on_rows``).
        states : tuple of ndarray
            ``(h, c)`` after each sample's last step (see :meth:`stream`).
        """
        out = None
        if on_rows is None:
            out = np.empty((int(lengths.sum()), self.n_outputs), dtype=self.dtype)
            first_row = np.cumsum(lengths) - lengths  # of each sample in ``out``

            def on_rows(samples, steps, rows_out):
                out[first_row[samples] + steps] = rows_out

        def on_window(rows, start, n_steps, top):
            width = top.shape[1]
            valid = np.arange(width)[None, :] < n_steps[:, None]
            samples = np.broadcast_to(rows[:, None], valid.shape)[valid]
            steps = np.broadcast_to(start + np.arange(width), valid.shape)[valid]
            on_rows(samples, steps, self.head(np.ascontiguousarray(top[valid])))

        states = self.stream(x, lengths, h0, c0, on_window=on_window)
        return out, states

    def sequence_loss_and_grad(
        self, x, lengths, targets, loss, grad, h0=None, c0=None, masks=None,
        output_mask=None, step_weights=None,
    ):  # fmt: skip
        """Mean loss over every real step of a batch, and its gradient.

        Parameters
        ----------
        x : ndarray of shape (B, T, F), or (B, T) int64 token ids
        lengths : ndarray of shape (B,), int64
        targets : ndarray of shape (B, T), int64, or (B, T, C)
            Target at each step (class ids for ``loss="softmax"``).
        loss : {"softmax", "squared"}
        grad : ndarray of shape (n_params,)
            Out.
        h0, c0 : ndarray of shape (n_layers, 1, B, H), default=None
            States carried from the previous window (zeros when None); the
            gradient does not flow into them (truncated BPTT).
        masks : list of ndarray, default=None
            Dropout masks, see :meth:`forward` (the last one (B, T, D)).
        output_mask : ndarray of shape (C,), default=None
            Outputs that can never be a target (True): their logits are
            pinned to a large negative value, so they get probability 0.
        step_weights : ndarray of shape (B, T), default=None
            Weight of each step's loss, summing to 1 over the real steps;
            None weighs every real step ``1 / lengths.sum()``.

        Returns
        -------
        loss_value : float
            Weighted mean over the ``lengths.sum()`` predicted steps.
        states : tuple of ndarray
            ``(h, c)`` after each sample's last real step (see
            :meth:`states_after`).
        """
        caches, features = self.forward(
            x, lengths, h0, c0, masks=masks, every_step=True
        )
        valid = np.arange(features.shape[1])[None, :] < lengths[:, None]
        rows = np.ascontiguousarray(features[valid])
        row_targets = np.ascontiguousarray(targets[valid])
        if step_weights is None:
            weights = np.full(rows.shape[0], 1.0 / rows.shape[0], dtype=self.dtype)
        else:
            weights = np.ascontiguousarray(step_weights[valid], dtype=self.dtype)
        g = self.views(grad)
        value, d_rows = self._head_loss_and_grad(
            rows, row_targets, weights, loss, g, output_mask
        )
        d_features = np.zeros_like(features)
        d_features[valid] = d_rows
        self._backward_into(x, caches, lengths, d_features, grad, g, masks, True)
        return value, self.states_after(caches, lengths)

    def _warm_up(self, x, lengths):
        """States after reading ``x`` and the head's output at its last step."""
        h, c = self.stream(x, lengths)
        # (L, 1, N, H) -> (L, N, H), what the step loops advance in place.
        h = np.ascontiguousarray(h[:, 0])
        c = np.ascontiguousarray(c[:, 0])
        return h, c, self.head(np.ascontiguousarray(h[-1]))

    def sample(
        self, prompt, lengths, uniforms, forbidden, temperature, top_k, begin_id,
        end_id, stop_at_end,
    ):  # fmt: skip
        """Read the prompts, then draw one token per step (loop in Numba).

        Parameters
        ----------
        prompt : ndarray of shape (N, T), int64
            Token ids, left-aligned, ``lengths`` of them per row.
        lengths : ndarray of shape (N,), int64
        uniforms : ndarray of shape (N, n_steps), float64
            One uniform draw per token.
        forbidden : ndarray of shape (n_outputs,), bool
        temperature : float
        top_k : int
            0 for no top-k filter.
        begin_id, end_id : int
        stop_at_end : bool
            Whether a sequence stops at ``end_id`` (else a new one begins).

        Returns
        -------
        tokens : ndarray of shape (N, n_steps), int64
            Drawn ids, -1 after a sequence stopped.
        n_generated : ndarray of shape (N,), int64
        """
        h, c, logits = self._warm_up(prompt, lengths)
        layers, head, embedding = self.step_tables()
        tokens = np.empty(uniforms.shape, dtype=np.int64)
        n_generated = runnable(sample_tokens)(
            self.theta, layers, self.cell_kernels.code, embedding, head, h, c,
            logits, uniforms, forbidden, float(temperature), int(top_k), begin_id,
            end_id, stop_at_end, tokens,
        )  # fmt: skip
        return tokens, n_generated

    def continue_series(self, prompt, lengths, n_steps):
        """Read the prompts, then feed each prediction back for ``n_steps`` steps.

        Returns an ndarray of shape (N, n_steps, C): the new values.
        """
        h, c, first = self._warm_up(prompt, lengths)
        layers, head, _ = self.step_tables()
        out = np.empty((prompt.shape[0], n_steps, self.n_outputs), dtype=self.dtype)
        continue_series(
            self.theta, layers, self.cell_kernels.code, head, h, c, first, out
        )
        return out
