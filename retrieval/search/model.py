"""The fitted ranking model: a linear score over passage signals, turned into a calibrated
probability that the passage answers the question.

Two parts, both fitted by `benchmarks/fit_ranker.py` on real questions and stored in
`ranker.json` beside this file; here they are only evaluated (numpy, no training library):

1. **order**: s = w · standardised(passage signals), fitted listwise (softmax over each
   answerable question's candidates), so it learns which passage of the pool answers;
2. **relevance**: p = σ(a · [s, s − max s, question signals] + b), fitted on held-out scores
   of every question, answerable or not, so that of passages shown with relevance 0.8 about
   80% answer. Within one question p rises with s, so both parts agree on the order.

An answer is declined when no candidate reaches `threshold`, chosen on held-out questions for
precision (docs/quality.md says how).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SettingsError
from .signals import PASSAGE_SIGNALS, QUESTION_SIGNALS

DEFAULT_PATH = Path(__file__).with_name("ranker.json")
CALIBRATION_INPUTS = ("score", "score_gap", *QUESTION_SIGNALS)


@dataclass
class Linear:
    """w · ((x − mean) / scale) + bias."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float = 0.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def to_json(self) -> dict:
        return {
            "names": list(self.names),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "weights": [round(float(v), 6) for v in self.weights],
            "bias": round(float(self.bias), 6),
        }

    @classmethod
    def from_json(cls, data: dict, expected: tuple[str, ...]) -> Linear:
        names = tuple(data["names"])
        if names != expected:
            raise ValueError(f"fitted for signals {list(names)}, this code computes {list(expected)}")
        arrays = [np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "weights")]
        if any(a.shape != (len(names),) for a in arrays) or not (arrays[1] > 0).all():
            raise ValueError("the fitted arrays do not match the signals")
        return cls(names, *arrays, bias=float(data.get("bias", 0.0)))


@dataclass
class Ranker:
    order: Linear
    relevance: Linear
    threshold: float  # decline unless a candidate reaches this
    floor: float  # further passages shown only from this relevance
    provenance: dict

    def scores(self, passage: np.ndarray) -> np.ndarray:
        return self.order(passage)

    def probabilities(self, scores: np.ndarray, question: np.ndarray) -> np.ndarray:
        """Calibrated relevance of each candidate, from its order score and the question's signals."""
        if len(scores) == 0:
            return np.zeros(0)
        inputs = np.column_stack([scores, scores - scores.max(), np.tile(question, (len(scores), 1))])
        return 1.0 / (1.0 + np.exp(-np.clip(self.relevance(inputs), -40, 40)))

    def to_json(self) -> dict:
        return {
            "format": 1,
            "order": self.order.to_json(),
            "relevance": self.relevance.to_json(),
            "threshold": round(self.threshold, 4),
            "floor": round(self.floor, 4),
            "provenance": self.provenance,
        }

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> Ranker:
        try:
            data = json.loads(Path(path).read_text("utf-8"))
            return cls(
                Linear.from_json(data["order"], PASSAGE_SIGNALS),
                Linear.from_json(data["relevance"], CALIBRATION_INPUTS),
                float(data["threshold"]),
                float(data.get("floor", data["threshold"])),
                dict(data.get("provenance", {})),
            )
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise SettingsError(
                f"cannot use the ranking model {path} ({err}); refit it with benchmarks/fit_ranker.py"
            ) from err

    def save(self, path: Path = DEFAULT_PATH) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n", "utf-8")


_loaded: dict[str, Ranker] = {}


def default_ranker(path: Path | None = None) -> Ranker:
    """The packaged model (or another file), loaded once per process."""
    key = str(path or DEFAULT_PATH)
    if key not in _loaded:
        _loaded[key] = Ranker.load(Path(key))
    return _loaded[key]
