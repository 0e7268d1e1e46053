"""coverage-bot's retrieval library: parse → store → embed → index → rank → answer.

No Discord here; the CLI and the bot are thin adapters over `Engine`.
"""

from .embed import Encoder
from .engine import GLOBAL, Engine
from .errors import BadQuestion, BadSource, CoverageError, FetchError, NotFound, SettingsError
from .models import Answer, Article, Comparison, Hit, IngestReport, ParsedArticle, Passage
from .settings import Settings

__all__ = [
    "GLOBAL",
    "Answer",
    "Article",
    "BadQuestion",
    "BadSource",
    "Comparison",
    "CoverageError",
    "Encoder",
    "Engine",
    "FetchError",
    "Hit",
    "IngestReport",
    "NotFound",
    "ParsedArticle",
    "Passage",
    "Settings",
    "SettingsError",
]
