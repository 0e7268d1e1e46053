"""The fast encoder: the same sentence-transformers model, exported once to ONNX with dynamic
int8 quantization, and run with onnxruntime and tokenizers alone.

The export uses sentence-transformers' ONNX backend (optimum) and happens once, offline, into
the model cache folder. Answering questions afterwards never imports torch or
sentence-transformers, which is what keeps a cold CLI start short (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import re
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .errors import SettingsError

log = logging.getLogger(__name__)

_export_lock = threading.Lock()
EXPORTING = ".tmp-"  # in the name of an export folder still being written


def quantization_target() -> str:
    """The optimum quantization preset: arm64 on ARM, else avx512_vnni (signed int8), which
    also ran faster than the avx2 preset on this project's AVX2-only machine (docs/quality.md)."""
    return "arm64" if platform.machine().lower() in {"arm64", "aarch64"} else "avx512_vnni"


def model_file(folder: Path) -> Path | None:
    """The quantized model in an export folder (its name depends on the preset)."""
    found = sorted((folder / "onnx").glob(f"model_*int8_{quantization_target()}.onnx"))
    return found[0] if found else None


def export_folder(cache_dir: Path, model: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model).strip("_")[-80:]
    return cache_dir / f"{slug}-onnx-int8-{quantization_target()}"


def stray_exports(cache_dir: Path, age: float = 3600.0) -> list[Path]:
    """Exports a killed process left half-made. Exports do not take the store's write lock (a
    store is not needed to make one), so only those untouched for `age` seconds count: a live
    export finishes in well under a minute."""
    cutoff = time.time() - age
    return [p for p in cache_dir.glob(f"*{EXPORTING}*") if p.stat().st_mtime < cutoff]


def export(source: str, folder: Path) -> Path:
    """Export `source` (a sentence-transformers path or name) to `folder`; returns the model file."""
    from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model
    from transformers.utils import logging as hf_logging

    target = quantization_target()
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=folder.name + EXPORTING))
    try:
        log.info("exporting the model to ONNX int8 (%s) in %s; this happens once", target, folder)
        # The exporter's own advice (save next to the source, tracer caveats) is noise here.
        st_logger = logging.getLogger("sentence_transformers")
        level = st_logger.level
        st_logger.setLevel(logging.ERROR)
        hf_level = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = SentenceTransformer(source, backend="onnx", device="cpu")
                model.save_pretrained(str(tmp))
                export_dynamic_quantized_onnx_model(model, target, str(tmp))
        finally:
            st_logger.setLevel(level)
            hf_logging.set_verbosity(hf_level)
        (tmp / "onnx" / "model.onnx").unlink(missing_ok=True)  # the fp32 export is not used
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    file = model_file(folder)
    if file is None:
        raise RuntimeError(f"the export left no int8 model in {folder}")
    return file


class OnnxEncoder:
    """Same interface as `Encoder`: normalised float32 vectors.

    Texts go one at a time by default: dynamic quantization scales activations per batch, so in
    a padded batch a text's vector depends on its neighbours; alone it is always the same, and
    with no padding to compute it was also faster here (114 against 68 paragraphs/s)."""

    def __init__(self, model: str, cache_dir: Path, threads: int = 1, batch_size: int = 1):
        self.name = model
        self.key = f"{model}+onnx-int8"  # vectors differ slightly from fp32: stored separately
        self.cache_dir = cache_dir
        self.threads = threads
        self.batch_size = batch_size
        self.workers = os.cpu_count() or 1
        self._session = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from .embed import resolve_model

        folder = export_folder(self.cache_dir, self.name)
        with _export_lock:
            file = model_file(folder)
            if file is None:
                try:
                    file = export(resolve_model(self.name), folder)
                except Exception as err:
                    raise SettingsError(
                        f"cannot export {self.name!r} to ONNX ({err}); set COVERAGE_BOT_ENCODER=torch to use it as is"
                    ) from err
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        self.pooling = pooling.get("pooling_mode") or ("cls" if pooling.get("pooling_mode_cls_token") else "mean")
        if self.pooling not in {"mean", "cls"}:
            raise SettingsError(f"{self.name!r} pools by {self.pooling}; set COVERAGE_BOT_ENCODER=torch for it")
        max_length = 256
        config = folder / "sentence_bert_config.json"
        if config.exists():
            max_length = int(json.loads(config.read_text()).get("max_seq_length") or max_length)
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length)
        tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in session.get_inputs()}
        self._tokenizer = tokenizer
        self.dimension_ = int(session.get_outputs()[0].shape[-1])
        self._session = session

    @property
    def session(self):
        with self._lock:
            if self._session is None:
                self._load()
        return self._session

    @property
    def dimension(self) -> int:
        _ = self.session
        return self.dimension_

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        session = self.session
        if not texts:
            return np.zeros((0, self.dimension_), dtype=np.float32)
        chunks = [list(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        workers = min(self.workers, len(chunks))
        if workers <= 1 or len(chunks) < 8:  # a thread pool costs more than a few short texts
            return np.vstack([self._batch(session, chunk) for chunk in chunks])
        # Many texts (an ingest): one single-threaded run per core at once. onnxruntime releases
        # the GIL while it runs, and each text's vector stays what it would be alone.
        with ThreadPoolExecutor(workers) as pool:
            return np.vstack(list(pool.map(lambda chunk: self._batch(session, chunk), chunks)))

    def _batch(self, session, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        tokens = session.run(None, feeds)[0]
        if self.pooling == "cls":
            vectors = tokens[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            vectors = (tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return np.ascontiguousarray(vectors, dtype=np.float32)
