"""The moment a question is about. News questions are asked "as of" a day (the message's date,
`--as-of`, a quiz week): "this week", "yesterday", "latest", "on Monday", "in March" resolve
against it, and the ranking prefers coverage published near that moment.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..irregular import BASE

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = (
    r"(january|february|march|april|may|june|july|august|september|sept|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)\.?"
)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?\b", re.I)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", re.I)
_FULL_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december)"
_MONTH_YEAR = re.compile(rf"\b{_FULL_MONTH}(?:\s+(\d{{4}}))?\b", re.I)
_YEAR = re.compile(r"\b(?:in|during|of)\s+((?:19|20)\d{2})\b", re.I)
_WEEKDAY = re.compile(r"\b(?:on|last|this)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_RELATIVE = [
    (re.compile(r"\b(today|tonight|this morning|this afternoon|this evening)\b", re.I), 0, 0),
    (re.compile(r"\b(yesterday|last night)\b", re.I), 1, 0),
    (re.compile(r"\b(this week|past week|this past week|the week)\b", re.I), 7, 0),
    (re.compile(r"\b(last week)\b", re.I), 14, 0),
    (re.compile(r"\b(this weekend|last weekend)\b", re.I), 4, 0),
]
_RECENT = re.compile(r"\b(latest|recent|recently|newest|currently|right now|so far|lately|rn)\b", re.I)
#: "just" means "a moment ago" after "has" or before a past form ("what just happened", "who
#: has just been fined"), not in "to just fix up the old bridge" or "just how many".
_JUST = re.compile(r"(\b(?:has|have|had|was|were|is|are)\s+|['’](?:s|ve)\s+)?\bjust\s+([a-z]+)\b", re.I)
#: Quoted words are the claim asked about, not its moment ('who said "we strike tonight"').
_QUOTED = re.compile(r"[\"“][^\"“”]*[\"”]")
_MAY_VERB = re.compile(r"\bmay\s+(?:be|have|not|also|still|soon|need|want|cause|lead|take|get|come|go)\b", re.I)


@dataclass(frozen=True)
class Moment:
    """The days a question is about: published coverage from `start` to `end` (inclusive) fits
    it; `recent` means "the latest", with no fixed span."""

    start: dt.date
    end: dt.date
    recent: bool = False
    phrase: str = ""


def parse_date(value: str | dt.date | None) -> dt.date | None:
    """`YYYY-MM-DD`, `YYYYMMDD` (RealTime QA's quiz weeks) or a date; None stays None."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def _month_before(as_of: dt.date, month: int, year: int | None) -> tuple[dt.date, dt.date]:
    """A named month: that of the given year, else the latest one not after `as_of`."""
    if year is None:
        year = as_of.year if month <= as_of.month else as_of.year - 1
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def _day_before(as_of: dt.date, month: int, day: int, year: int | None) -> dt.date | None:
    try:
        date = dt.date(year or as_of.year, month, day)
        if year is None and date > as_of:
            date = dt.date(as_of.year - 1, month, day)
    except ValueError:
        return None
    return date


def moment(question: str, as_of: dt.date) -> Moment | None:
    """The moment the question names, resolved against `as_of`; None when it names none."""
    question = _QUOTED.sub(" ", question)
    for pattern, back, ahead in _RELATIVE:
        if m := pattern.search(question):
            return Moment(as_of - dt.timedelta(days=back), as_of + dt.timedelta(days=ahead), phrase=m.group(0))
    if m := _WEEKDAY.search(question):
        days = (as_of.weekday() - WEEKDAYS.index(m.group(1).lower())) % 7
        day = as_of - dt.timedelta(days=days)
        return Moment(day, day + dt.timedelta(days=2), phrase=m.group(0))  # reported that day or the next
    for pattern, order in ((_DAY_MONTH, "dm"), (_MONTH_DAY, "md")):
        if m := pattern.search(question):
            day_text, month_text = (m.group(1), m.group(2)) if order == "dm" else (m.group(2), m.group(1))
            if month_text.lower() == "may" and order == "md" and _MAY_VERB.search(question):
                continue
            year = int(m.group(3)) if m.group(3) else None
            if (date := _day_before(as_of, MONTHS[month_text.lower().rstrip(".")], int(day_text), year)) is not None:
                return Moment(date, date + dt.timedelta(days=2), phrase=m.group(0))
    for m in _MONTH_YEAR.finditer(question):
        name = m.group(1).lower().rstrip(".")
        if name == "may" and (_MAY_VERB.search(question) or not m.group(2)):
            continue  # "may" is a verb far more often than a month
        start, end = _month_before(as_of, MONTHS[name], int(m.group(2)) if m.group(2) else None)
        return Moment(start, end + dt.timedelta(days=3), phrase=m.group(0).strip())
    if m := _YEAR.search(question):
        year = int(m.group(1))
        return Moment(dt.date(year, 1, 1), dt.date(year, 12, 31) + dt.timedelta(days=7), phrase=m.group(0))
    if m := _RECENT.search(question) or _just_now(question):
        return Moment(as_of - dt.timedelta(days=30), as_of, recent=True, phrase=m.group(0))
    return None


def _just_now(question: str) -> re.Match | None:
    for m in _JUST.finditer(question):
        word = m.group(2).lower()
        if m.group(1) or word.endswith("ed") or word in BASE:
            return m
    return None
