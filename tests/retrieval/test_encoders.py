"""The int8 ONNX encoder against the fp32 torch encoder it was exported from."""

import numpy as np

from retrieval import Encoder
from retrieval.onnx_encoder import OnnxEncoder
from tests.conftest import ROOT

SAMPLES = [
    "How many soldiers did Russia lose, according to Trump?",
    "Who won the 2022 football World Cup?",
    "what did the kremlin say about talks",
    *(ROOT / "seeds" / "000_1696f38fa888702a.txt").read_text().splitlines()[:11],
]


def test_onnx_int8_agrees_with_torch(encoder):
    assert isinstance(encoder, OnnxEncoder)  # the default
    fast = encoder.encode(SAMPLES)
    exact = Encoder().encode(SAMPLES)
    assert fast.shape == exact.shape == (len(SAMPLES), 384)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    cosines = (fast * exact).sum(axis=1)
    # Measured here: mean 0.991, lowest 0.976 over 185 news paragraphs (docs/quality.md).
    assert cosines.mean() >= 0.99
    assert cosines.min() >= 0.97
    # What matters for answers: both put the same paragraph first for a question.
    assert np.argmax(fast[3:] @ fast[0]) == np.argmax(exact[3:] @ exact[0])


def test_batches_and_single_texts_give_the_same_vectors(encoder):
    one = np.vstack([encoder.encode([t]) for t in SAMPLES[:4]])
    batch = encoder.encode(SAMPLES[:4])
    assert np.allclose(one, batch, atol=1e-4)
