"""EncoderDecoderNetwork: two recurrent networks and an attention layer on one
flat parameter vector.

The encoder reads the source; the decoder, started from the encoder's final
states, reads the target shifted by one step (the begin marker first:
teacher forcing) and predicts each target step. With attention, each
decoder state attends over the encoder's top states and the head reads the
attention output (see :mod:`skrnn._kernels._attention`, Luong et al.'s
global attention, with a dot or an additive score). Like
:class:`~skrnn._network.RNNNetwork`, it knows nothing about scikit-learn.

Shapes: ``B`` pairs, ``S`` source steps, ``T`` target steps (the end marker
included), ``H`` encoder units per direction, ``D = H * n_directions``
the decoder's units (its layer ``l`` starts from the encoder's layer ``l``,
both directions concatenated), ``C`` head outputs.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skrnn._kernels._attention import (
    ADDITIVE,
    DOT,
    attention_backward,
    attention_forward,
    attention_output,
)
from skrnn._kernels._dense import dense_backward, dense_forward
from skrnn._kernels._embedding import embedding_backward
from skrnn._kernels._generate import decode_beam, decode_greedy, decode_series
from skrnn._kernels._threads import runnable
from skrnn._network import (
    FlatParameters,
    RNNNetwork,
    inconsistent_state,
    theta_problem,
)

ATTENTION_CODES = {None: -1, "dot": DOT, "additive": ADDITIVE}


class EncoderDecoderNetwork(FlatParameters):
    """An encoder, a decoder and optional attention on one flat ``theta``.

    Parameters
    ----------
    cell : str
        A key of ``skrnn._kernels.CELLS``, for both networks.
    n_inputs : int
        Features per source step (the embedding width for token ids).
    hidden_size : int
        Encoder units per direction.
    n_layers : int
        Layers of each network.
    bidirectional : bool
        Whether the encoder reads in both directions.
    attention : {None, "dot", "additive"}
    n_target_inputs : int
        Features per decoder input step (the target embedding width for
        tokens; channels + 1 for numeric targets, the last one flagging the
        begin step).
    n_outputs : int
        Head outputs (target vocabulary size, or target channels).
    dtype : numpy dtype
    vocabulary_size, target_vocabulary_size : int or None, default=None
        Embedding rows of the source and of the target (None: numeric).

    Notes
    -----
    Parameter names: the encoder's as in :class:`RNNNetwork` (``embedding.W``
    is the source embedding), the decoder's prefixed ``decoder.``, the
    attention's ``attention.W_c``, ``attention.b_c`` and, for the additive
    score, ``attention.W_q``, ``attention.W_k``, ``attention.b_k``,
    ``attention.v``.
    """

    WEIGHT_VECTORS = ("attention.v",)

    def __init__(
        self, cell, n_inputs, hidden_size, n_layers, bidirectional, attention,
        n_target_inputs, n_outputs, dtype, vocabulary_size=None,
        target_vocabulary_size=None,
    ):  # fmt: skip
        self.cell = cell
        self.n_inputs = n_inputs
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.bidirectional = bidirectional
        self.attention = attention
        self.n_target_inputs = n_target_inputs
        self.n_outputs = n_outputs
        self.dtype = np.dtype(dtype)
        self.vocabulary_size = vocabulary_size
        self.target_vocabulary_size = target_vocabulary_size
        self._build()
        self.theta = np.zeros(self._n_params, dtype=self.dtype)
        self._bind()

    # ------------------------------------------------------------------ layout
    @property
    def n_directions(self):
        return 2 if self.bidirectional else 1

    @property
    def state_size(self):
        """``D``: the decoder's units, the width of the encoder's top states."""
        return self.hidden_size * self.n_directions

    def _attention_layout(self):
        D = self.state_size
        if self.attention is None:
            return []
        layout = [("attention.W_c", (2 * D, D)), ("attention.b_c", (D,))]
        if self.attention == "additive":
            layout += [
                ("attention.W_q", (D, D)),
                ("attention.W_k", (D, D)),
                ("attention.b_k", (D,)),
                ("attention.v", (D,)),
            ]
        return layout

    def _build(self):
        """The two networks (own ``theta`` until bound) and the layout."""
        self.encoder = RNNNetwork(
            self.cell, self.n_inputs, self.hidden_size, self.n_layers,
            self.bidirectional, 0, self.dtype, self.vocabulary_size,
        )  # fmt: skip
        self.decoder = RNNNetwork(
            self.cell, self.n_target_inputs, self.state_size, self.n_layers, False,
            self.n_outputs, self.dtype, self.target_vocabulary_size,
        )  # fmt: skip
        n_enc = self.encoder.theta.shape[0]
        n_dec = self.decoder.theta.shape[0]
        spans = [(name, shape) for name, shape in self._attention_layout()]
        self._attention_spans = []
        start = n_enc + n_dec
        for name, shape in spans:
            stop = start + int(np.prod(shape))
            self._attention_spans.append((name, start, stop, shape))
            start = stop
        self._parts = (n_enc, n_enc + n_dec)
        self._n_params = start

    def _bind(self):
        """Point the two networks and the named views into ``theta``."""
        enc_end, dec_end = self._parts
        self.encoder.bind(self.theta[:enc_end])
        self.decoder.bind(self.theta[enc_end:dec_end])
        self.params = self.views(self.theta)

    def views(self, flat):
        """Named views into a flat vector laid out like ``theta``."""
        enc_end, dec_end = self._parts
        views = dict(self.encoder.views(flat[:enc_end]))
        for name in ("head.W", "head.b"):  # the encoder has no head
            del views[name]
        for name, view in self.decoder.views(flat[enc_end:dec_end]).items():
            views["decoder." + name] = view
        for name, start, stop, shape in self._attention_spans:
            views[name] = flat[start:stop].reshape(shape)
        return views

    def _part_views(self, flat):
        """``(encoder views, decoder views, attention views)`` of ``flat``."""
        enc_end, dec_end = self._parts
        attention = {
            name: flat[start:stop].reshape(shape)
            for name, start, stop, shape in self._attention_spans
        }
        return (
            self.encoder.views(flat[:enc_end]),
            self.decoder.views(flat[enc_end:dec_end]),
            attention,
        )

    def __getstate__(self):
        state = self.__dict__.copy()
        for name in ("encoder", "decoder", "params", "_attention_spans", "_parts"):
            del state[name]
        state["dtype"] = self.dtype.name
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.dtype = np.dtype(self.dtype)
        theta = self.theta
        self._build()
        problem = theta_problem(theta, self.dtype, self._n_params)
        if problem is not None:
            raise inconsistent_state(problem)
        self.theta = theta
        self._bind()

    def astype(self, dtype):
        """A copy of the network computing in ``dtype``."""
        net = EncoderDecoderNetwork(
            self.cell, self.n_inputs, self.hidden_size, self.n_layers,
            self.bidirectional, self.attention, self.n_target_inputs,
            self.n_outputs, dtype, self.vocabulary_size, self.target_vocabulary_size,
        )  # fmt: skip
        net.theta[:] = self.theta
        return net

    def initialize(self, random_state):
        """Draw the parameters: each network as :meth:`RNNNetwork.initialize`,
        the attention's matrices Glorot uniform, its biases 0."""
        self.encoder.initialize(random_state)
        self.decoder.initialize(random_state)
        for name, view in self.params.items():
            if not name.startswith("attention."):
                continue
            if name.rsplit(".", 1)[1].startswith("W") or name in self.WEIGHT_VECTORS:
                fan_in = view.shape[0]
                fan_out = view.shape[1] if view.ndim == 2 else 1
                bound = np.sqrt(6.0 / (fan_in + fan_out))
                view[...] = random_state.uniform(-bound, bound, size=view.shape)
            else:
                view[...] = 0

    def dropout_shapes(self, B, S, T):
        """Shapes of the dropout masks of a batch: the encoder's (between
        layers, then on its top states) then the decoder's (between layers,
        then before the attention and the head)."""
        D = self.state_size
        return [(B, S, D)] * self.n_layers + [(B, T, D)] * self.n_layers

    # ----------------------------------------------------------------- passes
    def encode(self, x, lengths, masks=None):
        """Run the encoder; return its caches, its top states and the
        decoder's initial states.

        Returns
        -------
        caches : list
            The encoder's caches (see :meth:`RNNNetwork.forward`).
        memory : ndarray of shape (B, S, D)
            Top states at every step, zero past each length.
        h0, c0 : ndarray of shape (n_layers, 1, B, D)
            Each layer's state after the last real step, both directions
            concatenated (the reverse direction's after reading back to
            step 0); ``c0`` is zero unless the cell carries a second state.
        """
        caches, memory = self.encoder.forward(x, lengths, masks=masks, every_step=True)
        B = lengths.shape[0]
        rows = np.arange(B)
        last = lengths - 1
        H = self.hidden_size
        h0 = np.zeros((self.n_layers, 1, B, self.state_size), self.dtype)
        c0 = np.zeros_like(h0)
        carries_c = self.encoder.cell_kernels.carries_c
        for layer, layer_caches in enumerate(caches):
            for direction, cache in enumerate(layer_caches):
                part = slice(direction * H, (direction + 1) * H)
                h0[layer, 0, :, part] = cache["hs"][rows, last]
                if carries_c:
                    c0[layer, 0, :, part] = cache["cs"][rows, last]
        return caches, memory, h0, c0

    def _keys(self, memory):
        """``k = m W_k + b_k`` (B, S, A): A = 0 unless the score is additive."""
        B, S, D = memory.shape
        if self.attention != "additive":
            return np.zeros((B, S, 0), self.dtype)
        keys = np.empty((B * S, D), self.dtype)
        p = self.params
        dense_forward(
            memory.reshape(B * S, D), p["attention.W_k"], p["attention.b_k"], keys
        )
        return keys.reshape(B, S, D)

    def _attention_arrays(self):
        """``(W_c, b_c, W_q, v)`` as the decoding loops read them (empty
        arrays where the attention has none)."""
        p = self.params
        empty2, empty1 = np.zeros((0, 0), self.dtype), np.zeros(0, self.dtype)
        if self.attention is None:
            return empty2, empty1, empty2, empty1
        if self.attention == "dot":
            return p["attention.W_c"], p["attention.b_c"], empty2, empty1
        return (
            p["attention.W_c"], p["attention.b_c"], p["attention.W_q"],
            p["attention.v"],
        )  # fmt: skip

    def _attend(self, memory, src_lengths, queries, tgt_lengths):
        """Attention over ``memory`` for the decoder's states ``queries``.

        Returns ``(out, cache)``: what the head reads at every decoder step
        (B, T, D) and what :meth:`_attend_backward` needs.
        """
        B, T, D = queries.shape
        p = self.params
        code = ATTENTION_CODES[self.attention]
        keys = self._keys(memory)
        A = keys.shape[2]
        u = np.zeros((B, T, A), self.dtype)
        if A:
            dense_forward(
                queries.reshape(B * T, D), p["attention.W_q"],
                np.zeros(A, self.dtype), u.reshape(B * T, A),
            )  # fmt: skip
        v = p["attention.v"] if A else np.zeros(0, self.dtype)
        a = np.empty((B, T, memory.shape[1]), self.dtype)
        ctx = np.empty((B, T, D), self.dtype)
        runnable(attention_forward)(
            code, queries, u, memory, keys, v, src_lengths, tgt_lengths, a, ctx
        )
        out = np.empty((B * T, D), self.dtype)
        attention_output(
            ctx.reshape(B * T, D), queries.reshape(B * T, D), p["attention.W_c"],
            p["attention.b_c"], out,
        )  # fmt: skip
        cache = {"u": u, "keys": keys, "a": a, "ctx": ctx, "out": out}
        return out.reshape(B, T, D), cache

    def _attend_backward(self, memory, src_lengths, queries, tgt_lengths, cache,
                         d_out, g):  # fmt: skip
        """Gradients w.r.t. the queries and the memory; the attention's own
        go to the views ``g``. ``d_out`` (B, T, D) is zero past the lengths."""
        B, T, D = queries.shape
        S = memory.shape[1]
        p = self.params
        out = cache["out"]  # (B * T, D)
        d_pre = d_out.reshape(B * T, D) * (1 - out * out)
        both = np.concatenate(
            [cache["ctx"].reshape(B * T, D), queries.reshape(B * T, D)], axis=1
        )
        d_both = np.empty_like(both)
        dense_backward(
            both, d_pre, p["attention.W_c"], d_both, g["attention.W_c"],
            g["attention.b_c"],
        )  # fmt: skip
        d_ctx = np.ascontiguousarray(d_both[:, :D]).reshape(B, T, D)
        d_queries = np.ascontiguousarray(d_both[:, D:]).reshape(B, T, D)
        u, keys = cache["u"], cache["keys"]
        A = keys.shape[2]
        code = ATTENTION_CODES[self.attention]
        v = p["attention.v"] if A else np.zeros(0, self.dtype)
        dv = g["attention.v"] if A else np.zeros(0, self.dtype)
        dq = np.empty_like(queries)
        du = np.empty_like(u)
        dm = np.empty_like(memory)
        dk = np.empty_like(keys)
        runnable(attention_backward)(
            code, queries, u, memory, keys, v, src_lengths, tgt_lengths, cache["a"],
            d_ctx, dq, du, dm, dk, dv,
        )  # fmt: skip
        d_queries += dq
        if A:
            d_rows = np.empty((B * T, D), self.dtype)
            dense_backward(
                queries.reshape(B * T, D), du.reshape(B * T, A), p["attention.W_q"],
                d_rows, g["attention.W_q"], np.empty(A, self.dtype),
            )  # fmt: skip
            d_queries += d_rows.reshape(B, T, D)
            d_mem = np.empty((B * S, D), self.dtype)
            dense_backward(
                memory.reshape(B * S, D), dk.reshape(B * S, A), p["attention.W_k"],
                d_mem, g["attention.W_k"], g["attention.b_k"],
            )  # fmt: skip
            dm += d_mem.reshape(B, S, D)
        return d_queries, dm

    def forward(self, x, lengths, y_in, y_lengths, masks=None):
        """Teacher-forced pass: what the head reads at every decoder step.

        Parameters
        ----------
        x : ndarray of shape (B, S, F), or (B, S) int64 token ids
        lengths : ndarray of shape (B,), int64
        y_in : ndarray of shape (B, T, F_t), or (B, T) int64 target ids
            The decoder's inputs: the begin marker, then the target but its
            last step.
        y_lengths : ndarray of shape (B,), int64
        masks : list of ndarray, default=None
            Dropout masks, shapes from :meth:`dropout_shapes`.

        Returns
        -------
        top : ndarray of shape (B, T, D)
            Zero past each target's length.
        cache : dict
            What :meth:`backward` needs.
        """
        L = self.n_layers
        enc_masks = None if masks is None else masks[:L]
        dec_masks = None if masks is None else masks[L:]
        enc_caches, memory, h0, c0 = self.encode(x, lengths, enc_masks)
        dec_caches, queries = self.decoder.forward(
            y_in, y_lengths, h0, c0, masks=dec_masks, every_step=True
        )
        cache = {
            "x": x, "enc": enc_caches, "memory": memory, "y_in": y_in,
            "dec": dec_caches, "queries": queries, "masks": masks,
        }  # fmt: skip
        if self.attention is None:
            return queries, cache
        top, cache["attention"] = self._attend(memory, lengths, queries, y_lengths)
        valid = np.arange(top.shape[1])[None, :] < y_lengths[:, None]
        top = np.where(valid[:, :, None], top, 0).astype(self.dtype)
        return top, cache

    def backward(self, lengths, y_lengths, d_top, cache, grad):
        """Backpropagate ``d_top`` (B, T, D) into ``grad`` (the head's own
        gradient is written by the caller)."""
        L = self.n_layers
        masks = cache["masks"]
        enc_masks = None if masks is None else masks[:L]
        dec_masks = None if masks is None else masks[L:]
        g_enc, g_dec, g_att = self._part_views(grad)
        memory, queries = cache["memory"], cache["queries"]
        if self.attention is None:
            d_queries, d_memory = d_top, np.zeros_like(memory)
        else:
            d_queries, d_memory = self._attend_backward(
                memory, lengths, queries, y_lengths, cache["attention"], d_top, g_att
            )
        enc_end, dec_end = self._parts
        embedded = self.decoder.vocabulary_size is not None
        dx, dh0, dc0 = self.decoder.backward(
            cache["dec"], y_lengths, d_queries, grad[enc_end:dec_end], dec_masks,
            need_input_grad=embedded, every_step=True, grad_views=g_dec,
        )  # fmt: skip
        if embedded:
            embedding_backward(cache["y_in"], y_lengths, dx, g_dec["embedding.W"])
        # The decoder's initial states are the encoder's final ones.
        H = self.hidden_size
        B = lengths.shape[0]
        shape = (L, self.n_directions, B, H)
        dh_last = np.empty(shape, self.dtype)
        dc_last = np.empty(shape, self.dtype)
        for direction in range(self.n_directions):
            part = slice(direction * H, (direction + 1) * H)
            dh_last[:, direction] = dh0[:, 0, :, part]
            dc_last[:, direction] = dc0[:, 0, :, part]
        embedded = self.encoder.vocabulary_size is not None
        dx, _, _ = self.encoder.backward(
            cache["enc"], lengths, d_memory, grad[:enc_end], enc_masks,
            need_input_grad=embedded, every_step=True, grad_views=g_enc,
            dh_last=dh_last,
            dc_last=dc_last if self.encoder.cell_kernels.carries_c else None,
        )  # fmt: skip
        if embedded:
            embedding_backward(cache["x"], lengths, dx, g_enc["embedding.W"])

    def loss_and_grad(
        self, x, lengths, y_in, y_lengths, targets, loss, grad, masks=None,
        output_mask=None, step_weights=None,
    ):  # fmt: skip
        """Mean loss over every real target step of a batch, and its gradient.

        Parameters
        ----------
        x, lengths, y_in, y_lengths, masks : see :meth:`forward`.
        targets : ndarray of shape (B, T), int64, or (B, T, C)
            The target of each decoder step (the end marker last).
        loss : {"softmax", "squared", "squared_stop"}
        grad : ndarray of shape (n_params,)
            Out.
        output_mask : ndarray of shape (C,), default=None
            Outputs that are never a target (probability 0).
        step_weights : ndarray of shape (B, T), default=None
            Weight of each step's loss, summing to 1 over the real steps;
            None weighs every real step ``1 / y_lengths.sum()``.

        Returns
        -------
        loss_value : float
        """
        top, cache = self.forward(x, lengths, y_in, y_lengths, masks)
        valid = np.arange(top.shape[1])[None, :] < y_lengths[:, None]
        rows = np.ascontiguousarray(top[valid])
        row_targets = np.ascontiguousarray(targets[valid])
        if step_weights is None:
            weights = np.full(rows.shape[0], 1.0 / rows.shape[0], dtype=self.dtype)
        else:
            weights = np.ascontiguousarray(step_weights[valid], dtype=self.dtype)
        enc_end, dec_end = self._parts
        g_dec = self.decoder.views(grad[enc_end:dec_end])
        value, d_rows = self.decoder._head_loss_and_grad(
            rows, row_targets, weights, loss, g_dec, output_mask
        )
        d_top = np.zeros_like(top)
        d_top[valid] = d_rows
        self.backward(lengths, y_lengths, d_top, cache, grad)
        return value

    def step_outputs(self, x, lengths, y_in, y_lengths):
        """Head outputs at every real target step, as rows (N, C), pair by
        pair, step by step (no dropout)."""
        top, _ = self.forward(x, lengths, y_in, y_lengths)
        valid = np.arange(top.shape[1])[None, :] < y_lengths[:, None]
        return self.decoder.head(np.ascontiguousarray(top[valid]))

    def attention_weights(self, x, lengths, y_in, y_lengths):
        """Attention weights of every decoder step, (B, T, S), zero past
        the lengths (teacher-forced; a network with attention only)."""
        _, cache = self.forward(x, lengths, y_in, y_lengths)
        return cache["attention"]["a"]

    # --------------------------------------------------------------- decoding
    def _decoding_setup(self, x, lengths):
        """Encode; return the arrays every decoding loop reads."""
        _, memory, h0, c0 = self.encode(x, lengths)
        layers, head, embedding = self.decoder.step_tables()
        W_c, b_c, W_q, v = self._attention_arrays()
        keys = self._keys(memory)
        states = (
            np.ascontiguousarray(h0[:, 0]), np.ascontiguousarray(c0[:, 0]),
        )  # fmt: skip
        attention = (ATTENTION_CODES[self.attention], W_c, b_c, W_q, v, memory, keys)
        return layers, head, embedding, attention, states

    def decode(self, x, lengths, max_steps, forbidden, begin_id, end_id,
               beam_width=1, beam=False):  # fmt: skip
        """Decode token sequences for the sources ``x`` (loops in Numba).

        Greedy (``beam=False``): the most likely token at each step. Beam
        search: ``beam_width`` hypotheses per source, finished ones ranked
        by their log-likelihood per token (length normalisation).

        Returns
        -------
        tokens : ndarray of shape (B, max_steps), int64
            -1 past each output's end (the end marker is not included).
        n_tokens : ndarray of shape (B,), int64
            Tokens before the end marker (or ``max_steps``).
        """
        layers, head, embedding, attention, (h, c) = self._decoding_setup(x, lengths)
        code, W_c, b_c, W_q, v, memory, keys = attention
        B = lengths.shape[0]
        tokens = np.empty((B, max_steps), dtype=np.int64)
        args = (
            self.decoder.theta, layers, self.decoder.cell_kernels.code, embedding,
            head, code, W_c, b_c, W_q, v, memory, keys, lengths, h, c, forbidden,
            begin_id, end_id,
        )  # fmt: skip
        if beam:
            n_tokens = runnable(decode_beam)(*args, int(beam_width), tokens)
        else:
            n_tokens = runnable(decode_greedy)(*args, tokens)
        return tokens, n_tokens

    def decode_series(self, x, lengths, n_steps, stop=False):
        """Decode values per source, each fed back as the next decoder input.

        ``n_steps`` each, or with ``stop`` (the head's last output a stop
        logit) until the stop logit is positive, at most ``n_steps``.

        Returns
        -------
        values : ndarray of shape (B, n_steps, C)
            Zero past each source's steps.
        n_values : ndarray of shape (B,), int64
        """
        layers, head, _, attention, (h, c) = self._decoding_setup(x, lengths)
        code, W_c, b_c, W_q, v, memory, keys = attention
        C = self.n_outputs - (1 if stop else 0)
        out = np.empty((lengths.shape[0], n_steps, C), self.dtype)
        n_values = runnable(decode_series)(
            self.decoder.theta, layers, self.decoder.cell_kernels.code, head, code,
            W_c, b_c, W_q, v, memory, keys, lengths, h, c, bool(stop), out,
        )  # fmt: skip
        return out, n_values
