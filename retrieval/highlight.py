"""The sentence of a passage that best answers the question, shown in bold by the front ends."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

# A sentence ends at . ! or ? (optionally followed by a closing quote or bracket) before a space
# and a capital, digit or opening quote. Good enough for news prose; abbreviations such as
# "U.S. officials" stay whole because the next word must start a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]?\s+(?=[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|St|Jr|Sr|Lt|Col|U\.S|U\.K|No|Jan|Feb|Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping quotes and abbreviations whole."""
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group(0).rstrip())
        piece = text[start:end].strip()
        if _ABBREVIATIONS.search(piece):
            continue
        parts.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts or [text]


def best_sentences(
    question_vector: np.ndarray,
    texts: Sequence[str],
    encode: Callable[[list[str]], np.ndarray],
    coverages: Callable[[list[str]], list[float]],
) -> list[str]:
    """For each passage, its sentence closest to the question (cosine, plus a lexical bonus
    so that the sentence holding the asked-for name or number wins a near tie). Only passages
    of more than one sentence need any encoding."""
    split = [sentences(t) for t in texts]
    flat = [s for group in split if len(group) > 1 for s in group]
    scores = (encode(flat) @ question_vector) + 0.5 * np.asarray(coverages(flat)) if flat else np.zeros(0)
    out, i = [], 0
    for group in split:
        if len(group) == 1:
            out.append(group[0])
            continue
        out.append(group[int(np.argmax(scores[i : i + len(group)]))])
        i += len(group)
    return out
