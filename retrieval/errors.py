"""Errors a user can cause, each with a message written for a person.

Front ends catch `CoverageError` and show `str(error)`: the CLI as one line with exit status 2,
the bot as a short ephemeral reply.
"""


class CoverageError(Exception):
    """Base of every error a user can cause and fix."""


class SettingsError(CoverageError):
    """A setting in the environment or `.env` has a value we cannot use."""


class BadQuestion(CoverageError):
    """The question is empty, too long, or otherwise unusable."""


class BadFilter(CoverageError):
    """A collection, outlet or date filter that can match nothing."""


class BadSource(CoverageError):
    """A file, page or URL could not be turned into an article."""


class UnsupportedSource(BadSource):
    """The file type is not one we read."""


class FetchError(BadSource):
    """A URL could not be fetched safely."""


class HTTPStatusError(FetchError):
    """The server answered an error status. `retry_after` is the wait in seconds it asked for
    (Retry-After on a 429 or 503), so a poller can wait at least that long."""

    def __init__(self, message: str, status: int, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class NotFound(CoverageError):
    """No article, passage or citation with that id in the collections searched."""


class StoreError(CoverageError):
    """The data folder cannot be used as it is: the message says what is wrong and what to do."""


class StoreMissing(StoreError):
    """The store is gone (or empty) from a data folder that held one; nothing is overwritten."""


class StoreDamaged(StoreError):
    """The store file is not a readable SQLite database (truncated, overwritten, corrupt)."""


class StoreReadOnly(StoreError):
    """The command would change the data folder, and it cannot be written."""


class StoreExists(StoreError):
    """`init` was asked for a new store where one already is."""
