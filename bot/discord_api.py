"""Every call to Discord's HTTP API gets a deadline, and an answer that is not Discord's JSON is an
error rather than data.

discord.py waits up to aiohttp's five minutes per attempt and retries a 500 five times, so a
Discord that hangs would hold a member's answer (or the start-up) for many minutes. The bound
covers one whole call, its retries and short rate-limit waits included; longer rate limits are
refused by discord.py itself (`max_ratelimit_timeout`). Bot API calls go through the client's
`HTTPClient.request`; interaction responses and follow-ups through the webhook adapter, which
discord.py looks up in a context variable so a client can supply its own.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
from discord.http import HTTPClient, Route
from discord.webhook.async_ import AsyncWebhookAdapter, async_context


class DiscordUnavailable(discord.DiscordException):
    """Discord did not answer in time, or answered with something that is not its API's JSON
    (a proxy's error page, say). Worth retrying later; never the member's fault."""


def _check(route: Route, data: Any) -> Any:
    # Discord answers JSON, or nothing at all (204). Text means someone else answered.
    if isinstance(data, str) and data.strip():
        snippet = " ".join(data.split())[:80]
        raise DiscordUnavailable(f"{route.method} {route.path} answered with something other than JSON: {snippet!r}")
    return data


class LastStatus:
    """Remembers the status of the last answer to each request, so a call cut at its deadline
    while discord.py was retrying a 500 says so (an aiohttp trace, given to the client)."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, str], int] = {}
        self.config = aiohttp.TraceConfig()
        self.config.on_request_end.append(self._ended)

    async def _ended(self, session: Any, context: Any, params: aiohttp.TraceRequestEndParams) -> None:
        if len(self.last) > 1000:
            self.last.clear()
        self.last[(params.method, str(params.url).split("?")[0])] = params.response.status

    def why(self, route: Route) -> str:
        status = self.last.pop((route.method, route.url.split("?")[0]), None)
        return f"; its last answer was HTTP {status}" if status else ""


def bound_requests(http: HTTPClient, timeout: float, statuses: LastStatus | None = None) -> None:
    """Give one client's bot API calls a deadline (on this object only, not the class)."""
    request = http.request

    async def bounded(route: Route, **kwargs: Any) -> Any:
        try:
            async with asyncio.timeout(timeout):
                data = await request(route, **kwargs)
        except TimeoutError:
            why = statuses.why(route) if statuses else ""
            raise DiscordUnavailable(f"{route.method} {route.path} got no answer within {timeout:g} s{why}") from None
        return _check(route, data)

    http.request = bounded  # type: ignore[method-assign]


class BoundedWebhookAdapter(AsyncWebhookAdapter):
    """Interaction responses and follow-ups, with the same deadline."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    async def request(self, route: Route, *args: Any, **kwargs: Any) -> Any:
        try:
            async with asyncio.timeout(self.timeout):
                data = await super().request(route, *args, **kwargs)
        except TimeoutError:
            raise DiscordUnavailable(f"{route.method} {route.path} got no answer within {self.timeout:g} s") from None
        return _check(route, data)


def bound_interactions(timeout: float) -> None:
    """For the current task and every task it starts (discord.py dispatches events from it)."""
    async_context.set(BoundedWebhookAdapter(timeout))
