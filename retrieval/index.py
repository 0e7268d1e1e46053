"""The FAISS index of passage vectors, keyed by the store's passage ids.

`IndexIDMap2` over an exact inner-product index: ids are the store's, so removal and lookup
need no side table. The file is written atomically (temporary file, then rename) with a JSON
sidecar naming the model and dimension, which `check` compares with the store on start.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)

INDEX_TYPE = "Flat (exact inner product)"


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class VectorIndex:
    """Passage vectors in FAISS, with ids equal to passage ids."""

    def __init__(self, dimension: int, model: str, index: faiss.Index | None = None):
        self.dimension = dimension
        self.model = model
        self.index = index or faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        return np.sort(faiss.vector_to_array(self.index.id_map).astype(np.int64))

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
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return np.zeros(0, np.float32), np.zeros(0, np.int64)
            if len(allowed) < self.size:
                params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, np.int64)))
        k = min(k, self.size)
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    # -- files ------------------------------------------------------------------------------
    def save(self, path: Path, meta_path: Path) -> None:
        _atomic_write(path, lambda tmp: faiss.write_index(self.index, tmp))
        meta = {"model": self.model, "dimension": self.dimension, "count": self.size, "type": INDEX_TYPE}
        _atomic_write(meta_path, lambda tmp: Path(tmp).write_text(json.dumps(meta, indent=1)))

    @classmethod
    def load(cls, path: Path, meta_path: Path) -> tuple[VectorIndex | None, str]:
        """The saved index, or None and the reason it cannot be used."""
        if not path.exists():
            return None, "the index file is missing"
        try:
            meta = json.loads(meta_path.read_text())
            index = faiss.read_index(str(path))
        except Exception as err:
            return None, f"the index file cannot be read ({err})"
        if not isinstance(index, faiss.IndexIDMap2):
            return None, "the index file is not an id-mapped index"
        if index.d != meta.get("dimension") or index.ntotal != meta.get("count"):
            return None, "the index file does not match its metadata"
        return cls(index.d, meta.get("model", "?"), index), ""

    def check(self, store_ids: np.ndarray, model: str, dimension: int | None) -> str:
        """Why this index is out of step with the store, or '' when it is in step."""
        if self.model != model:
            return f"it was built with model {self.model!r}, not {model!r}"
        if dimension is not None and self.dimension != dimension:
            return f"its dimension is {self.dimension}, the model's is {dimension}"
        if self.size != len(store_ids):
            return f"it holds {self.size} vectors but the store has {len(store_ids)} passages"
        if not np.array_equal(self.ids(), store_ids):
            return "its passage ids differ from the store's"
        return ""
