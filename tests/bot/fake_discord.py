"""Discord minus the network: raw gateway/interaction payloads in, recorded HTTP requests out.

Only the two functions through which discord.py sends every request are replaced
(`HTTPClient.request` for the bot API, `AsyncWebhookAdapter.request` for interaction responses and
follow-ups), plus `HTTPClient.get_from_cdn` for attachment downloads. Everything between a payload
and a request (option parsing, checks, cooldowns, views, the error handler) is the real library.
This reaches into discord.py internals, so pyproject pins discord.py to 2.7.x.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import discord
from discord.http import HTTPClient, Route
from discord.webhook.async_ import AsyncWebhookAdapter

APP_ID = 900000000000000001
BOT_USER = {
    "id": str(APP_ID),
    "username": "coverage-bot",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
}
GUILD_A = 910000000000000001
GUILD_B = 920000000000000002
CHANNEL_A = 911000000000000001  # general in A
QA_CHANNEL_A = 911000000000000002  # becomes a Q&A channel in tests
CHANNEL_B = 921000000000000001
DM_CHANNEL = 930000000000000001
MOD_ROLE = 912000000000000001

MEMBER_PERMS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    read_message_history=True,
    use_application_commands=True,
    create_public_threads=True,
)
MOD_PERMS = MEMBER_PERMS | discord.Permissions(manage_messages=True)
ADMIN_PERMS = MOD_PERMS | discord.Permissions(manage_guild=True)

_ids = itertools.count(1)


def snowflake() -> int:
    """Fresh ids that decode to now, as Discord's do (cooldowns read created_at from them)."""
    return discord.utils.time_snowflake(dt.datetime.now(dt.UTC)) + next(_ids)


def user(uid: int, name: str) -> dict:
    return {"id": str(uid), "username": name, "discriminator": "0", "global_name": name, "avatar": None}


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def channel_payload(cid: int, guild_id: int, name: str) -> dict:
    return {
        "id": str(cid),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def guild_payload(gid: int, name: str, channels: list[tuple[int, str]]) -> dict:
    everyone = {
        "id": str(gid),
        "name": "@everyone",
        "permissions": str(MEMBER_PERMS.value),
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    mods = {**everyone, "id": str(MOD_ROLE), "name": "Fact checkers", "position": 1}
    return {
        "id": str(gid),
        "name": name,
        "icon": None,
        "owner_id": "1",
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [everyone, mods] if gid == GUILD_A else [everyone],
        "members": [],
        "channels": [channel_payload(c, gid, n) for c, n in channels],
        "threads": [],
        "member_count": 3,
        "unavailable": False,
        "large": False,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "system_channel_flags": 0,
        "nsfw_level": 0,
    }


@dataclass
class Sent:
    """One request the bot made, reduced to what a test asserts on."""

    method: str
    path: str
    payload: Any
    kind: str  # "callback", "followup", "edit", "channel", "thread", "commands", "refused", "other"
    message_id: int | None = None
    message: dict | None = None

    @property
    def body(self) -> dict:
        """The message part: `data` of an interaction callback, else the payload itself."""
        if self.kind == "callback":
            return (self.payload or {}).get("data") or {}
        return self.payload if isinstance(self.payload, dict) else {}

    @property
    def type(self) -> int | None:
        return (self.payload or {}).get("type") if self.kind == "callback" else None

    @property
    def content(self) -> str:
        return self.body.get("content") or ""

    @property
    def embeds(self) -> list[dict]:
        return self.body.get("embeds") or []

    @property
    def embed(self) -> dict:
        return self.embeds[0]

    @property
    def ephemeral(self) -> bool:
        return bool((self.body.get("flags") or 0) & 64)

    @property
    def buttons(self) -> list[dict]:
        return [c for row in self.body.get("components") or [] for c in row.get("components", []) if c.get("type") == 2]

    def button(self, label: str) -> dict:
        found = [b for b in self.buttons if b.get("label", "").startswith(label)]
        assert found, f"no button {label!r} in {[b.get('label') for b in self.buttons]}"
        return found[0]

    @property
    def text(self) -> str:
        """Everything a reader sees: content and every embed part."""
        parts = [self.content]
        for e in self.embeds:
            parts += [e.get("title") or "", e.get("description") or "", (e.get("footer") or {}).get("text", "")]
            parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields", [])]
        return "\n".join(parts)


@dataclass
class FakeDiscord:
    """Records the bot's requests and answers them as Discord would."""

    sent: list[Sent] = field(default_factory=list)
    messages: dict[int, dict] = field(default_factory=dict)
    cdn: dict[str, bytes] = field(default_factory=dict)
    reject_token: bool = False
    #: (status, Discord error code) for the next channel posts, refused in order.
    refuse_posts: list[tuple[int, int]] = field(default_factory=list)

    def install(self, monkeypatch) -> None:
        fake = self

        async def http_request(self_, route: Route, *, files=None, form=None, **kwargs):
            return fake.bot_api(route, kwargs.get("json"), form)

        async def webhook_request(self_, route: Route, session, *, payload=None, multipart=None, **kwargs):
            return fake.webhook_api(route, payload, multipart)

        async def get_from_cdn(self_, url: str) -> bytes:
            return fake.cdn[url]

        monkeypatch.setattr(HTTPClient, "request", http_request)
        monkeypatch.setattr(AsyncWebhookAdapter, "request", webhook_request)
        monkeypatch.setattr(HTTPClient, "get_from_cdn", get_from_cdn)

    # -- answers -----------------------------------------------------------------------------------
    def message(self, channel_id: int | None, body: dict, guild_id: int | None = None) -> dict:
        mid = snowflake()
        msg = {
            "id": str(mid),
            "channel_id": str(channel_id or 0),
            "author": BOT_USER,
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
            "components": body.get("components") or [],
        }
        if guild_id:
            msg["guild_id"] = str(guild_id)
        self.messages[mid] = msg
        return msg

    def _record(self, route: Route, payload: Any, kind: str, msg: dict | None = None) -> Sent:
        sent = Sent(route.method, route.path, payload, kind, int(msg["id"]) if msg else None, msg)
        self.sent.append(sent)
        return sent

    def bot_api(self, route: Route, payload: Any, form: Any) -> Any:
        if form:  # multipart: the JSON part carries the message
            import json

            payload = json.loads(next(f["value"] for f in form if f["name"] == "payload_json"))
        path = route.path
        if path == "/users/@me":
            if self.reject_token:
                raise discord.HTTPException(_Response(401), {"message": "401: Unauthorized", "code": 0})
            return BOT_USER
        if path == "/oauth2/applications/@me":
            return {
                "id": str(APP_ID),
                "name": "coverage-bot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": user(1, "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
            }
        if path.endswith("/commands") and route.method == "PUT":
            self._record(route, payload, "commands")
            return [{**c, "id": str(snowflake()), "application_id": str(APP_ID), "version": "1"} for c in payload]
        if path == "/channels/{channel_id}/typing":
            return None
        if path == "/channels/{channel_id}/messages" and route.method == "POST":
            if self.refuse_posts:
                status, code = self.refuse_posts.pop(0)
                self._record(route, payload, "refused")
                kind = {403: discord.Forbidden, 404: discord.NotFound}.get(status, discord.HTTPException)
                raise kind(_Response(status), {"message": f"{status}: refused by the test", "code": code})
            msg = self.message(route.channel_id, payload)
            self._record(route, payload, "channel", msg)
            return msg
        if path == "/channels/{channel_id}/messages/{message_id}/threads":
            tid = snowflake()
            self._record(route, payload, "thread")
            return {
                "id": str(tid),
                "type": 11,
                "guild_id": str(GUILD_A),
                "parent_id": str(route.channel_id),
                "name": payload["name"],
                "owner_id": str(APP_ID),
                "message_count": 0,
                "member_count": 1,
                "rate_limit_per_user": 0,
                "flags": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": now_iso(),
                    "locked": False,
                },
            }
        self._record(route, payload, "other")
        return None

    def webhook_api(self, route: Route, payload: Any, multipart: Any) -> Any:
        path = route.path
        if path.endswith("/callback"):
            body = (payload or {}).get("data") or {}
            rtype = payload["type"]
            msg = self.message(None, body) if rtype in (4, 5, 7) else None
            self._record(route, payload, "callback", msg)
            interaction = {
                "id": str(route.webhook_id),
                "type": 2,
                "response_message_loading": rtype == 5,
                "response_message_ephemeral": bool((body.get("flags") or 0) & 64),
            }
            if msg is None:
                return {"interaction": interaction}
            interaction["response_message_id"] = msg["id"]
            return {"interaction": interaction, "resource": {"type": rtype, "message": msg}}
        if route.method == "POST":  # a follow-up message
            msg = self.message(None, payload or {})
            self._record(route, payload, "followup", msg)
            return msg
        if route.method == "PATCH":
            msg = self.message(None, payload or {})
            self._record(route, payload, "edit", msg)
            return msg
        self._record(route, payload, "other")
        return self.message(None, {})


class _Response:
    """Enough of an aiohttp response for discord.HTTPException."""

    def __init__(self, status: int):
        self.status = status
        self.reason = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}.get(status, "Bad Request")


class Harness:
    """A real bot, logged in to the fake Discord, driven by raw payloads on its own event loop."""

    def __init__(self, bot, fake: FakeDiscord, loop: asyncio.AbstractEventLoop):
        self.bot, self.fake, self.loop = bot, fake, loop
        self.users = {
            "member": user(101, "reader"),
            "mod": user(102, "moderator"),
            "admin": user(103, "admin"),
            "other": user(104, "second-reader"),
            "rolemod": user(105, "role-mod"),
        }

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    async def drain(self) -> None:
        """Wait for every task the dispatch started, but not timers (view timeouts, delete_after)."""
        for _ in range(200):
            current = asyncio.current_task()
            pending = [t for t in asyncio.all_tasks() if t is not current and not t.done() and not _sleeper(t)]
            if not pending:
                return
            await asyncio.wait(pending, timeout=60)
        raise AssertionError("the bot kept starting tasks")

    def _dispatch(self, payload: dict) -> list[Sent]:
        before = len(self.fake.sent)

        async def go():
            self.bot._connection.parse_interaction_create(payload)
            await self.drain()

        self.run(go())
        return self.fake.sent[before:]

    # -- payloads ------------------------------------------------------------------------------------
    def _base(
        self,
        itype: int,
        who: str,
        guild: int | None,
        channel: int | None,
        perms: discord.Permissions | None,
        roles: list[int] | None = None,
    ) -> dict:
        iid = snowflake()
        payload: dict = {
            "id": str(iid),
            "application_id": str(APP_ID),
            "type": itype,
            "token": f"tok{iid}",
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 25 << 20,
            "app_permissions": str(discord.Permissions.all().value),
        }
        if guild is None:
            payload.update(
                user=self.users[who],
                context=1,
                authorizing_integration_owners={"0": "0"},
                channel={"id": str(DM_CHANNEL), "type": 1, "recipients": [self.users[who]]},
            )
            return payload
        if perms is None:
            perms = {
                "member": MEMBER_PERMS,
                "other": MEMBER_PERMS,
                "rolemod": MEMBER_PERMS,
                "mod": MOD_PERMS,
                "admin": ADMIN_PERMS,
            }[who]
        if roles is None:
            roles = [MOD_ROLE] if who == "rolemod" else []
        channel = channel or (CHANNEL_A if guild == GUILD_A else CHANNEL_B)
        payload.update(
            guild_id=str(guild),
            guild_locale="en-US",
            context=0,
            authorizing_integration_owners={"0": str(guild)},
            channel={**channel_payload(channel, guild, "general"), "permissions": str(perms.value)},
            member={
                "user": self.users[who],
                "roles": [str(r) for r in roles],
                "joined_at": now_iso(),
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": str(perms.value),
            },
        )
        return payload

    def _options(self, path: list[str], values: dict, resolved: dict, focused: str | None = None) -> tuple[dict, list]:
        """Turn `name=value` into Discord's option list, typed from the real command tree."""
        command = self.bot.tree.get_command(path[0])
        assert command is not None, f"no /{path[0]}"
        for part in path[1:]:
            command = command.get_command(part)
        options = []
        for name, value in values.items():
            param = command.get_parameter(name)
            kind = param.type.value
            if isinstance(value, discord.Role):
                value = str(value.id)
            opt = {"name": name, "type": kind, "value": value}
            if name == focused:
                opt["focused"] = True
            options.append(opt)
        for depth in range(len(path) - 1, 0, -1):
            options = [{"name": path[depth], "type": 1 if depth == len(path) - 1 else 2, "options": options}]
        return {
            "id": str(snowflake()),
            "name": path[0],
            "type": 1,
            "options": options,
            **({"resolved": resolved} if resolved else {}),
        }, options

    def slash(
        self,
        command: str,
        *,
        who: str = "member",
        guild: int | None = GUILD_A,
        channel: int | None = None,
        perms: discord.Permissions | None = None,
        roles: list[int] | None = None,
        resolved: dict | None = None,
        **values,
    ) -> list[Sent]:
        """Run `/command sub ... name=value` as `who` and return what the bot sent."""
        payload = self._base(2, who, guild, channel, perms, roles)
        payload["data"], _ = self._options(command.split(), values, resolved or {})
        return self._dispatch(payload)

    def autocomplete(
        self, command: str, focused: str, *, who: str = "member", guild: int | None = GUILD_A, **values
    ) -> list[Sent]:
        payload = self._base(4, who, guild, None, None)
        payload["data"], _ = self._options(command.split(), values, {}, focused)
        return self._dispatch(payload)

    def click(
        self,
        sent: Sent,
        label: str,
        *,
        who: str = "member",
        guild: int | None = GUILD_A,
        perms: discord.Permissions | None = None,
    ) -> list[Sent]:
        """Press a button on a message the bot sent."""
        button = sent.button(label)
        payload = self._base(3, who, guild, None, perms)
        message = dict(sent.message or {})
        message["components"] = sent.body.get("components") or []
        payload["message"] = message
        payload["data"] = {"custom_id": button["custom_id"], "component_type": 2}
        return self._dispatch(payload)

    def submit(
        self,
        modal: Sent,
        values: dict[str, str],
        *,
        who: str = "mod",
        guild: int | None = GUILD_A,
        perms: discord.Permissions | None = None,
    ) -> list[Sent]:
        """Fill in a modal the bot opened (inputs found by their label) and submit it."""
        assert modal.type == 9, "not a modal"
        data = modal.body
        rows = []
        for row in data["components"]:
            inner = row.get("component") or row["components"][0]
            label = row.get("label") or inner.get("label")
            value = values.get(label, inner.get("value") or "")
            answer = {"type": 4, "custom_id": inner["custom_id"], "value": value}
            rows.append(
                {"type": row["type"], "component": answer} if row["type"] == 18 else {"type": 1, "components": [answer]}
            )
        payload = self._base(5, who, guild, None, perms)
        payload["data"] = {"custom_id": data["custom_id"], "components": rows}
        return self._dispatch(payload)

    def message(
        self,
        content: str,
        *,
        who: str = "member",
        guild: int | None = GUILD_A,
        channel: int | None = None,
        mentions_bot: bool = False,
        everyone: bool = False,
    ) -> list[Sent]:
        """A MESSAGE_CREATE from the gateway."""
        mid = snowflake()
        author = self.users[who]
        data = {
            "id": str(mid),
            "channel_id": str(channel or (CHANNEL_A if guild else DM_CHANNEL)),
            "author": author,
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": everyone,
            "mentions": [BOT_USER] if mentions_bot else [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        if guild:
            data["guild_id"] = str(guild)
            data["member"] = {"roles": [], "joined_at": now_iso(), "deaf": False, "mute": False, "flags": 0}
        before = len(self.fake.sent)

        async def go():
            self.bot._connection.parse_message_create(data)
            await self.drain()

        self.run(go())
        return self.fake.sent[before:]


def _sleeper(task: asyncio.Task) -> bool:
    if task.get_name() == "coverage-bot feed poller":  # runs for the bot's life; tests await its cycles
        return True
    name = getattr(task.get_coro(), "__qualname__", "")
    return "timeout_task_impl" in name or name.endswith("delete.<locals>.delete")
