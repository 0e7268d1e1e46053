"""Undo what the bot's log set-up (bot/logs.py) does to the process's loggers, after a test."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot import logs


@contextmanager
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = list(root.handlers), root.level, logging.getLogger("bot").level, logging.getLogger("discord").level
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in saved[0]:
                root.removeHandler(handler)
        root.setLevel(saved[1])
        logging.getLogger("bot").setLevel(saved[2])
        logging.getLogger("discord").setLevel(saved[3])
        for name in logs.NOISY_LOGGERS:
            logging.getLogger(name).removeFilter(logs._NOISE)
