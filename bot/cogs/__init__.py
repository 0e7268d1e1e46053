"""One cog per feature: asking, looking up sources, moderating articles, per-server settings."""

from .ask import Ask
from .config import Config
from .moderation import Moderation
from .sources import Sources

COGS = (Ask, Sources, Moderation, Config)

__all__ = ["COGS", "Ask", "Config", "Moderation", "Sources"]
