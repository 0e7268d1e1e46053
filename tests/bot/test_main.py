"""Starting without Discord: a missing or rejected token gets a clear message, not a traceback."""

import os
import subprocess
import sys

from bot.main import run_bot, sync_commands
from tests.conftest import ROOT
from tests.retrieval.test_store import read_only, read_only_prefix

from .fake_discord import FakeDiscord


def test_missing_token_names_the_setting_and_the_portal(settings, capsys):
    assert run_bot(settings.with_(discord_token=None)) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN is not set" in err and "discord.com/developers/applications" in err
    assert "Traceback" not in err
    assert sync_commands(settings.with_(discord_token="  ")) == 2
    assert "DISCORD_TOKEN" in capsys.readouterr().err


def test_rejected_token_is_explained_and_never_printed(settings, encoder, monkeypatch, capsys, caplog):
    fake = FakeDiscord(reject_token=True)
    fake.install(monkeypatch)
    secret = "MTIz.secret-token-value"
    assert run_bot(settings.with_(discord_token=secret), encoder=encoder) == 2
    err = capsys.readouterr().err
    assert "Discord rejected DISCORD_TOKEN" in err and "Developer Portal" in err
    assert secret not in err and secret not in caplog.text
    steps = [r.getMessage().split(":")[0] for r in caplog.records if r.name == "bot"]
    assert steps[:3] == ["store", "model", "index"] and "gateway" in steps
    assert sync_commands(settings.with_(discord_token=secret)) == 2
    assert "rejected" in capsys.readouterr().err


def test_a_data_folder_the_bot_cannot_write_stops_it_with_one_line_naming_the_file(settings, engine, tmp_path):
    """The bot records settings and button state as it runs, so unlike `ask` it cannot start
    read-only: it says which file and what to do, before any connection is tried."""
    engine.close()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": "MTIz.not-a-real-token",
        "COVERAGE_BOT_MODEL_CACHE": str(settings.model_cache_dir),
    }
    command = [*read_only_prefix(), sys.executable, "-m", "coverage_cli", "--data-dir", str(settings.data_dir), "run"]
    with read_only(settings.data_dir):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "MTIz.not-a-real-token" not in result.stderr
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert str(settings.data_dir / "bot.sqlite3") in error and "must be able to write" in error
