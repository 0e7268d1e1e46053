"""Starting without Discord: a missing or rejected token gets a clear message, not a traceback."""

from bot.main import run_bot, sync_commands

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
