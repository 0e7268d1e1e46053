import numpy as np

from retrieval.highlight import best_sentences, sentences


def test_sentences_keep_abbreviations_and_quotes():
    text = 'U.S. officials met Mr. Smith on Jan. 5. "We agreed," he said. Talks resume in May.'
    assert sentences(text) == [
        "U.S. officials met Mr. Smith on Jan. 5.",
        '"We agreed," he said.',
        "Talks resume in May.",
    ]


def test_clear_lexical_winner_needs_no_encoding_and_ties_are_encoded():
    encoded: list[list[str]] = []

    def encode(texts):
        encoded.append(list(texts))
        # "b" points the question's way, everything else away from it
        return np.array([[1.0, 0.0] if "b" in t else [0.0, 1.0] for t in texts])

    def coverages(texts):
        return [1.0 if "800" in t else 0.0 for t in texts]

    question = np.array([1.0, 0.0])
    texts = ["First one. Russia lost 800 men. Third one.", "Only sentence here.", "Sentence a. Sentence b."]
    assert best_sentences(question, texts, encode, coverages) == [
        "Russia lost 800 men.",
        "Only sentence here.",
        "Sentence b.",
    ]
    assert encoded == [["Sentence a.", "Sentence b."]]  # only the tied passage was encoded
