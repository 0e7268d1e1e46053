"""coverage-bot's Discord front end: a thin adapter that turns interactions into `retrieval`
calls and results into embeds. Build it with `create_bot(settings, engine)`."""

from .client import CoverageBot, create_bot

__all__ = ["CoverageBot", "create_bot"]
