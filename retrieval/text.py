"""Text hygiene shared by every parser and every front end: escape sequences and control
characters out, lengths that work for scripts without spaces, and long paragraphs split at
sentence boundaries instead of refused.

`strip_controls` is the one sanitiser: ingest runs it on stored text and metadata, and the
command line runs it again on everything it prints (stores written before it existed)."""

from __future__ import annotations

import re
import unicodedata

#: Terminal escape sequences, whole, so nothing of them is left as visible text ("]0;owned"):
#: CSI (ESC [ or 8-bit CSI) with its parameters and final byte; OSC, DCS, SOS, PM and APC (ESC ]
#: P X ^ _ or their 8-bit forms) up to BEL or ST (an unended one up to the end of its line; past
#: it the terminal sees no introducer, only text); other two- or three-byte ESC sequences.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_LINE_END = re.compile(r"\r\n?")
# C0 and C1 controls, DEL, and the invisible format characters that reorder or hide text
# (bidi overrides); newline and tab are kept where structure needs them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Scripts written without spaces between words: their length is counted in characters.
_NO_SPACE_SCRIPT = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f]"
)
#: Characters of a no-space script that stand for about one word of a spaced language.
CHARS_PER_WORD = 2
# A sentence ends at . ! ? … (or their full-width forms), optionally followed by closing quotes
# or brackets, then a space; full-width enders need no space after them.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|[。！？]+[」』”’）]*")


def strip_controls(text: str, keep_newlines: bool = True) -> str:
    """Remove escape sequences (whole) and control characters (NULs, bidi overrides). With
    `keep_newlines`, tabs and line breaks stay (a CR or CR LF becomes LF); without, every control
    becomes a space."""
    text = _SEQUENCE.sub("", text)
    if keep_newlines:
        return _CONTROL.sub("", _LINE_END.sub("\n", text))
    return _CONTROL_ALL.sub(" ", text)


def one_line(text: str) -> str:
    """Controls out, whitespace runs collapsed to one space: the form of every stored field."""
    return " ".join(strip_controls(unicodedata.normalize("NFC", text), keep_newlines=False).split())


def word_count(text: str) -> int:
    """Words in `text`; in scripts without spaces (Japanese, Chinese, Thai) every
    CHARS_PER_WORD characters count as one word, so length rules treat them alike."""
    spaced = len(text.split())
    dense = len(_NO_SPACE_SCRIPT.findall(text))
    return max(spaced, spaced + dense // CHARS_PER_WORD - (1 if dense else 0))


def sentences(text: str) -> list[str]:
    """Split at sentence ends; good enough to cut a long paragraph, not a linguistic parser."""
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        parts.append(text[start : match.end()].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def split_long(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at sentence ends where there are
    any, else at spaces, else hard: a live blog's 30,000-character paragraph is not refused."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in sentences(text):
        for chunk in _hard_split(sentence, limit):
            if current and len(current) + 1 + len(chunk) > limit:
                pieces.append(current)
                current = chunk
            else:
                current = f"{current} {chunk}" if current else chunk
    if current:
        pieces.append(current)
    return pieces


def _hard_split(text: str, limit: int) -> list[str]:
    out = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit + 1)
        cut = cut if cut > limit // 2 else limit
        out.append(text[:cut].strip())
        text = text[cut:].strip()
    if text:
        out.append(text)
    return out
