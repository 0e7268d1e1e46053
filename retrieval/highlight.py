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
    """For each passage, the sentence that best answers the question: the one holding most of
    the question's rare words when one clearly does, else the closest in meaning among the
    tied ones (cosine plus the same lexical bonus). Encoding is the costly part (a few ms a
    sentence), so only ties are encoded."""
    split = [sentences(t) for t in texts]
    lexical = [coverages(group) if len(group) > 1 else [0.0] for group in split]
    pending: list[str] = []
    tied_groups: list[list[int]] = []
    for group, cov in zip(split, lexical, strict=True):
        top = max(cov)
        tied = [i for i, c in enumerate(cov) if c == top]
        if len(group) > 1 and (top == 0 or len(tied) > 1):
            tied_groups.append(tied)
            pending += [group[i] for i in tied]
        else:
            tied_groups.append([int(np.argmax(cov))])
    scores = encode(pending) @ question_vector if pending else np.zeros(0)
    out, k = [], 0
    for group, cov, tied in zip(split, lexical, tied_groups, strict=True):
        if len(tied) == 1 and not (len(group) > 1 and max(cov) == 0):
            out.append(group[tied[0]])
            continue
        local = [float(scores[k + j]) + 0.5 * cov[i] for j, i in enumerate(tied)]
        out.append(group[tied[int(np.argmax(local))]])
        k += len(tied)
    return out
