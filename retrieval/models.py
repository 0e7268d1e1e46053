"""Values that cross module lines: parsed articles, stored articles, passages and answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: What a block of an article is. Only paragraphs, quotations, lists and tables become passages.
BLOCK_KINDS = (
    "paragraph",
    "heading",
    "list_item",
    "quotation",
    "caption",
    "embed",
    "byline",
    "dateline",
    "table_row",
    "teaser",  # a related-link or promotional line ("Read more: ...", "Sign up for ...")
)


@dataclass
class Block:
    """One block of an article as a reader sees it, in order."""

    kind: str  # one of BLOCK_KINDS
    text: str
    level: int | None = None  # a heading's level, 1-6
    passage: int | None = None  # the 1-based passage this block went into, None if none


@dataclass
class ParsedArticle:
    """An article as read from a file, page or paste, before it is stored.

    `paragraphs` are the prose passages in order (what is embedded and quoted); `headings[i]`
    is the section heading passage i sits under (None when none); `blocks` is every block of
    the article in order, for showing it whole."""

    title: str
    paragraphs: list[str]
    outlet: str | None = None
    author: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD, or None when unknown
    url: str | None = None
    language: str | None = None
    source: str | None = None  # where it came from (file path or fetched URL), for messages
    headings: list[str | None] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    # The file (resolved path) or address it was read from: re-adding it finds the same record.
    origin: str | None = None

    def __post_init__(self) -> None:
        if len(self.headings) < len(self.paragraphs):
            self.headings = list(self.headings) + [None] * (len(self.paragraphs) - len(self.headings))
        if not self.blocks:
            self.blocks = [Block("paragraph", p, passage=i) for i, p in enumerate(self.paragraphs, 1)]

    def heading_of(self, index: int) -> str | None:
        """The heading of passage `index` (0-based), None past the end of `headings`."""
        return self.headings[index] if index < len(self.headings) else None


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
    """One paragraph of a stored article; `ordinal` is its 1-based paragraph number and
    `heading` the section heading it sits under (None when none)."""

    id: int
    article_id: int
    ordinal: int
    text: str
    heading: str | None = None


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
    """What `ask` returns: quoted passages, or `answered=False` when the coverage is silent."""

    question: str
    answered: bool
    hits: list[Hit]

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "passages": [h.to_json() for h in self.hits],
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
