"""The FAISS index of passage vectors, keyed by the store's passage ids.

Two kinds, both holding the store's passage ids so removal and lookup need no side table:
- `flat`: exact inner product (`IndexIDMap2` over `IndexFlatIP`), 1,536 bytes a passage;
- `ivf`: inverted lists over 8-bit scalar-quantised vectors (`IndexIVFScalarQuantizer`),
  384 bytes a passage and a fraction of the vectors scanned per query. It supports removal
  (HNSW does not), and its scores are approximate: the engine re-scores candidates with the
  exact vectors kept in the store.

The file is written atomically (temporary file, then rename) with a JSON sidecar naming the
model, dimension, kind, count and the store generation it was written at; on start the engine
checks both against the store (`load`, then `check`) and rebuilds whatever does not match.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import faiss
import numpy as np

from .files import atomic_write, atomic_write_text

log = logging.getLogger(__name__)

KINDS = {"flat": "Flat (exact inner product)", "ivf": "IVF + 8-bit scalar quantizer (approximate)"}


def wanted_kind(setting: str, threshold: int, n: int, current: str | None) -> str:
    """Exact search while it is fast enough, IVF past `threshold` passages; back to exact only
    below half of it, so a few removals do not flip the index back and forth."""
    if setting != "auto":
        return setting
    if current == "ivf":
        return "ivf" if n >= threshold // 2 else "flat"
    return "ivf" if n >= threshold else "flat"


def ivf_lists(n: int) -> int:
    """About 4·√n inverted lists (FAISS's guidance), with 39 training points for each."""
    return int(max(1, min(65536, 4 * math.sqrt(n), n / 39)))


class VectorIndex:
    """Passage vectors in FAISS, with ids equal to passage ids."""

    def __init__(self, dimension: int, model: str, index: faiss.Index | None = None, nprobe: int = 32):
        self.dimension = dimension
        self.model = model
        self.index = index or faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        self.nprobe = nprobe
        self.generation: str | None = None  # the store generation it was saved at

    @classmethod
    def build(
        cls,
        kind: str,
        dimension: int,
        model: str,
        vectors_for_training: np.ndarray | None = None,
        n: int = 0,
        nprobe: int = 32,
    ) -> VectorIndex:
        """An empty index of `kind`; `ivf` is trained on a sample of the vectors it will hold."""
        if kind == "flat":
            return cls(dimension, model, nprobe=nprobe)
        nlist = ivf_lists(n)
        quantizer = faiss.IndexFlatIP(dimension)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dimension, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        index.own_fields = True
        quantizer.this.disown()
        index.train(np.ascontiguousarray(vectors_for_training, np.float32))
        return cls(dimension, model, index, nprobe=nprobe)

    @property
    def kind(self) -> str:
        return "ivf" if isinstance(self.index, faiss.IndexIVF) else "flat"

    @property
    def description(self) -> str:
        extra = f", {self.index.nlist} lists, nprobe {self.nprobe}" if self.kind == "ivf" else ""
        return KINDS[self.kind] + extra

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        if self.kind == "flat":
            return np.sort(faiss.vector_to_array(self.index.id_map).astype(np.int64))
        lists = self.index.invlists
        parts = [
            faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
            for i in range(self.index.nlist)
            if lists.list_size(i)
        ]
        return np.sort(np.concatenate(parts).astype(np.int64)) if parts else np.zeros(0, np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, np.float32), np.asarray(ids, np.int64))

    def remove(self, ids) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids):
            self.index.remove_ids(faiss.IDSelectorBatch(ids))

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) for one query vector; `allowed` restricts to those passage ids."""
        if self.size == 0 or k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        selector = None
        if allowed is not None:
            if len(allowed) == 0:
                return np.zeros(0, np.float32), np.zeros(0, np.int64)
            if len(allowed) < self.size:
                selector = faiss.IDSelectorBatch(np.asarray(allowed, np.int64))
        if self.kind == "ivf":
            params = faiss.SearchParametersIVF(sel=selector, nprobe=self.nprobe)
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        k = min(k, self.size)
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    # -- files ------------------------------------------------------------------------------
    def save(self, path: Path, meta_path: Path, generation: str | None = None) -> None:
        """The index, then its sidecar; each replaced in one rename. A crash between the two
        leaves a sidecar that does not match, which `load` reports, so the index is rebuilt."""
        atomic_write(path, lambda tmp: faiss.write_index(self.index, tmp))
        meta = {
            "model": self.model,
            "dimension": self.dimension,
            "count": self.size,
            "kind": self.kind,
            "generation": generation,
        }
        atomic_write_text(meta_path, json.dumps(meta, indent=1))
        self.generation = generation

    @classmethod
    def load(cls, path: Path, meta_path: Path, nprobe: int = 32) -> tuple[VectorIndex | None, str]:
        """The saved index, or None and the reason it cannot be used."""
        if not path.exists():
            return None, "the index file is missing"
        if not path.is_file():
            return None, f"{path.name} is not a file"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None, f"its metadata file {meta_path.name} is missing"
        except (OSError, ValueError) as err:
            return None, f"its metadata file {meta_path.name} cannot be read ({err})"
        if not isinstance(meta, dict):
            return None, f"its metadata file {meta_path.name} is not a JSON object"
        if not all(isinstance(meta.get(k), int) for k in ("dimension", "count")) or not isinstance(
            meta.get("model"), str
        ):
            return None, f"its metadata file {meta_path.name} lacks the model, dimension or count"
        try:
            index = faiss.read_index(str(path))
        except Exception as err:  # noqa: BLE001 - any unreadable index is rebuilt the same way
            return None, f"the index file cannot be read ({err})"
        if not isinstance(index, faiss.IndexIDMap2 | faiss.IndexIVFScalarQuantizer):
            return None, "the index file is not one of ours"
        if index.d != meta["dimension"] or index.ntotal != meta["count"]:
            return None, "the index file does not match its metadata"
        loaded = cls(index.d, meta["model"], index, nprobe=nprobe)
        loaded.generation = meta.get("generation")
        return loaded, ""

    @staticmethod
    def saved_generation(meta_path: Path) -> str | None:
        """The generation the sidecar records (cheap: tells whether the file changed since it
        was loaded); a marker string when it cannot be read."""
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "<unreadable>"
        return meta.get("generation") if isinstance(meta, dict) else "<unreadable>"

    def check(self, store_ids: np.ndarray, model: str, kind: str | None = None) -> str:
        """Why this index is out of step with the store, or '' when it is in step."""
        if self.model != model:
            return f"it was built with model {self.model!r}, not {model!r}"
        if kind is not None and self.kind != kind:
            return f"it is a {self.kind} index and {len(store_ids)} passages call for {kind}"
        if self.size != len(store_ids):
            return f"it holds {self.size} vectors but the store has {len(store_ids)} passages"
        if not np.array_equal(self.ids(), store_ids):
            return "its passage ids differ from the store's"
        return ""
