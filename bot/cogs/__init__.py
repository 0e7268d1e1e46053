"""One cog per feature: asking, looking up sources, moderating articles, following feeds,
per-server settings."""

from .ask import Ask
from .config import Config
from .feeds import Feeds
from .moderation import Moderation
from .sources import Sources

COGS = (Ask, Sources, Moderation, Feeds, Config)

__all__ = ["COGS", "Ask", "Config", "Feeds", "Moderation", "Sources"]
