"""One cog per feature: asking, looking up sources, moderating articles, following feeds,
per-server settings, help."""

from .ask import Ask
from .config import Config
from .feeds import Feeds
from .help import Help
from .moderation import Moderation
from .sources import Sources

COGS = (Ask, Sources, Moderation, Feeds, Config, Help)

__all__ = ["COGS", "Ask", "Config", "Feeds", "Help", "Moderation", "Sources"]
