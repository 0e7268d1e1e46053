"""The fitted ranking model: a linear score that orders a question's candidates, and the
calibrated probability that each one answers the question.

Three parts, fitted by `benchmarks/fit_ranker.py` on real questions and stored in `ranker.json`
beside this file; here they are only evaluated (numpy, no training library):

1. **order**: s = w · standardised(passage signals), fitted listwise (softmax over each
   answerable question's candidates) to put the passage that answers first; results are
   shown in this order (its weights on signals.RELEVANCE_ONLY are 0);
2. **relevance**: z = v · standardised([s − max s, passage signals]) + b (all but signals.ORDER_ONLY:
   how old coverage is only orders; whether it fits the moment asked about also counts), a logistic
   regression fitted on each question's first candidates (by s), answerable questions or not,
   on out-of-fold order scores: whether this passage answers at all, which is what declining
   needs (the order model only knows which passage answers best);
3. **calibration**: p = σ(α·z + β) with α > 0, fitted on out-of-fold z of real questions, so
   that the relevance shown is a probability of answering (docs/quality.md's reliability
   tables measure how well it holds). It only rescales z: the probability rises with the
   relevance model's output, never against it.

An answer is declined when no passage shown reaches `threshold`, chosen on out-of-fold
probabilities for precision (docs/quality.md says how).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SettingsError
from .signals import ORDER_ONLY, PASSAGE_SIGNALS

DEFAULT_PATH = Path(__file__).with_name("ranker.json")
#: The relevance model reads every signal but signals.ORDER_ONLY (age, not fit with the moment asked).
_RELEVANCE_COLUMNS = [i for i, name in enumerate(PASSAGE_SIGNALS) if name not in ORDER_ONLY]
RELEVANCE_INPUTS = ("score_gap", *(PASSAGE_SIGNALS[i] for i in _RELEVANCE_COLUMNS))


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
    calibration: tuple[float, float]  # (α, β): p = σ(α·z + β)
    threshold: float  # decline unless a shown passage reaches this
    floor: float  # passages shown only from this relevance
    provenance: dict

    def scores(self, passage: np.ndarray) -> np.ndarray:
        return self.order(passage)

    def probabilities(self, scores: np.ndarray, passage: np.ndarray) -> np.ndarray:
        """Calibrated relevance of each candidate, from its signals and its order score."""
        if len(scores) == 0:
            return np.zeros(0)
        slope, intercept = self.calibration
        return sigmoid(slope * self.relevance(relevance_inputs(scores, passage)) + intercept)

    def to_json(self) -> dict:
        return {
            "format": 1,
            "order": self.order.to_json(),
            "relevance": self.relevance.to_json(),
            "calibration": {"slope": round(self.calibration[0], 6), "intercept": round(self.calibration[1], 6)},
            "threshold": round(self.threshold, 4),
            "floor": round(self.floor, 4),
            "provenance": self.provenance,
        }

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> Ranker:
        try:
            data = json.loads(Path(path).read_text("utf-8"))
            calibration = (float(data["calibration"]["slope"]), float(data["calibration"]["intercept"]))
            if calibration[0] <= 0:
                raise ValueError("the calibration must rise with the relevance")
            return cls(
                Linear.from_json(data["order"], PASSAGE_SIGNALS),
                Linear.from_json(data["relevance"], RELEVANCE_INPUTS),
                calibration,
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


def relevance_inputs(scores: np.ndarray, passage: np.ndarray) -> np.ndarray:
    """What the relevance model reads: how far below the best order score, and the signals."""
    return np.column_stack([scores - scores.max(), passage[:, _RELEVANCE_COLUMNS]])


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


_loaded: dict[str, Ranker] = {}


def default_ranker(path: Path | None = None) -> Ranker:
    """The packaged model (or another file), loaded once per process."""
    key = str(path or DEFAULT_PATH)
    if key not in _loaded:
        _loaded[key] = Ranker.load(Path(key))
    return _loaded[key]
