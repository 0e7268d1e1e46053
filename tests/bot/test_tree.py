"""The command tree as Discord will see it: names, descriptions, option types, who may use what."""

from discord import AppCommandOptionType as T
from discord import app_commands

EXPECTED = {
    "ask": {"question": T.string, "count": T.integer, "public": T.boolean},
    "compare": {"topic": T.string, "public": T.boolean},
    "quote": {"text": T.string, "public": T.boolean},
    "source": {"citation": T.string, "article": T.string, "public": T.boolean},
    "articles": {"outlet": T.string, "page": T.integer},
    "help": {},
    "gaps": {"days": T.integer},
    "article add": {"url": T.string, "file": T.attachment},
    "article paste": {"date": T.string},
    "article edit": {"id": T.string},
    "article remove": {"id": T.string},
    "article history": {},
    "feed add": {"url": T.string, "channel": T.channel, "keywords": T.string, "interval": T.integer},
    "feed list": {},
    "feed remove": {"feed": T.string},
    "feed pause": {"feed": T.string},
    "feed resume": {"feed": T.string},
    "config qa-channel add": {"channel": T.channel},
    "config qa-channel remove": {"channel": T.channel},
    "config qa-channel list": {},
    "config moderator-role": {"role": T.role},
}
MODERATOR_ONLY = {"article", "config", "feed", "gaps"}


def commands(tree):
    for cmd in tree.walk_commands():
        if isinstance(cmd, app_commands.Command):
            yield cmd


def test_every_command_is_there_with_typed_options(harness):
    found = {cmd.qualified_name: cmd for cmd in commands(harness.bot.tree)}
    assert set(found) == set(EXPECTED)
    for name, options in EXPECTED.items():
        cmd = found[name]
        assert 1 <= len(cmd.description) <= 100, name
        assert {p.name: p.type for p in cmd.parameters} == options, name
        assert all(p.description and p.description != "…" for p in cmd.parameters), name
    ask = found["ask"].get_parameter("question")
    assert ask.required and ask.max_value == 500
    count = found["ask"].get_parameter("count")
    assert (count.min_value, count.max_value, count.required) == (1, 10, False)
    assert found["source"].get_parameter("article").autocomplete
    assert all(found[f"feed {name}"].get_parameter("feed").autocomplete for name in ("remove", "pause", "resume"))
    interval = found["feed add"].get_parameter("interval")
    assert (interval.min_value, interval.max_value) == (5, 1440)


def test_moderator_commands_are_hidden_by_default_and_server_only(harness):
    top = {cmd.name: cmd for cmd in harness.bot.tree.get_commands()}
    for name, cmd in top.items():
        perms = cmd.default_permissions
        if name in MODERATOR_ONLY:
            assert perms is not None and perms.manage_messages, name
            assert cmd.guild_only, name
        else:
            assert perms is None, name


def test_commands_were_synced_once_and_not_again_when_unchanged(harness, settings, engine, monkeypatch):
    from .conftest import start_harness, stop_harness

    synced = [s for s in harness.fake.sent if s.kind == "commands"]
    assert len(synced) == 1 and synced[0].path == "/applications/{application_id}/commands"
    assert {c["name"] for c in synced[0].payload} == {
        "ask",
        "compare",
        "quote",
        "source",
        "articles",
        "help",
        "gaps",
        "article",
        "feed",
        "config",
    }
    again = start_harness(settings, engine, monkeypatch)
    try:
        assert not [s for s in again.fake.sent if s.kind == "commands"]
    finally:
        stop_harness(again)


def test_a_development_server_gets_the_commands_at_once(settings, engine, monkeypatch):
    from .conftest import start_harness, stop_harness
    from .fake_discord import GUILD_A

    h = start_harness(settings.with_(discord_guild_id=GUILD_A), engine, monkeypatch)
    try:
        synced = [s for s in h.fake.sent if s.kind == "commands"]
        assert [s.path for s in synced] == ["/applications/{application_id}/guilds/{guild_id}/commands"]
    finally:
        stop_harness(h)
