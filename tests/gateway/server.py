"""A small Discord for the tests: the REST routes the bot uses and a gateway websocket, served by
aiohttp on 127.0.0.1 in a thread of its own, so the bot under test talks to it through
discord.py's own HTTP client and websocket code, and its event loop is measured alone.

It keeps what a test asserts on (every REST call, heartbeats, identifies and resumes) and takes
faults (`Fault`: a status, a delay, a hang, a body that is not JSON) and gateway tricks (drop the
connection, refuse the next handshakes, invalidate the session, send a malformed event).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.bot.fake_discord import APP_ID, BOT_USER, GUILD_A, channel_payload, guild_payload, user

TOKEN = "test-token"
CHANNEL = 911000000000000001  # "general" in server A (tests.bot.fake_discord.CHANNEL_A)
_ids = itertools.count(1)


def snowflake() -> int:
    now = dt.datetime.now(dt.UTC)
    return ((int(now.timestamp() * 1000) - 1420070400000) << 22) + next(_ids)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str
    body: Any
    at: float
    status: int = 200

    @property
    def content(self) -> str:
        data = self.message_body
        return data.get("content") or ""

    @property
    def message_body(self) -> dict:
        body = self.body if isinstance(self.body, dict) else {}
        return body.get("data") or {} if self.path.endswith("/callback") else body

    @property
    def embeds(self) -> list[dict]:
        return self.message_body.get("embeds") or []

    @property
    def text(self) -> str:
        parts = [self.content]
        for e in self.embeds:
            parts += [e.get("title") or "", e.get("description") or "", (e.get("footer") or {}).get("text", "")]
            parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields", [])]
        return "\n".join(parts)

    @property
    def buttons(self) -> list[dict]:
        rows = self.message_body.get("components") or []
        return [c for row in rows for c in row.get("components", []) if c.get("type") == 2]


@dataclass
class Fault:
    """Answer matching requests differently, `times` times (None: until removed)."""

    method: str
    path: str  # a regular expression, matched against the path after /api/v10
    status: int | None = 500  # None: the usual answer, after `delay`
    body: Any = None  # JSON by default; a str is sent as text/html
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False  # never answer (until the server stops)
    times: int | None = 1

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and re.fullmatch(self.path, path) is not None


def _json(data: Any, status: int = 200, headers: dict | None = None) -> web.Response:
    """Exactly `application/json`, as Discord sends it (discord.py compares the header as is)."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={**(headers or {}), "Content-Type": "application/json"}
    )


class Connection:
    def __init__(self, ws: web.WebSocketResponse, request: web.Request):
        self.ws, self.request = ws, request
        self.session: Session | None = None
        self.heartbeats: list[float] = []


@dataclass
class Session:
    id: str
    seq: int = 0
    backlog: list[dict] = field(default_factory=list)


class DiscordServer:
    def __init__(self, heartbeat_ms: int = 500, port: int = 0):
        self.heartbeat_ms = heartbeat_ms
        self.port = port
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.connections: list[Connection] = []
        self.sessions: dict[str, Session] = {}
        self.identifies = 0
        self.resumes = 0
        self.heartbeat_acks = 0
        self.refuse_handshakes = 0
        self.reject_token = False
        self.guilds = [guild_payload(GUILD_A, "Server A", [(CHANNEL, "general")])]
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._hangs: list[asyncio.Future] = []
        self._ready = threading.Event()

    # -- life -----------------------------------------------------------------------------------------
    def start(self) -> DiscordServer:
        self._thread = threading.Thread(target=self._serve, name="fake-discord", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the test Discord did not start")
        return self

    def _serve(self) -> None:
        self.loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_get("/", self._gateway)
        self._runner = web.AppRunner(app, handle_signals=False)
        self.loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self.loop.run_forever()

    def stop(self) -> None:
        if self.loop is None:
            return

        async def shutdown() -> None:
            for hang in self._hangs:
                hang.cancel()
            for conn in list(self.connections):
                await conn.ws.close(code=1001)
            await self._runner.cleanup()  # type: ignore[union-attr]

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)  # type: ignore[union-attr]
        self.loop.close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def run(self, coro) -> asyncio.Future:
        """Run a coroutine on the server's loop; await the result from any other loop."""
        return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))  # type: ignore[arg-type]

    # -- what tests wait for -------------------------------------------------------------------------
    def sent(self, method: str, pattern: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and re.fullmatch(pattern, c.path) and c.status < 300]

    def replies(self, channel: int = CHANNEL) -> list[Call]:
        return self.sent("POST", rf"/channels/{channel}/messages")

    async def wait(self, condition: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
        """Poll `condition` from the test's loop until it is truthy."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if result := condition():
                return result
            await asyncio.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what or condition}")

    async def connected(self, identifies: int = 1, timeout: float = 20.0) -> None:
        """Until the bot has identified `identifies` times and been sent its guilds."""
        await self.wait(
            lambda: self.identifies >= identifies and self.current and self.current.session,
            timeout,
            f"identify #{identifies}",
        )

    @property
    def current(self) -> Connection | None:
        return self.connections[-1] if self.connections else None

    # -- gateway tricks ---------------------------------------------------------------------------------
    async def dispatch(self, event: str, data: dict) -> None:
        """Send an event on the current session (kept for a resume if no socket is open)."""
        conn = self.current
        session = conn.session if conn else None
        if session is None:
            session = next(reversed(self.sessions.values()))
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.backlog.append(payload)
        if conn is not None and conn.session is session and not conn.ws.closed:
            await conn.ws.send_str(json.dumps(payload))

    async def drop(self, abrupt: bool = True) -> None:
        """Lose the connection: a reset without a closing handshake, or a 4000 close."""
        conn = self.current
        if conn is None:
            return
        if abrupt and conn.request.transport is not None:
            conn.request.transport.abort()
        else:
            await conn.ws.close(code=4000, message=b"test drop")

    async def invalidate(self) -> None:
        conn = self.current
        if conn is not None:
            await conn.ws.send_str(json.dumps({"op": 9, "d": False}))

    async def send_raw(self, payload: dict) -> None:
        conn = self.current
        if conn is not None:
            await conn.ws.send_str(json.dumps(payload))

    # -- payloads ---------------------------------------------------------------------------------------
    def message_create(self, content: str, author_id: int, *, mention: bool = True, channel: int = CHANNEL) -> dict:
        author = user(author_id, f"member{author_id}")
        return {
            "id": str(snowflake()),
            "channel_id": str(channel),
            "guild_id": str(GUILD_A),
            "author": author,
            "member": {"roles": [], "joined_at": now_iso(), "deaf": False, "mute": False, "flags": 0},
            "content": (f"<@{APP_ID}> " if mention else "") + content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [BOT_USER] if mention else [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }

    def interaction(self, itype: int, data: dict, *, author_id: int = 101, message: dict | None = None) -> dict:
        from tests.bot.fake_discord import MEMBER_PERMS

        iid = snowflake()
        member_user = user(author_id, f"member{author_id}")
        payload = {
            "id": str(iid),
            "application_id": str(APP_ID),
            "type": itype,
            "token": f"tok{iid}",
            "version": 1,
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 25 << 20,
            "app_permissions": str((1 << 53) - 1),
            "guild_id": str(GUILD_A),
            "context": 0,
            "authorizing_integration_owners": {"0": str(GUILD_A)},
            "channel": {**channel_payload(CHANNEL, GUILD_A, "general"), "permissions": str(MEMBER_PERMS.value)},
            "channel_id": str(CHANNEL),
            "member": {
                "user": member_user,
                "roles": [],
                "joined_at": now_iso(),
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": str(MEMBER_PERMS.value),
            },
            "data": data,
        }
        if message is not None:
            payload["message"] = message
        return payload

    def slash(self, name: str, options: dict, **kw) -> dict:
        opts = [{"name": k, "type": 3 if isinstance(v, str) else 4, "value": v} for k, v in options.items()]
        return self.interaction(2, {"id": str(snowflake()), "name": name, "type": 1, "options": opts}, **kw)

    def click(self, call: Call, label: str, **kw) -> dict:
        button = next(b for b in call.buttons if b.get("label", "").startswith(label))
        message = self._message(None, call.message_body)
        return self.interaction(3, {"custom_id": button["custom_id"], "component_type": 2}, message=message, **kw)

    def _message(self, channel_id: int | None, body: dict) -> dict:
        msg = {
            "id": str(snowflake()),
            "channel_id": str(channel_id or CHANNEL),
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
        if body.get("message_reference"):
            msg["message_reference"] = body["message_reference"]
        return msg

    # -- REST ---------------------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        call = Call(request.method, path, body, time.monotonic())
        self.calls.append(call)
        for fault in list(self.faults):
            if fault.matches(request.method, path):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                if fault.status is None:
                    await asyncio.sleep(fault.delay)
                    break
                return await self._faulty(fault, call)
        # Interaction callbacks and follow-ups carry their token in the URL, not a bot token.
        authorised = path.startswith(("/interactions/", "/webhooks/")) or (
            request.headers.get("Authorization") == f"Bot {TOKEN}"
        )
        if not authorised or (self.reject_token and path == "/users/@me"):
            call.status = 401
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        return self._answer(request, path, body, call)

    async def _faulty(self, fault: Fault, call: Call) -> web.StreamResponse:
        call.status = fault.status
        if fault.hang:
            hang = self.loop.create_future()  # type: ignore[union-attr]
            self._hangs.append(hang)
            await hang  # cancelled when the server stops, or the client gives up
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if isinstance(fault.body, str):
            return web.Response(text=fault.body, status=fault.status, content_type="text/html", headers=fault.headers)
        body = fault.body if fault.body is not None else {"message": f"{fault.status}: test fault", "code": 0}
        return _json(body, status=fault.status, headers=fault.headers)

    def _answer(self, request: web.Request, path: str, body: Any, call: Call) -> web.StreamResponse:
        method = request.method
        if path == "/users/@me":
            return _json(BOT_USER)
        if path == "/oauth2/applications/@me":
            return _json(
                {
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
            )
        if path in ("/gateway", "/gateway/bot"):
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
        if method == "PUT" and path.endswith("/commands"):
            out = [{**c, "id": str(snowflake()), "application_id": str(APP_ID), "version": "1"} for c in body or []]
            return _json(out)
        if m := re.fullmatch(r"/channels/(\d+)/typing", path):
            return web.Response(status=204)
        if method == "POST" and (m := re.fullmatch(r"/channels/(\d+)/messages", path)):
            return _json(self._message(int(m.group(1)), body or {}))
        if method == "POST" and (m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path)):
            thread = channel_payload(snowflake(), GUILD_A, (body or {}).get("name", "thread"))
            thread.update(
                type=11,
                parent_id=m.group(1),
                owner_id=str(APP_ID),
                message_count=0,
                member_count=1,
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": now_iso(),
                    "locked": False,
                },
            )
            return _json(thread)
        if method == "POST" and (m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path)):
            rtype = (body or {}).get("type")
            data = (body or {}).get("data") or {}
            interaction = {
                "id": m.group(1),
                "type": 2,
                "response_message_loading": rtype == 5,
                "response_message_ephemeral": bool((data.get("flags") or 0) & 64),
            }
            if rtype in (4, 5, 7):
                msg = self._message(None, data)
                interaction["response_message_id"] = msg["id"]
                return _json({"interaction": interaction, "resource": {"type": rtype, "message": msg}})
            return _json({"interaction": interaction})
        if re.fullmatch(rf"/webhooks/{APP_ID}/[^/]+(/messages/[^/]+)?", path) and method in ("POST", "PATCH"):
            return _json(self._message(None, body or {}))
        if method == "DELETE":
            return web.Response(status=204)
        call.status = 404
        return _json({"message": f"404: no test route for {method} {path}", "code": 0}, status=404)

    # -- gateway --------------------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if self.refuse_handshakes > 0:
            self.refuse_handshakes -= 1
            return web.Response(status=503, text="gateway unavailable (test)")
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, request)
        self.connections.append(conn)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}}))
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            op, d = data.get("op"), data.get("d")
            if op == 1:
                conn.heartbeats.append(time.monotonic())
                self.heartbeat_acks += 1
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                await self._identify(conn, d)
            elif op == 6:
                await self._resume(conn, d)
        return ws

    async def _identify(self, conn: Connection, d: dict) -> None:
        if d.get("token") != TOKEN:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        self.identifies += 1
        session = Session(uuid.uuid4().hex)
        self.sessions[session.id] = session
        conn.session = session
        ready = {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": g["id"], "unavailable": True} for g in self.guilds],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
        }
        await self.dispatch("READY", ready)
        for guild in self.guilds:
            await self.dispatch("GUILD_CREATE", guild)

    async def _resume(self, conn: Connection, d: dict) -> None:
        session = self.sessions.get(d.get("session_id"))
        if session is None or d.get("token") != TOKEN:
            await conn.ws.send_str(json.dumps({"op": 9, "d": False}))
            return
        self.resumes += 1
        conn.session = session
        for payload in session.backlog:
            if payload["s"] > (d.get("seq") or 0):
                await conn.ws.send_str(json.dumps(payload))
        await self.dispatch("RESUMED", {})
