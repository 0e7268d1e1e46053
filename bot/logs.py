"""The bot's log, for people and for log collectors: a timestamp on every line, plain text or one
JSON object a line, and discord.py's reconnect attempts cut from an ERROR with a traceback to one
WARNING line that says why and when the next attempt is."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

import discord

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _timestamp(record: logging.LogRecord) -> str:
    """ISO 8601 with milliseconds and the UTC offset, so lines from several hosts sort and compare."""
    return dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _timestamp(record)


class JsonFormatter(logging.Formatter):
    """One object a line: time, level, logger, message, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def describe(err: BaseException) -> str:
    """ "ClientConnectorError: Cannot connect to host …", on one line and not too long."""
    text = " ".join(str(err).split())
    name = type(err).__name__
    return f"{name}: {text[:300]}" if text else name


class DiscordNoise(logging.Filter):
    """discord.py logs each failed reconnect, and each autocomplete answer Discord no longer
    wanted, with `log.exception`; the traceback says nothing a person can act on, so the record
    becomes one WARNING line with the reason. Its warning that voice is unsupported (the bot has
    no voice) is dropped: it would come with every restart."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "voice will NOT be supported" in record.msg:
            return False
        if isinstance(record.msg, str) and record.msg.startswith("Ignoring exception in autocomplete"):
            # Suggestions that came too late (Discord allows three seconds): nothing to fix.
            if record.exc_info and isinstance(record.exc_info[1], discord.HTTPException):
                record.msg = "autocomplete: suggestions for %r were not delivered (%s)"
                record.args = (*(record.args or ("?",))[:1], describe(record.exc_info[1]))
                record.levelno, record.levelname = logging.WARNING, "WARNING"
                record.exc_info = record.exc_text = None
            return True
        if isinstance(record.msg, str) and record.msg.startswith("Attempting a reconnect in"):
            reason = describe(record.exc_info[1]) if record.exc_info and record.exc_info[1] else "connection lost"
            delay = record.args[0] if isinstance(record.args, tuple) and record.args else 0.0
            record.msg, record.args = "gateway: reconnect failed (%s); next attempt in %.1f s", (reason, delay)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


class _BotHandler(logging.StreamHandler):
    """Ours, so a second `configure` replaces it instead of adding another. Without a stream of
    its own it writes to whatever `sys.stderr` is at the time of each line."""

    def __init__(self, stream=None):
        super().__init__(stream)
        self._own = stream

    @property
    def stream(self):  # type: ignore[override]
        return self._own if self._own is not None else sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        self._own = value


_NOISE = DiscordNoise()
NOISY_LOGGERS = ("discord.client", "discord.app_commands.tree")


def configure(level: str = "INFO", fmt: str = "text", stream=None) -> None:
    """Route every log line through one handler on stderr in the chosen format.

    Replaces the command line's plain handler (no timestamps) but leaves other handlers, such as
    a test's capture, in place."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) in (logging.StreamHandler, _BotHandler):
            root.removeHandler(handler)
    handler = _BotHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("bot").setLevel(level)
    logging.getLogger("discord").setLevel(logging.WARNING)
    for name in NOISY_LOGGERS:
        if _NOISE not in logging.getLogger(name).filters:
            logging.getLogger(name).addFilter(_NOISE)
