"""Generate ``skrnn/datasets/data/sentiment.tsv``, the order-sensitive sentiment set.

Run from the repository root::

    python tools/make_sentiment.py

The output is deterministic (fixed seed, standard library only). The grammar
is documented in ``skrnn/datasets/descr/sentiment.rst``: every sentence joins
two clauses of opposite polarity with a contrast word, and the position of
that word decides which clause carries the label. Sentences are emitted in
mirrored pairs (the same two clauses, swapped) that share the same bag of
words but have opposite labels, so that a bag-of-words model cannot do better
than chance on them while a reader of word order can reach 100%.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import random
from pathlib import Path

SEED = 20240601
N_PAIRS = 1000
OUTPUT = (
    Path(__file__).resolve().parent.parent
    / "skrnn"
    / "datasets"
    / "data"
    / "sentiment.tsv"
)

DETERMINERS = ["the", "our", "my", "their", "this", "that"]

ASPECTS = [
    "food", "service", "staff", "waiter", "music", "decor", "price", "room",
    "view", "plot", "acting", "ending", "soundtrack", "screen", "battery",
    "camera", "keyboard", "design", "delivery", "packaging", "hotel", "bed",
    "breakfast", "coffee", "dessert", "wine", "lighting", "script", "dialogue",
    "cast", "driver", "ride", "app", "interface", "manual", "fabric", "color",
    "location", "pool", "menu", "soup", "pizza", "movie", "book", "teacher",
    "lecture", "concert", "game", "album", "show",
]  # fmt: skip

VERBS = ["was", "is", "seemed", "felt", "looked"]

POSITIVE = [
    "good", "great", "excellent", "wonderful", "superb", "lovely", "fantastic",
    "delightful", "pleasant", "brilliant", "charming", "solid", "fine",
    "impressive", "outstanding", "perfect", "amazing", "enjoyable", "friendly",
    "fresh", "tasty", "clean", "comfortable", "reliable", "helpful",
    "stunning", "elegant", "beautiful", "smooth", "generous", "memorable",
    "terrific", "splendid", "marvelous", "nice",
]  # fmt: skip

NEGATIVE = [
    "bad", "awful", "terrible", "horrible", "poor", "dreadful", "mediocre",
    "disappointing", "bland", "dull", "boring", "rude", "dirty", "stale",
    "noisy", "slow", "overpriced", "unpleasant", "annoying", "broken",
    "sloppy", "clumsy", "weak", "flimsy", "greasy", "cramped", "forgettable",
    "tedious", "lousy", "unreliable", "unhelpful", "shabby", "awkward",
    "pathetic", "atrocious",
]  # fmt: skip

INTENSIFIERS = [
    "very", "really", "truly", "quite", "extremely", "incredibly", "rather",
    "so", "pretty", "genuinely", "absolutely", "remarkably",
]  # fmt: skip

NEGATORS = ["not", "never", "hardly"]

# (template, which clause gives the label: 0 = first slot, 1 = second slot)
TEMPLATES = [
    ("{0} but {1}", 1),
    ("{0} yet {1}", 1),
    ("{0}, however {1}", 1),
    ("although {0}, {1}", 1),
    ("even though {0}, {1}", 1),
    ("while {0}, {1}", 1),
    ("{0}, although {1}", 0),
    ("{0} even though {1}", 0),
    ("{0}, while {1}", 0),
    ("{0}, despite the fact that {1}", 0),
]

# Probability that a clause is negated (its polarity is then flipped).
P_NEGATION = 0.35
# Probability that an affirmative clause gets an intensifier.
P_INTENSIFIER = 0.4


def make_clause(rng, polarity, aspect):
    """A clause about ``aspect`` whose overall polarity is ``polarity`` (0/1)."""
    negated = rng.random() < P_NEGATION
    adjective_polarity = 1 - polarity if negated else polarity
    adjective = rng.choice(POSITIVE if adjective_polarity else NEGATIVE)
    words = [rng.choice(DETERMINERS), aspect, rng.choice(VERBS)]
    if negated:
        words.append(rng.choice(NEGATORS))
    elif rng.random() < P_INTENSIFIER:
        words.append(rng.choice(INTENSIFIERS))
    words.append(adjective)
    return " ".join(words)


def generate(n_pairs=N_PAIRS, seed=SEED):
    """Return a list of ``(sentence, label)`` in mirrored pairs, deduplicated."""
    rng = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < 2 * n_pairs:
        aspect_pos, aspect_neg = rng.sample(ASPECTS, 2)
        positive = make_clause(rng, 1, aspect_pos)
        negative = make_clause(rng, 0, aspect_neg)
        template, head = rng.choice(TEMPLATES)
        pair = []
        for first, second, first_label in (
            (positive, negative, 1),
            (negative, positive, 0),
        ):
            sentence = template.format(first, second)
            label = first_label if head == 0 else 1 - first_label
            pair.append((sentence, label))
        # Keep both members of a pair or neither, so the bag-of-words
        # ambiguity (and the class balance) holds exactly.
        if any(sentence in seen for sentence, _ in pair):
            continue
        for sentence, label in pair:
            seen.add(sentence)
            rows.append((sentence, label))
    order = list(range(0, len(rows), 2))
    rng.shuffle(order)
    shuffled = []
    for start in order:
        pair = rows[start : start + 2]
        if rng.random() < 0.5:
            pair = pair[::-1]
        shuffled.extend(pair)
    return shuffled


def main():
    names = ["negative", "positive"]
    rows = generate()
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("label\ttext\n")
        for sentence, label in rows:
            f.write(f"{names[label]}\t{sentence}\n")
    print(f"wrote {len(rows)} sentences to {OUTPUT}")


if __name__ == "__main__":
    main()
