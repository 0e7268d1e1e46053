"""The life of a question: candidates (both indexes) → signals → model → answer.

The life of an article (parse, store, embed, index) is `retrieval.engine`; front ends hold an
`Engine`, whose `ask`, `quote` and `compare` hand the question to the `Searcher` here.
"""

from .answer import Searcher

__all__ = ["Searcher"]
