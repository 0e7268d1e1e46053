"""The one object front ends hold: open a data folder, ask, compare, add, remove, rebuild.

Every path from text to index goes through `Engine.add`: seeds, the CLI and the bot alike.
All public methods are thread-safe (the bot calls them from worker threads).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np
from tqdm import tqdm

from .blocks import MAX_PASSAGE_CHARS
from .embed import Encoder, make_encoder, passage_text, vector_key
from .errors import BadFilter, BadQuestion, BadSource, CoverageError, NotFound
from .index import VectorIndex, ivf_lists
from .lexical import LexicalIndex
from .models import Answer, Article, Block, Comparison, IngestOutcome, IngestReport, ParsedArticle, Passage
from .parse import clean_meta, normalise_date
from .quotes import QuoteMatch
from .search import Searcher
from .search.candidates import View, named_outlets
from .search.when import parse_date
from .settings import Settings
from .sources import expand, read_sources
from .store import Store, content_hash
from .text import split_long

log = logging.getLogger(__name__)

GLOBAL = "global"
META_FIELDS = ("title", "outlet", "author", "published", "url", "language")
MAX_PARAGRAPHS = 2000
MAX_PARAGRAPH_CHARS = 20_000


class Engine:
    """Store + encoder + vector index + lexical index, kept in step."""

    def __init__(self, settings: Settings, encoder: Encoder | None = None):
        self.settings = settings
        self.encoder = encoder or make_encoder(settings)
        self.vector_key = vector_key(self.encoder.key)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(settings.db_path)
        self.searcher = Searcher(self)
        self.events: list[str] = []  # what opening the engine did, for front ends to report
        self._lock = threading.RLock()
        self._index: VectorIndex | None = None
        self._lexical: LexicalIndex | None = None
        self._generation: str | None = None
        self._forget()
        faiss.omp_set_num_threads(1)  # one query is faster on one thread (RETRIEVAL_NOTES.md)

    @classmethod
    def open(cls, settings: Settings, encoder: Encoder | None = None, progress: bool = False) -> Engine:
        """Open the data folder: seed a new store, check the index and repair it if needed."""
        engine = cls(settings, encoder)
        engine.prepare(progress)
        return engine

    def close(self) -> None:
        self.store.close()

    # -- start-up ---------------------------------------------------------------------------
    def prepare(self, progress: bool = False) -> None:
        with self._lock:
            self._load_index(progress)
            if self.store.get_meta("seeded") is None:
                self._seed(progress)

    def _seed(self, progress: bool) -> None:
        seeds = self.settings.seeds_dir
        if not seeds.is_dir():
            log.warning("no seeds folder at %s; starting with an empty store", seeds)
            report = IngestReport()
        else:
            report = self.ingest([str(seeds)], collection=GLOBAL, added_by="seeds", progress=progress)
        with self.store.transaction():
            self.store.set_meta("seeded", "1")
        self._event(f"built the store from {seeds}: {report.summary()}")

    def _event(self, message: str) -> None:
        log.info(message)
        self.events.append(message)

    def _load_index(self, progress: bool) -> None:
        store_ids = self.store.passage_ids()
        index, why = VectorIndex.load(self.settings.index_path, self.settings.index_meta_path, self.settings.nprobe)
        if index is not None:
            why = index.check(store_ids, self.vector_key, self._wanted_kind(len(store_ids), index.kind))
        if not why:
            self._index = index
        elif index is None and len(store_ids) == 0 and not self.settings.index_path.exists():
            self._index = None  # a new, empty store: the index is made with the first article
        else:
            log.warning("rebuilding the index: %s", why)
            self._rebuild(progress, reason=why)
        self._generation = self.store.get_meta("generation")
        self._forget()

    def _forget(self) -> None:
        """Drop what was derived from the store; it changed."""
        self._lexical = None
        self._allowed_cache: dict = {}
        self._outlets_cache: dict = {}

    def _sync(self) -> None:
        """Pick up changes another process (the CLI beside the bot) made to the store."""
        if self.store.get_meta("generation") != self._generation:
            log.info("the store changed outside this process; reloading the index")
            self._load_index(progress=False)

    @contextmanager
    def _writing(self):
        """One writer at a time across processes, and across threads of this one."""
        lock_path = self.settings.data_dir / ".write.lock"
        with self._lock, open(lock_path, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                self._sync()
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _bump(self) -> None:
        """Mark a change; call inside the store transaction."""
        generation = str(int(self.store.get_meta("generation") or 0) + 1)
        self.store.set_meta("generation", generation)
        self._generation = generation

    # -- the index --------------------------------------------------------------------------
    def _wanted_kind(self, n: int, current: str | None) -> str:
        """Exact search while it is fast enough, IVF past `ivf_threshold` passages; back to
        exact only below half of it, so a few removals do not flip the index back and forth."""
        if self.settings.index != "auto":
            return self.settings.index
        threshold = self.settings.ivf_threshold
        if current == "ivf":
            return "ivf" if n >= threshold // 2 else "flat"
        return "ivf" if n >= threshold else "flat"

    def _rebuild(self, progress: bool, reason: str = "", reencode: bool = False) -> None:
        """Rebuild the vector index from the store, re-encoding only if the model changed.
        Ids come from the store, so a rebuild (or a switch of index kind) loses none."""
        total = self.store.counts()["passages"]
        model = self.vector_key
        if reencode or (total and self.store.get_meta("vector_model") != model):
            self._reencode(total, progress)
        dimension = self.store.get_meta("vector_dimension")
        dimension = int(dimension) if dimension else self.encoder.dimension
        kind = self._wanted_kind(total, self._index.kind if self._index else None)
        sample = self.store.sample_vectors(min(total, 64 * ivf_lists(total))) if kind == "ivf" else None
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # building is batch work: use every core
        try:
            index = VectorIndex.build(kind, dimension, model, sample, n=total, nprobe=self.settings.nprobe)
            with tqdm(total=total, desc="Indexing", unit="passage", disable=not progress, leave=False) as bar:
                for ids, vectors in self.store.iter_vectors():
                    index.add(ids, vectors)
                    bar.update(len(ids))
        finally:
            faiss.omp_set_num_threads(1)  # one query is faster on one thread
        index.save(self.settings.index_path, self.settings.index_meta_path)
        self._index = index
        self._forget()
        if reason:
            self._event(f"rebuilt the index ({index.size} passages) because {reason}")

    def _reencode(self, total: int, progress: bool) -> None:
        log.info("encoding %d passages as %s", total, self.vector_key)
        with tqdm(total=total, desc="Encoding", unit="passage", disable=not progress) as bar:
            for ids, inputs in self.store.iter_embedding_inputs(batch=512):
                vectors = self.encoder.encode([passage_text(*i) for i in inputs])
                with self.store.transaction():
                    self.store.replace_vectors(ids, vectors)
                bar.update(len(ids))
        with self.store.transaction():
            self.store.set_meta("vector_model", self.vector_key)
            self.store.set_meta("vector_dimension", str(self.encoder.dimension))

    def reindex(self, progress: bool = False, reencode: bool = False) -> int:
        """Rebuild the index from the store; with `reencode`, embed every passage again."""
        with self._writing():
            self._rebuild(progress, reencode=reencode)
            return self._index.size if self._index else 0

    def _lexical_index(self) -> LexicalIndex:
        """BM25 at the store's current generation: loaded if saved, else built and saved."""
        if self._lexical is None:
            folder = self.settings.data_dir / "bm25"
            generation = self.store.get_meta("generation")
            lexical = LexicalIndex.load(folder, generation)
            if lexical is None:
                ids, texts = [], []
                for batch_ids, batch_texts in self.store.iter_texts():
                    ids.append(batch_ids)
                    texts += batch_texts
                lexical = LexicalIndex.build(np.concatenate(ids) if ids else np.zeros(0, np.int64), texts)
                lexical.save(folder, generation)
            self._lexical = lexical
        return self._lexical

    def _allowed(self, collections, outlets, since, until) -> np.ndarray | None:
        """Passage ids a query may return, or None when that is every indexed passage. Cached
        until the store changes: reading a million ids costs more than the search itself."""
        key = (tuple(collections), tuple(outlets or ()), since, until)
        if key not in self._allowed_cache:
            allowed = self.store.passage_ids(list(collections), outlets, since, until)
            if self._index is not None and len(allowed) == self._index.size:
                allowed = None
            if len(self._allowed_cache) >= 16:
                self._allowed_cache.pop(next(iter(self._allowed_cache)))
            self._allowed_cache[key] = allowed
        return self._allowed_cache[key]

    def _outlets(self, collections) -> list[str]:
        key = tuple(collections)
        if key not in self._outlets_cache:
            self._outlets_cache[key] = self.store.outlets(list(collections))
        return self._outlets_cache[key]

    def _save_index(self) -> None:
        self._index.save(self.settings.index_path, self.settings.index_meta_path)

    # -- adding -----------------------------------------------------------------------------
    def ingest(
        self,
        sources: Sequence[str],
        collection: str = GLOBAL,
        added_by: str | None = None,
        progress: bool = False,
        overrides: dict | None = None,
    ) -> IngestReport:
        """Read files, folders and URLs and add what they hold; bad sources are skipped with
        their reason, and nothing of theirs is written. `overrides` (outlet, author, published,
        title, url) replace what every source says, as a sidecar file would."""
        overrides = clean_meta(overrides or {}, "the options")
        expanded = expand(sources)
        parsed: list[ParsedArticle] = []
        report = IngestReport()
        many = progress and len(expanded) > 1
        for source, result in tqdm(
            read_sources(expanded, self.settings), total=len(expanded), desc="Reading", unit="file", disable=not many
        ):
            if isinstance(result, CoverageError):
                report.outcomes.append(IngestOutcome(source, "skipped", reason=str(result)))
            else:
                for key, value in overrides.items():
                    setattr(result, key, value)
                parsed.append(result)
        report.outcomes += self.add(parsed, collection=collection, added_by=added_by, progress=progress).outcomes
        return report

    def add(
        self,
        articles: Sequence[ParsedArticle],
        collection: str = GLOBAL,
        added_by: str | None = None,
        progress: bool = False,
    ) -> IngestReport:
        """Add or update parsed articles in one transaction: re-adding the same article (same
        canonical URL, or the same text from the same outlet) updates it."""
        report = IngestReport()
        todo: list[tuple[ParsedArticle, str]] = []
        seen: dict[str, str] = {}
        for article in articles:
            source = article.source or article.title
            try:
                _validate(article)
            except BadSource as err:
                report.outcomes.append(IngestOutcome(source, "skipped", reason=str(err)))
                continue
            chash = content_hash(article.paragraphs)
            keys = [f"url:{article.url}"] if article.url else []
            keys.append(f"text:{(article.outlet or '').lower()}:{chash}")
            if dup := next((seen[k] for k in keys if k in seen), None):
                report.outcomes.append(IngestOutcome(source, "skipped", reason=f"same article as {dup}"))
                continue
            seen.update(dict.fromkeys(keys, source))
            todo.append((article, chash))

        # Encode outside the lock (slow), only what is new or whose text changed.
        with self._lock:
            stale = [_reembed(self.store.find_existing(collection, a, h), a, h) for a, h in todo]
        texts = [t for (a, _), changed in zip(todo, stale, strict=True) if changed for t in _embedding_inputs(a)]
        vectors = self._encode(texts, progress) if texts else None
        encoded: dict[int, np.ndarray] = {}
        offset = 0
        for i, ((article, _), changed) in enumerate(zip(todo, stale, strict=True)):
            if changed:
                encoded[i] = vectors[offset : offset + len(article.paragraphs)]
                offset += len(article.paragraphs)

        added_ids: list[int] = []
        added_vectors: list[np.ndarray] = []
        removed_ids: list[int] = []
        with self._writing(), self._change():
            for i, (article, chash) in enumerate(todo):
                source = article.source or article.title
                old = self.store.find_existing(collection, article, chash)
                text_changed = _reembed(old, article, chash)
                if old is not None and not text_changed and _same_meta(old, article):
                    report.outcomes.append(
                        IngestOutcome(source, "unchanged", old.id, old.title, "already held", old.paragraphs)
                    )
                    continue
                if old is None:
                    article_id = self.store.insert_article(collection, article, chash, added_by)
                    status = "added"
                else:
                    article_id = old.id
                    self.store.update_article(article_id, article, chash)
                    status = "updated"
                if text_changed:
                    own = encoded[i] if i in encoded else self.encoder.encode(_embedding_inputs(article))
                    if old is not None:
                        removed_ids += self.store.delete_passages(article_id)
                    added_ids += self.store.insert_passages(article_id, article.paragraphs, own, article.headings)
                    added_vectors.append(own)
                self.store.log(collection, article_id, status, added_by, _history_detail(old, article, text_changed))
                report.outcomes.append(
                    IngestOutcome(source, status, article_id, article.title, paragraphs=len(article.paragraphs))
                )
            if added_ids:
                self.store.set_meta("vector_model", self.vector_key)
                self.store.set_meta("vector_dimension", str(self.encoder.dimension))
            # The index file is written before the store commits: if writing fails, both stay
            # as they were.
            if added_ids or removed_ids:
                self._apply(np.array(added_ids, np.int64), added_vectors, removed_ids)
        return report

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        chunks = []
        with tqdm(total=len(texts), desc="Embedding", unit="passage", disable=not progress or len(texts) < 64) as bar:
            for start in range(0, len(texts), 256):
                chunks.append(self.encoder.encode(texts[start : start + 256]))
                bar.update(min(256, len(texts) - start))
        return np.vstack(chunks)

    def _apply(self, added_ids: np.ndarray, added_vectors: list[np.ndarray], removed_ids: list[int]) -> None:
        if self._index is None:
            self._index = VectorIndex(self.encoder.dimension, self.vector_key, nprobe=self.settings.nprobe)
        self._index.remove(removed_ids)
        if len(added_ids):
            self._index.add(added_ids, np.vstack(added_vectors))
        wanted = self._wanted_kind(self._index.size, self._index.kind)
        if wanted != self._index.kind:
            # The store (this connection sees its own uncommitted rows) is the source of ids.
            self._rebuild(progress=False, reason=f"{self._index.size} passages call for a {wanted} index")
        else:
            self._save_index()

    @contextmanager
    def _change(self):
        """A store transaction that marks a change; if it fails, the in-memory indexes are
        dropped and reloaded from the files, which are still in step with the store."""
        try:
            with self.store.transaction():
                yield
                self._bump()
        except BaseException:
            self._generation = None
            raise
        finally:
            self._forget()

    # -- changing and removing --------------------------------------------------------------
    def remove(self, article_id: int, collections: Sequence[str] | None = None, actor: str | None = None) -> Article:
        """Remove an article; its passages leave the index in the same step."""
        with self._writing():
            article = self.store.article(article_id, collections)
            with self._change():
                removed = self.store.delete_article(article_id)
                self.store.log(article.collection, article_id, "removed", actor, article.title)
                if self._index is not None:
                    self._apply(np.zeros(0, np.int64), [], removed)
            return article

    def edit(
        self, article_id: int, changes: dict, collections: Sequence[str] | None = None, actor: str | None = None
    ) -> Article:
        """Correct an article's metadata (title, outlet, author, published, url, language),
        checked as ingest checks it. A new headline re-embeds the article's passages, which are
        read with it; nothing else touches the text or its embeddings."""
        fields = {}
        for key, value in changes.items():
            if key not in META_FIELDS:
                raise BadSource(f"{key} cannot be edited; editable: {', '.join(META_FIELDS)}")
            if key == "title" and not (value or "").strip():
                raise BadSource("the headline cannot be empty")
            fields[key] = clean_meta({key: value}, "the edit").get(key) if value is not None else None
        if not fields:
            raise BadSource(f"nothing to change; give one of: {', '.join(META_FIELDS)}")
        with self._writing():
            article = self.store.article(article_id, collections)
            held = self.store.article_with_url(article.collection, fields["url"]) if fields.get("url") else None
            if held is not None and held.id != article_id:
                raise BadSource(f"article {held.id} in {article.collection} already has the URL {fields['url']}")
            vectors = None
            if fields.get("title", article.title) != article.title:
                passages = self.store.passages_of(article_id)
                vectors = self.encoder.encode([passage_text(fields["title"], p.heading, p.text) for p in passages])
            with self._change():
                self.store.update_fields(article_id, fields)
                if vectors is not None and self._index is not None:
                    ids = self.store.replace_article_vectors(article_id, vectors)
                    self._apply(np.array(ids, np.int64), [vectors], ids)
                detail = ", ".join(f"{k}: {getattr(article, k)!r} → {v!r}" for k, v in fields.items())
                self.store.log(article.collection, article_id, "edited", actor, detail)
            return self.store.article(article_id)

    # -- reading ----------------------------------------------------------------------------
    def article(self, article_id: int, collections: Sequence[str] | None = None) -> tuple[Article, list[Passage]]:
        with self._lock:
            article = self.store.article(article_id, collections)
            return article, self.store.passages_of(article_id)

    def blocks(self, article_id: int, collections: Sequence[str] | None = None) -> list[Block]:
        """Every block of the article in order (headings, captions, lists ...), as a reader sees it."""
        with self._lock:
            self.store.article(article_id, collections)
            return self.store.blocks_of(article_id)

    def passage(
        self, article_id: int, ordinal: int, collections: Sequence[str] | None = None
    ) -> tuple[Article, list[Passage]]:
        """The paragraph with its neighbours (one before, one after)."""
        article, passages = self.article(article_id, collections)
        if not 1 <= ordinal <= len(passages):
            raise NotFound(f"article {article_id} has paragraphs 1 to {len(passages)}, not {ordinal}")
        return article, passages[max(ordinal - 2, 0) : ordinal + 1]

    def articles(
        self,
        collections: Sequence[str],
        outlet: str | None = None,
        query: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Article]:
        with self._lock:
            return self.store.list_articles(collections, outlet, query, limit, offset)

    def count_articles(self, collections: Sequence[str], outlet: str | None = None) -> int:
        with self._lock:
            return self.store.count_articles(collections, outlet)

    def published_dates(self, keys: set[str], collections: Sequence[str]) -> dict[str, str | None]:
        """Publication dates of the articles named by id or URL (for evaluation)."""
        with self._lock:
            return self.store.published_dates(keys, collections)

    def history(self, collection: str, limit: int = 25):
        with self._lock:
            return self.store.history(collection, limit)

    def record_question(self, collection: str, answer: Answer, asked_by: str | None = None) -> int:
        """Keep a question and whether it was answered, for `gaps` and evaluation."""
        with self._lock, self.store.transaction():
            ids = [h.passage.id for h in answer.hits]
            return self.store.record_question(collection, answer.question, answer.answered, asked_by, ids)

    def record_feedback(self, question_id: int, user: str, helpful: bool) -> None:
        """A reader's verdict on an answer (one per reader; a second vote replaces the first)."""
        with self._lock, self.store.transaction():
            self.store.record_feedback(question_id, user, helpful)

    def gaps(self, collection: str, days: int = 30, limit: int = 20) -> list[dict]:
        """Recent questions the coverage could not answer or readers marked not helpful."""
        since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat(timespec="seconds")
        with self._lock:
            return [dict(r) for r in self.store.gaps(collection, since, limit)]

    def stats(self) -> dict:
        with self._lock:
            self._sync()
            counts = self.store.counts()
            return {
                **counts,
                "index_type": self._index.description if self._index else "none yet",
                "indexed": self._index.size if self._index else 0,
                "model": self.vector_key,
                "data_dir": str(self.settings.data_dir.resolve()),
                "store_bytes": _size(self.settings.db_path),
                "index_bytes": _size(self.settings.index_path),
            }

    # -- asking -----------------------------------------------------------------------------
    def check_filters(
        self,
        collections: Sequence[str],
        outlets: Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> None:
        """Refuse filters that can match nothing, saying why: an empty date range, a collection
        or outlet that holds no article, or a combination with no article in it."""
        since, until = normalise_date(since), normalise_date(until)
        if since and until and since > until:
            raise BadFilter(f"the date range is empty: since {since} is after until {until}")
        with self._lock:
            self._sync()
            held = self.store.collections()
            missing = [c for c in collections if c not in held]
            if missing:
                raise BadFilter(f"no collection named {missing[0]!r}; collections held: {_listing(held)}")
            where = ", ".join(collections)
            if outlets:
                known = {o.lower(): o for o in self._outlets(collections)}
                unknown = [o for o in outlets if o.lower() not in known]
                if unknown:
                    raise BadFilter(
                        f"no outlet named {unknown[0]!r} in {where}; outlets held: {_listing(sorted(known.values()))}"
                    )
            if (since or until) and not self.store.count_matching(list(collections), outlets, since, until):
                span = f"from {since or 'the start'} to {until or 'today'}"
                whose = f" from {', '.join(outlets)}" if outlets else ""
                raise BadFilter(f"no article{whose} in {where} is dated {span} (articles with no date are left out)")

    def check_question(self, question: str) -> str:
        question = " ".join((question or "").split())
        if not question:
            raise BadQuestion("the question is empty")
        limit = self.settings.question_max_chars
        if len(question) > limit:
            raise BadQuestion(f"the question is {len(question)} characters long; the limit is {limit}")
        return question

    def ask(
        self,
        question: str,
        collections: Sequence[str] = (GLOBAL,),
        k: int | None = None,
        outlets: Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        offset: int = 0,
        as_of: dt.date | str | None = None,
    ) -> Answer:
        """The passages that answer `question`, best first, or `answered=False`.

        `offset` skips that many results (for a "More" button); `as_of` is the day the question
        is asked (default: none, so no moment is preferred; "this week" then means this week)."""
        question = self.check_question(question)
        k = max(1, min(k or self.settings.default_k, self.settings.max_k))
        return self.searcher.ask(question, collections, k, outlets, since, until, offset, _day(as_of))

    def quote(
        self, text: str, collections: Sequence[str] = (GLOBAL,), limit: int = 10, as_of: dt.date | str | None = None
    ) -> list[QuoteMatch]:
        """Who is quoted saying `text` (or "did X say ..."), exact and near-exact matches first.
        When nothing matches closely, the few passages that answer it as a question."""
        return self.searcher.quote(self.check_question(text), collections, limit, _day(as_of))

    def compare(
        self,
        topic: str,
        collections: Sequence[str] = (GLOBAL,),
        per_outlet: int = 1,
        max_outlets: int = 10,
        outlets: Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        as_of: dt.date | str | None = None,
    ) -> Comparison:
        """Each outlet's best passages on a topic, outlets ordered by their best passage."""
        topic = self.check_question(topic)
        return self.searcher.compare(topic, collections, per_outlet, max_outlets, outlets, since, until, _day(as_of))

    def _view(self, question: str, collections, outlets, since, until) -> View | None:
        """The indexes and the passage ids a question may search, or None when there are none."""
        with self._lock:
            self._sync()
            # An outlet named in the question ("what did the Harbor Times say ...") narrows the search.
            named = [] if outlets else named_outlets(question, self._outlets(collections))
            allowed = self._allowed(collections, outlets or named or None, since, until)
            if self._index is None or (allowed is not None and len(allowed) == 0):
                return None
            return View(self._index, self._lexical_index(), allowed, named)


def _listing(names: Sequence[str], limit: int = 10) -> str:
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _validate(article: ParsedArticle) -> None:
    """Check an article from any path (files, the bot, code) as ingest checks it: metadata
    within limits and the URL normalised; an over-long paragraph is split, not refused."""
    source = article.source or "article"
    if not article.title.strip():
        raise BadSource(f"{source}: the headline is empty")
    fields = {f: getattr(article, f) for f in META_FIELDS}
    for key, value in clean_meta(fields, source).items():
        setattr(article, key, value)
    if not article.paragraphs:
        raise BadSource(f"{source}: the article has no paragraphs")
    if any(len(p) > MAX_PARAGRAPH_CHARS for p in article.paragraphs):
        texts, headings = [], []
        for i, paragraph in enumerate(article.paragraphs):
            pieces = split_long(paragraph, MAX_PASSAGE_CHARS)
            texts += pieces
            headings += [article.heading_of(i)] * len(pieces)
        article.paragraphs, article.headings = texts, headings
    if len(article.paragraphs) > MAX_PARAGRAPHS:
        raise BadSource(f"{source}: {len(article.paragraphs)} paragraphs is more than the {MAX_PARAGRAPHS} allowed")


def _history_detail(old: Article | None, new: ParsedArticle, text_changed: bool) -> str:
    """What an add did, for the history: the headline, or what an update changed."""
    if old is None:
        return new.title
    changes = [
        f"{f}: {getattr(old, f)!r} → {getattr(new, f)!r}" for f in META_FIELDS if getattr(old, f) != getattr(new, f)
    ]
    if text_changed:
        changes.append(f"text: {old.paragraphs} → {len(new.paragraphs)} paragraphs")
    return f"{new.title} ({'; '.join(changes) or 'no change'})"


def _embedding_inputs(article: ParsedArticle) -> list[str]:
    return [passage_text(article.title, article.heading_of(i), p) for i, p in enumerate(article.paragraphs)]


def _reembed(old: Article | None, new: ParsedArticle, chash: str) -> bool:
    """Whether the passages must be embedded (again): new text, or a new headline, which each
    passage is read with."""
    return old is None or old.content_hash != chash or old.title != new.title


def _same_meta(old: Article, new: ParsedArticle) -> bool:
    return all(getattr(old, f) == getattr(new, f) for f in META_FIELDS)


def _day(value: dt.date | str | None) -> dt.date | None:
    """An as-of date from a date or `YYYY-MM-DD`; a bad one is the user's error, said plainly."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return parse_date(value)
    except ValueError as err:
        raise BadQuestion(f"the as-of date: {err}") from None


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0
