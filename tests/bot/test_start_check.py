"""The bot's start-up runs the same check as `coverage-bot check`: it logs the result, repairs
what is derived as opening does, and refuses a lost store in one line."""

import asyncio
import logging

from bot.main import open_engine, run_bot

from .fake_discord import FakeDiscord


def test_start_repairs_derived_files_and_logs_the_check(settings, encoder, caplog):
    stray = settings.data_dir / "passages.faiss.k2j3h4.tmp"
    stray.write_bytes(b"half an index")  # left by a writer that was killed
    (settings.data_dir / "bm25" / "CURRENT").unlink()
    caplog.set_level(logging.INFO, logger="bot")
    engine = asyncio.run(open_engine(settings, encoder))
    engine.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "bot"]
    assert any("rebuilt the lexical index" in line for line in lines)
    assert any(line.startswith("check: the data folder is healthy") for line in lines)
    assert not stray.exists()


def test_start_refuses_a_lost_store_in_one_line(settings, encoder, monkeypatch, capsys):
    FakeDiscord().install(monkeypatch)
    index = settings.index_path.read_bytes()
    settings.db_path.unlink()
    assert run_bot(settings.with_(discord_token="MTIz.token"), encoder=encoder) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [line for line in err.splitlines() if line.startswith("error:")]
    assert str(settings.db_path) in line and "coverage-bot init" in line
    assert settings.index_path.read_bytes() == index and not settings.db_path.exists()
