"""Values that cross module lines: parsed articles, stored articles, passages and answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class ParsedArticle:
    """An article as read from a file, page or paste, before it is stored."""

    title: str
    paragraphs: list[str]
    outlet: str | None = None
    author: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD, or None when unknown
    url: str | None = None
    language: str | None = None
    source: str | None = None  # where it came from (file path or fetched URL), for messages


@dataclass
class Article:
    """A stored article's metadata."""

    id: int
    collection: str
    title: str
    outlet: str | None
    author: str | None
    published: str | None
    url: str | None
    language: str | None
    added_at: str
    added_by: str | None
    content_hash: str
    paragraphs: int = 0

    def ref(self) -> dict:
        """The attribution block of the JSON contract."""
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "author": self.author,
            "published": self.published,
            "url": self.url,
        }


@dataclass
class Passage:
    """One paragraph of a stored article; `ordinal` is its 1-based paragraph number."""

    id: int
    article_id: int
    ordinal: int
    text: str


@dataclass
class Hit:
    """A ranked passage with its attribution and the copies other outlets carried."""

    passage: Passage
    article: Article
    score: float
    similarity: float
    highlight: str = ""
    also_in: list[Article] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "text": self.passage.text,
            "highlight": self.highlight,
            "score": round(self.score, 4),
            "paragraph": self.passage.ordinal,
            "article": self.article.ref(),
            "also_in": [{"id": a.id, "outlet": a.outlet, "url": a.url} for a in self.also_in],
        }


@dataclass
class Answer:
    """What `ask` returns: quoted passages, or `answered=False` when the coverage is silent.

    A declined answer may carry `related`: the closest coverage, which may not answer, for
    front ends to show apart and labelled as such, never as an answer."""

    question: str
    answered: bool
    hits: list[Hit]
    related: list[Hit] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "passages": [h.to_json() for h in self.hits],
            "related": [h.to_json() for h in self.related],
        }


@dataclass
class OutletCoverage:
    """One outlet's best passages on a topic, for `compare`."""

    outlet: str
    hits: list[Hit]

    def to_json(self) -> dict:
        return {"outlet": self.outlet, "passages": [h.to_json() for h in self.hits]}


@dataclass
class Comparison:
    topic: str
    answered: bool
    outlets: list[OutletCoverage]

    def to_json(self) -> dict:
        return {
            "topic": self.topic,
            "answered": self.answered,
            "outlets": [o.to_json() for o in self.outlets],
        }


@dataclass
class IngestOutcome:
    """What happened to one source in an ingest."""

    source: str
    status: str  # added | updated | unchanged | skipped
    article_id: int | None = None
    title: str | None = None
    reason: str | None = None
    paragraphs: int = 0


@dataclass
class IngestReport:
    outcomes: list[IngestOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("added", "updated", "unchanged", "skipped")]
        return ", ".join(parts)

    def to_json(self) -> dict:
        return {"outcomes": [asdict(o) for o in self.outcomes]}
