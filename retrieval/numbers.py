"""One spelling per number, so that "800k", "800,000", "$800,000" and "eight hundred thousand"
are the same word to BM25 and to the question's rare-word matching. Names and numbers are
lexical facts that embeddings blur; a number asked about must match however it is written.
"""

from __future__ import annotations

import re

_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SUFFIXES = {"k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9, "b": 10**9, "tn": 10**12, "t": 10**12}
_WORD = "|".join(sorted([*_UNITS, *_TENS, "hundred", *_SCALES], key=len, reverse=True))
#: A run of number words ("nine thousand", "twenty-five", "one hundred and five"). "a" and
#: "and" only inside a run, never alone.
_SPELLED = re.compile(rf"\b(?:{_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_WORD}))*\b", re.I)
_GROUPS = re.compile(r"(?<=\d)[,](?=\d{3}\b)|(?<=\d)[.](?=\d{3}(?:[.,]\d{3})*\b(?![.,]\d))")
#: A decimal point between digits, which the tokenizer writes "_" so that "2.6" stays one word
#: ("2_6"): its pattern of two characters or more would read "2.6%" as nothing at all.
_POINT = re.compile(r"(?<=\d)\.(?=\d)")
#: "1.5 million", "800k", "$2bn", "9 thousand": a figure with a scale word or suffix.
_SCALED = re.compile(
    r"(?<![\w.])(?P<num>\d+(?:\.\d+)?)\s?(?P<scale>thousand|million|billion|trillion|bn|mn|tn|k)\b"
    r"|(?<=[$£€¥])(?P<cnum>\d+(?:\.\d+)?)\s?(?P<cscale>m|b|t)\b",
    re.I,
)


def _spelled_value(words: str) -> int | None:
    total, current, seen = 0, 0, False
    for word in re.split(r"[\s-]+", words.lower()):
        if word == "and":
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _digits(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_DIGIT = re.compile(r"\d")
_NUMBER_WORDS = frozenset([*_UNITS, *_TENS, "hundred", *_SCALES])


def _scaled(m: re.Match) -> str:
    number = m.group("num") or m.group("cnum")
    scale = (m.group("scale") or m.group("cscale")).lower()
    factor = _SCALES.get(scale) or _SUFFIXES[scale]
    return _digits(round(float(number) * factor, 6))


def join_digits(text: str) -> str:
    """Figures as plain digits: groups joined ("800,000" → "800000") and scales applied ("1.5
    million" → "1500000", "800k" → "800000", "$2bn" → "2000000000"). Text without a digit is
    returned as it is, at once: this runs on every passage a question's ranking reads."""
    if not _DIGIT.search(text):
        return text
    return _SCALED.sub(_scaled, _GROUPS.sub("", text))


def join_points(text: str) -> str:
    """Decimals as one word for the tokenizer ("2.6%" → "2_6%"), after `join_digits`."""
    return _POINT.sub("_", text) if "." in text else text


def is_figure(token: str) -> bool:
    """A token that is a number as `join_digits` writes it: "800000", "2_6"."""
    return token.replace("_", "").isdigit() and not token.startswith("_") and not token.endswith("_")


def merge_spelled(words: list[str]) -> list[str]:
    """Lower-case words with spelled-out cardinals merged into digits (["nine", "thousand"] →
    ["9000"]; "and" inside a run is part of it); a lone "one" or "zero" stays a word."""
    if not _NUMBER_WORDS.intersection(words):
        return words
    out: list[str] = []
    run: list[str] = []

    def close() -> None:
        trailing = []
        while run and run[-1] == "and":
            trailing.append(run.pop())
        if run:
            value = _spelled_value(" ".join(run))
            lone = run in (["one"], ["zero"])  # a pronoun as often as a number
            out.extend(run if value is None or lone else [str(value)])
        out.extend(trailing)
        run.clear()

    for word in words:
        if word in _NUMBER_WORDS or (word == "and" and run):
            run.append(word)
        else:
            if run:
                close()
            out.append(word)
    close()
    return out


def normalise_numbers(text: str) -> str:
    """The text with every number written as plain digits: digit groups joined ("800,000" →
    "800000"), scales applied ("1.5 million" → "1500000", "800k" → "800000", "$2bn" →
    "2000000000") and spelled-out cardinals turned into digits ("nine thousand" → "9000").
    Tokenising does the same word by word (`join_digits`, then `merge_spelled`)."""
    text = join_digits(text)

    def spelled(m: re.Match) -> str:
        value = _spelled_value(m.group(0))
        # A lone "one" is a pronoun as often as a number; it says nothing as a digit either.
        if value is None or m.group(0).lower() in {"one", "zero"}:
            return m.group(0)
        return str(value)

    return _SPELLED.sub(spelled, text)
