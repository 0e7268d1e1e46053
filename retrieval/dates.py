"""Dates as a news page states them: the timestamps of its structured data and the date line a
reader sees, read on the page's own calendar.

A citation carries the calendar date the page shows its readers. Structured data often gives
the same instant in UTC ("2019-11-19T01:19Z" for a story posted at 8:19 pm on the 18th in New
York), so a UTC stamp is moved to the page's own offset when the page states one, and the date
line beside the headline settles the day when it does not. Nothing here looks at body text."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from dateutil import parser as date_parser

EARLIEST = dt.date(1990, 1, 1)


@dataclass(frozen=True)
class Stamp:
    """One stated date: the calendar day as written, and the moment when a time of day is given
    (aware when the stamp states its offset, naive when it does not)."""

    day: dt.date
    moment: dt.datetime | None = None

    @property
    def offset(self) -> dt.timedelta | None:
        return self.moment.utcoffset() if self.moment and self.moment.tzinfo else None

    @property
    def is_utc(self) -> bool:
        return self.offset == dt.timedelta(0)


def plausible(day: dt.date) -> bool:
    return EARLIEST <= day <= dt.date.today() + dt.timedelta(days=1)


_OFFSET = re.compile(r"(?:GMT|UTC)?(?:(?<=\s)|(?<=GMT)|(?<=UTC))([+-])(\d{2}):?(\d{2})\b|\b(?:GMT|UTC)\b")
_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}")


def parse_stamp(text: str | None) -> Stamp | None:
    """A machine-readable timestamp from a meta tag, JSON-LD or `<time datetime>`: ISO 8601,
    RFC 2822, JavaScript's `Date.toString()`, "November 19, 2019", "20191119"."""
    text = re.sub(r"\([^)]*\)", " ", (text or "").strip())[:80].strip()
    if not text or not re.search(r"\d", text):
        return None
    if re.fullmatch(r"\d{8}", text):
        try:
            day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
        return Stamp(day) if plausible(day) else None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = _loose_stamp(text)
    if moment is None or not plausible(moment.date()):
        return None
    if not _TIME_OF_DAY.search(text):
        return Stamp(moment.date())
    return Stamp(moment.date(), moment)


def _loose_stamp(text: str) -> dt.datetime | None:
    offset = None
    match = _OFFSET.search(text)
    if match:
        if match.group(1):
            minutes = int(match.group(2)) * 60 + int(match.group(3))
            offset = dt.timedelta(minutes=-minutes if match.group(1) == "-" else minutes)
        else:
            offset = dt.timedelta(0)
        text = text[: match.start()] + " " + text[match.end() :]
    try:
        # Parsed twice with different defaults: a stamp that leaves out its year, month or day
        # ("2019", "November 2019") is no date.
        moment = date_parser.parse(text, default=dt.datetime(1, 1, 1), ignoretz=True)
        if moment.date() != date_parser.parse(text, default=dt.datetime(4, 2, 2), ignoretz=True).date():
            return None
    except (ValueError, OverflowError, date_parser.ParserError):
        return None
    if offset is not None and abs(offset) <= dt.timedelta(hours=14):
        moment = moment.replace(tzinfo=dt.timezone(offset))
    return moment


def local_day(published: Stamp, others: list[Stamp], line_day: dt.date | None) -> dt.date:
    """The calendar day of `published` as the page shows it. A stamp with its own offset is read
    as written. A UTC stamp moves to an offset the page states elsewhere. Failing that, a UTC
    stamp, a naive one or a bare date gives way to the visible date line when the two are a day
    apart (the same instant, told in another zone)."""
    if published.offset is not None and not published.is_utc:
        return published.day
    if published.is_utc:
        offset = page_offset(published.moment, others)
        if offset is not None:
            return (published.moment + offset).date()
    if line_day is not None and abs((line_day - published.day).days) <= 1:
        return line_day
    return published.day


def page_offset(moment: dt.datetime, others: list[Stamp]) -> dt.timedelta | None:
    """The page's own UTC offset: stated by another of its stamps, or implied by a naive stamp of
    the same instant in local time (same minutes and seconds, whole hours apart)."""
    for stamp in others:
        if stamp.offset is not None and not stamp.is_utc:
            return stamp.offset
    utc = (moment - moment.utcoffset()).replace(tzinfo=None, microsecond=0)
    for stamp in others:
        if stamp.moment is None or stamp.moment.tzinfo is not None:
            continue
        local = stamp.moment.replace(microsecond=0)
        # A local stamp to the minute ("08:19 PM") is compared to the minute.
        diff = local - (utc if local.second else utc.replace(second=0))
        hours = diff.total_seconds() / 3600
        if diff and hours.is_integer() and abs(hours) <= 14:
            return diff
    return None


# -- the date line a reader sees ----------------------------------------------------------------
_UPDATE_WORDS = re.compile(
    r"\b(?:updated?|modified|last edited|edited|aktualisiert|actualizado|atualizad[oa]|mis à jour|aggiornato"
    r"|bijgewerkt|обновлено|güncellendi|diperbarui)\b",
    re.I,
)
# Segments of a date line: "Published … | Updated …", "… - Updated November 18 at 4:46 PM".
_SEGMENTS = re.compile(r"\s+[/|•·]\s+|\s*[;|•·]\s*|\s+[-–—]\s+(?=(?:last\s+)?(?:updated|modified)\b)", re.I)
_ISO_DAY = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_NUMERIC_DAY = re.compile(r"(?<![\d.])(\d{1,2})([./])(\d{1,2})\2((?:19|20)?\d{2})(?![\d])")
_CJK_DAY = re.compile(r"((?:19|20)\d{2})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")
_ORDINAL = r"(?:st|nd|rd|th|er|º|\.)?"


@lru_cache(maxsize=32)
def _month_names(language: str | None) -> dict[str, int]:
    """Month names and abbreviations of English and of the page's language (CLDR, via babel)."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import get_month_names

    names: dict[str, int] = {}
    for code in dict.fromkeys(("en", language or "en")):
        try:
            Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            continue
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context=context, locale=code).items():
                    name = name.lower().rstrip(".")
                    if len(name) >= 3 and not name[0].isdigit():
                        names.setdefault(name, number)
    names.setdefault("sept", 9)
    return names


@lru_cache(maxsize=32)
def _month_patterns(language: str | None) -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    names = sorted(_month_names(language), key=len, reverse=True)
    month = r"(" + "|".join(re.escape(n) for n in names) + r")\.?"
    year = r"((?:19|20)\d{2})(?:(?!\d)|(?=\d{1,2}:\d{2}))"  # "20195:45 AM": a year run into a time
    day = r"(\d{1,2})(?!\d)" + _ORDINAL
    month_first = re.compile(rf"(?<![^\W\d_]){month}\s+{day},?\s+{year}", re.I)
    day_first = re.compile(rf"(?<!\d){day}\s*(?:de\s+|of\s+)?{month}(?![^\W\d_])\s*,?\s*(?:de\s+)?{year}", re.I)
    month_first_no_year = re.compile(rf"(?<![^\W\d_]){month}\s+{day}(?!\s*,?\s*(?:19|20)\d{2})", re.I)
    day_first_no_year = re.compile(
        rf"(?<!\d){day}\s*(?:de\s+)?{month}(?![^\W\d_])(?!\s*,?\s*(?:de\s+)?(?:19|20)\d{2})", re.I
    )
    return month_first, day_first, month_first_no_year, day_first_no_year


def line_dates(text: str, language: str | None = None, year: int | None = None) -> list[tuple[dt.date, bool]]:
    """The dates a date line states, in order, each with whether it is an update ("Updated Nov.
    19, 2019 / Original Nov. 18, 2019"). A date without a year counts only when `year` (from the
    page's structured data) supplies it. Relative dates ("22 hours ago") are not dates."""
    found: list[tuple[dt.date, bool]] = []
    for segment in _SEGMENTS.split(text):
        update = bool(_UPDATE_WORDS.search(segment))
        for day in _segment_dates(segment, language, year):
            found.append((day, update))
    return found


def _segment_dates(segment: str, language: str | None, year: int | None) -> list[dt.date]:
    hits: list[tuple[int, dt.date]] = []
    names = _month_names(language)
    month_first, day_first, month_first_no_year, day_first_no_year = _month_patterns(language)

    def add(pos: int, y: int, m: int, d: int) -> None:
        try:
            day = dt.date(y, m, d)
        except ValueError:
            return
        if plausible(day):
            hits.append((pos, day))

    for match in _ISO_DAY.finditer(segment):
        add(match.start(), int(match.group(1)), int(match.group(2)), int(match.group(3)))
    for match in _CJK_DAY.finditer(segment):
        add(match.start(), int(match.group(1)), int(match.group(2)), int(match.group(3)))
    for match in _NUMERIC_DAY.finditer(segment):
        a, sep, b, y = int(match.group(1)), match.group(2), int(match.group(3)), int(match.group(4))
        y = y + 2000 if y < 100 else y
        # Slashes are month-first in English, day-first elsewhere; dots are day-first.
        month_first_order = sep == "/" and (language in (None, "en")) and b <= 31
        m, d = (a, b) if month_first_order else (b, a)
        if m > 12 and d <= 12:
            m, d = d, m
        add(match.start(), y, m, d)
    for match in month_first.finditer(segment):
        add(match.start(), int(match.group(3)), names[match.group(1).lower()], int(match.group(2)))
    for match in day_first.finditer(segment):
        add(match.start(), int(match.group(3)), names[match.group(2).lower()], int(match.group(1)))
    if year and not hits:
        for match in month_first_no_year.finditer(segment):
            add(match.start(), year, names[match.group(1).lower()], int(match.group(2)))
        for match in day_first_no_year.finditer(segment):
            add(match.start(), year, names[match.group(2).lower()], int(match.group(1)))
    return [day for _, day in sorted(hits, key=lambda h: h[0])]
