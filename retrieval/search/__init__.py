"""The life of a question: candidates (both indexes) → signals → score → answer.

The life of an article (parse, store, embed, index) is `retrieval.engine`; front ends hold an
`Engine`, whose `ask`, `quote` and `compare` hand the question to the `Searcher` here.
"""

from .answer import Searcher
from .candidates import Candidate

__all__ = ["Candidate", "Searcher"]
