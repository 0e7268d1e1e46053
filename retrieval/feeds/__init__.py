"""Following outlets' RSS and Atom feeds: new items become articles through `Engine.add`.

`parse` reads a feed's bytes, `store` keeps feeds and the items seen in them, `poll` checks
feeds politely and turns items into articles. No Discord here: front ends announce.
"""

from .parse import FeedError, FeedItem, ParsedFeed, read_feed
from .poll import MIN_INTERVAL, Announcement, FeedAdded, Feeds, ItemOutcome, PollResult
from .store import Feed

__all__ = [
    "MIN_INTERVAL",
    "Announcement",
    "Feed",
    "FeedAdded",
    "FeedError",
    "FeedItem",
    "Feeds",
    "ItemOutcome",
    "ParsedFeed",
    "PollResult",
    "read_feed",
]
