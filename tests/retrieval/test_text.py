"""The one text sanitiser: ingest (stored text and metadata) and terminal output both use it."""

import pytest

from retrieval.text import one_line, strip_controls

#: OSC title and clipboard (BEL and ST ends), CSI 7- and 8-bit, OSC 8-bit with 8-bit ST, DCS, a
#: two-byte ESC sequence, backspace, NUL, DEL and a bidi override.
HOSTILE = (
    "\x1b]0;owned\x07\x1b]52;c;ZWNobyBwd25lZA==\x1b\\\x1b[2J\x9b31m\x9d0;t\x9c\x1bPq#0\x1b\\\x1bc\x08\x00\x7f\u202e"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"Harbour{HOSTILE} ferry", "Harbour ferry"),
        ("a\x1b]0;title\x07b\x1b]52;c;Zm9v\x1b\\c\x1b[1;31md\x1b[0m\x9b2Je\x9d8;;x\x9cf", "abcdef"),
        ("an OSC with no end\x1b]0;owned\nthe next line stays", "an OSC with no end\nthe next line stays"),
        ("tab\tand\r\nlines\rstay", "tab\tand\nlines\nstay"),
    ],
)
def test_whole_escape_sequences_are_removed_not_just_their_controls(raw, expected):
    assert strip_controls(raw) == expected


def test_one_line_removes_sequences_and_folds_whitespace():
    assert one_line(f" Bay{HOSTILE} Post\n\tdaily ") == "Bay Post daily"


def test_the_terminal_uses_the_same_rule():
    from coverage_cli import render

    for text in (HOSTILE, f"a{HOSTILE}b\nc\td", "plain words"):
        assert render.clean(text) == strip_controls(text)
        assert render.line(text) == one_line(text)
