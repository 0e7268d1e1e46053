"""The bot's log: a timestamp on every line, JSON lines on request, one WARNING line per failed
reconnect instead of discord.py's traceback."""

from __future__ import annotations

import io
import json
import logging
import re

import discord
import pytest
from click.testing import CliRunner

from bot import logs
from coverage_cli.main import cli
from retrieval import Settings, SettingsError
from tests.logging_state import restored_logging

from .fake_discord import FakeDiscord, _Response

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


@pytest.fixture
def restore_logging():
    with restored_logging():
        yield


def test_text_lines_start_with_a_timestamp(restore_logging):
    out = io.StringIO()
    logs.configure("INFO", "text", stream=out)
    logging.getLogger("bot.cogs.ask").info("answered %d", 3)
    assert re.fullmatch(rf"{STAMP} INFO bot\.cogs\.ask: answered 3\n", out.getvalue())


def test_json_lines_for_log_collectors(restore_logging):
    out = io.StringIO()
    logs.configure("INFO", "json", stream=out)
    log = logging.getLogger("bot")
    log.warning("gateway: disconnected; reconnecting")
    try:
        raise KeyError("id")
    except KeyError:
        log.exception("error in on_message")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert re.fullmatch(STAMP, first["time"])
    assert (first["level"], first["logger"], first["message"]) == (
        "WARNING",
        "bot",
        "gateway: disconnected; reconnecting",
    )
    assert second["level"] == "ERROR" and "KeyError: 'id'" in second["exception"]


def test_a_failed_reconnect_is_one_warning_line(restore_logging):
    out = io.StringIO()
    logs.configure("INFO", "text", stream=out)
    try:
        raise OSError("Connect call failed ('162.159.135.232', 443)")
    except OSError:
        logging.getLogger("discord.client").exception("Attempting a reconnect in %.2fs", 1.5)
    [line] = out.getvalue().splitlines()
    assert re.fullmatch(
        rf"{STAMP} WARNING discord\.client: gateway: reconnect failed \(OSError: Connect call failed "
        r"\('162\.159\.135\.232', 443\)\); next attempt in 1\.5 s",
        line,
    )


def test_late_autocomplete_answers_are_one_warning_line(restore_logging):
    out = io.StringIO()
    logs.configure("INFO", "text", stream=out)
    try:
        raise discord.NotFound(_Response(404), {"message": "Unknown interaction", "code": 10062})
    except discord.NotFound:
        logging.getLogger("discord.app_commands.tree").exception("Ignoring exception in autocomplete for %r", "source")
    [line] = out.getvalue().splitlines()
    assert "WARNING" in line and "suggestions for 'source' were not delivered (NotFound: 404" in line


def test_the_log_format_is_a_setting():
    assert Settings.from_mapping({"COVERAGE_BOT_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="text or json"):
        Settings.from_mapping({"COVERAGE_BOT_LOG_FORMAT": "xml"})


def test_run_logs_json_lines_with_log_format(tmp_path, encoder, monkeypatch, restore_logging):
    FakeDiscord(reject_token=True).install(monkeypatch)
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.secret")
    args = ["--data-dir", str(tmp_path / "data"), "--env-file", str(tmp_path / "none"), "-q", "run"]
    result = CliRunner().invoke(cli, [*args, "--log-format", "json"], catch_exceptions=False)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert [r["message"].split(":")[0] for r in records][:3] == ["store", "model", "index"]
    assert all(re.fullmatch(STAMP, r["time"]) for r in records)
    assert lines[-1].startswith("error: Discord rejected DISCORD_TOKEN") and "MTIz.secret" not in result.stderr
