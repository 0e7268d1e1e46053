"""Names from a byline: "By DANICA KIRKA and JILL LAWLESS Associated Press", "Jill Disis, CNN
Business", "Meg JamesStaff Writer", "Madeline Fry | November 18, 2019 12:01 PM" all name people,
and a citation shows only the people. What is not a person is dropped: the outlet, the
publisher, desks and placeholders ("Staff", "Science X staff"), roles, dates, handles, e-mails.
A wire agency named as the author is its source, kept apart from the people."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .text import one_line

MAX_AUTHOR_CHARS = 300
MAX_AUTHORS = 8
MAX_NAME_WORDS = 6

#: Wire services: named as the author of a story they supplied, they are its source, not a
#: person; they are kept as the author only when no person is named.
WIRE_AGENCIES = {
    "reuters",
    "thomson reuters",
    "associated press",
    "the associated press",
    "ap",
    "afp",
    "agence france presse",
    "agence france-presse",
    "dpa",
    "upi",
    "united press international",
    "press association",
    "pa",
    "ansa",
    "efe",
    "xinhua",
    "bloomberg",
    "bloomberg news",
    "kyodo",
    "yonhap",
    "tass",
    "anadolu",
    "pti",
    "ians",
    "news agencies",
    "agencies",
}
#: Bylines that name nobody.
PLACEHOLDER_AUTHORS = {
    "staff",
    "editor",
    "editors",
    "editorial",
    "editorial staff",
    "editorial board",
    "the editors",
    "admin",
    "administrator",
    "webmaster",
    "desk",
    "guest",
    "guest author",
    "anonymous",
    "unknown",
    "author",
    "multiple sources",
    "various sources",
    "wire reports",
    "гость",
    "invitado",
    "convidado",
    "ospite",
    "invité",
    "gast",
    "redakcja",
    "редакция",
    "redaksi",
    "redaktion",
    "redazione",
    "rédaction",
    "redacción",
    "redação",
}
#: A name ending in one of these is a desk or a team ("IGN Staff", "Science X staff",
#: "Telegraph Reporters", "Detroit News wire services", "DH News Service").
_DESK = re.compile(
    r"(?:^|\s)(?:staff(?:\s+(?:writers?|reporters?))?|reporters|writers|desk|team|newsroom|bureau|wires?"
    r"|wire\s+services?|news\s+services?|news\s+desk|web\s+desk)$",
    re.I,
)
_ROLE = re.compile(
    r"[\s,|–—-]*\b(?:(?:senior|staff|contributing|chief|deputy|associate|assistant|managing|executive|opinion|news"
    r"|political|special|sports|investigative|digital|guest|freelance|national|foreign)\s+)*"
    r"(?:writer|reporter|contributor|columnist|correspondent|editor|journalist|producer|analyst|photographer"
    r"|critic|intern|blogger|author|anchor|host)s?$",
    re.I,
)
# "Meg JamesStaff Writer": a role run into the name.
_GLUED_ROLE = re.compile(
    r"(?<=[a-z])(?=(?:Senior |Staff |Contributing |Chief )?"
    r"(?:Writer|Reporter|Contributor|Editor|Columnist|Correspondent)s?$)"
)
# "By", "Posted by", "Von", "Por", "Publicado por:", "Текст:" before the names.
_BY = re.compile(
    r"^\s*(?:(?:written|posted|published|reported|words|story|text|photos?)\s+)?(?:by|von|por|par|door|oleh)\b"
    r"[:\s]*|^\s*(?:publicado por|escrito por|publié par|pubblicato da|texto?|текст|автор|author|reporter)\s*:\s*",
    re.I,
)
_BY_EN = re.compile(r"^\s*(?:(?:written|posted|reported)\s+)?by\b[:\s]*", re.I)
_SPLIT = re.compile(r"\s*(?:[;,|/·•]|\s[–—-]\s|\b(?i:and)\b|&|\s(?:und|y|e|et)\s)\s*")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b"
# Where the name stops: a date, a time, a year, "Updated ...", "on Monday", "3 hours ago".
_CUT = re.compile(
    rf"\s*(?:\b(?:updated|published|posted|modified|last updated|print this article|publiziert|veröffentlicht"
    rf"|aktualisiert|publicad[oa]|atualizad[oa]|actualizad[oa]|publié|pubblicato|aggiornato|опубликовано)\b|\b(?:today|yesterday)\s+(?:at\s+)?\d"
    rf"|\bon\s+{_WEEKDAY}|\b{_WEEKDAY}\s*(?:,|\d)|\d{{1,2}}:\d{{2}}|\b\d+\s+(?:minutes?|hours?|days?|weeks?)\s+ago"
    rf"|\b\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\b(?:19|20)\d{{2}}\b|\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\.?\s+{_MONTH}(?!\w)).*$",
    re.I,
)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_HANDLE = re.compile(r"@\w+")
_DOMAIN = re.compile(r"\b[\w-]+\.(?:com|net|org|co|uk|ca|de|fr|in|ru|br|it|au|io|info|news|tv|us)\b", re.I)
_NOT_NAME = re.compile(r"https?://|www\.|@|\d|[<>{}=]")
# Organisations, not people ("NJ Advance Media", "Hearst Newspapers").
_ORGANISATION = re.compile(r"\b(?:media|network|group|inc|llc|ltd|corp|corporation|newspapers|holdings)$", re.I)
_AFFILIATION = re.compile(r"\s+(?:for|special to|exclusive to|courtesy of)\s+\S.*$|^(?:special to|for)\s.*$", re.I)
_LOOSE = re.compile(r"[\W_]+")


def loose(text: str) -> str:
    """Lower case, letters and digits, single spaces, no leading "the": for comparing names."""
    folded = _LOOSE.sub(" ", text.replace("'", "").replace("’", "").lower()).strip()
    return folded[4:] if folded.startswith("the ") else folded


def names_site(part: str, name: str) -> bool:
    """Whether `part` (loose) names the site `name` (loose): "cnn business" names "cnn",
    "nbcnews" names "nbc news"."""
    if not part or not name:
        return False
    squeezed_part, squeezed_name = part.replace(" ", ""), name.replace(" ", "")
    return (
        part == name
        or squeezed_part == squeezed_name
        or part.startswith(name + " ")
        or (len(squeezed_name) >= 3 and squeezed_part.startswith(squeezed_name))
        or (len(squeezed_part) >= 3 and squeezed_name.startswith(squeezed_part))
    )


def starts_byline(text: str) -> bool:
    """Whether a line opens like a byline ("By …", "Von …", "Текст: …")."""
    return bool(_BY.match(text))


def is_desk(name: str) -> bool:
    """Whether a (loose) name is a desk or a team of a newsroom, not a person or a paper."""
    return bool(_DESK.search(name))


def clean_authors(raw: Iterable[str], exclude: set[str]) -> tuple[list[str], list[str]]:
    """(people, agencies) named by the byline strings in `raw`; `exclude` holds the loose names
    of the outlet, the publisher and the site, which are never authors."""
    exclude = {e for e in exclude if e}
    people: list[str] = []
    agencies: list[str] = []
    seen: set[str] = set()
    for entry in raw:
        for name in byline_names(entry, exclude):
            key = loose(name)
            if key in seen:
                continue
            seen.add(key)
            if key in WIRE_AGENCIES:
                agencies.append(name)
            elif len(people) < MAX_AUTHORS:
                people.append(name[:MAX_AUTHOR_CHARS])
    return people, agencies


def byline_names(entry: str, exclude: set[str]) -> list[str]:
    """The names in one byline string, in order, each cleaned; placeholders dropped."""
    text = _HANDLE.sub(" ", _EMAIL.sub(" ", one_line(entry)))
    text = _CUT.sub("", _BY.sub("", text))
    names = []
    for part in _SPLIT.split(text):
        name = _clean_name(part, exclude)
        if name:
            names.append(name)
    return names


def _clean_name(part: str, exclude: set[str]) -> str | None:
    name = _BY_EN.sub("", part).strip(" .,:;-–—|()[]\"'")
    name = _GLUED_ROLE.sub(" ", name)
    name = _AFFILIATION.sub("", name)
    for _ in range(2):
        name = _ROLE.sub("", name).strip(" .,:;-–—|")
    if not name or _NOT_NAME.search(name) or _DOMAIN.search(name) or len(name) > 80:
        return None
    key = loose(name)
    # A trailing outlet or agency: "Elliot Brownstein Florida Today", "JILL LAWLESS Associated Press".
    for site in sorted(exclude | WIRE_AGENCIES, key=len, reverse=True):
        if len(site) >= 3 and key.endswith(" " + site) and len(key[: -len(site)].split()) >= 2:
            words = name.split()
            name = " ".join(words[: len(words) - len(site.split())])
            key = loose(name)
            break
    if not key or len(key.split()) > MAX_NAME_WORDS:
        return None
    if key in PLACEHOLDER_AUTHORS or is_desk(key) or key in exclude:
        return None
    if any(names_site(key, site) for site in exclude if len(site) >= 3):
        return None
    if _ORGANISATION.search(key) and key not in WIRE_AGENCIES:
        return None
    if " " not in name and key not in WIRE_AGENCIES and (name.islower() or re.fullmatch(r"[A-Za-z]+", name)):
        # One Latin word is a handle ("gto", "Vortex") or a dateline's place ("PTI, Washington"),
        # not a person's byline.
        return None
    if name.isupper() and len(key.split()) >= 2 and key not in WIRE_AGENCIES:
        name = name.title()
    return name
