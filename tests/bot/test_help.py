"""/help: what the bot does and how to ask it, with the commands the caller may use, read from
the command tree (members never see moderator commands listed; a direct message lists no
server-only ones)."""

import re

from bot import render

from .fake_discord import GUILD_A, MOD_ROLE
from .test_tree import EXPECTED, MODERATOR_ONLY


def listed(sent) -> set[str]:
    text = "\n".join(f["value"] for f in sent.embed.get("fields", []))
    return set(re.findall(r"`/([a-z -]+)`", text))


def test_a_member_sees_what_the_bot_does_and_the_members_commands(harness):
    [shown] = harness.slash("help")
    assert shown.ephemeral
    assert "**quoting**" in shown.embed["description"] and "never write an answer" in shown.embed["description"]
    assert "Q&A channel" in shown.embed["description"]
    members = {name for name in EXPECTED if name.split()[0] not in MODERATOR_ONLY}
    assert listed(shown) == members
    assert all(f["name"] != "For moderators" for f in shown.embed["fields"])


def test_a_moderator_also_sees_the_moderator_commands_with_their_descriptions(harness):
    [shown] = harness.slash("help", who="mod")
    assert listed(shown) == set(EXPECTED)
    moderators = "\n".join(f["value"] for f in shown.embed["fields"] if f["name"].startswith("For moderators"))
    assert "`/article add`" in moderators and "`/feed add`" in moderators
    assert "`/ask`" not in moderators
    for field in shown.embed["fields"]:
        assert len(field["value"]) <= render.FIELD_VALUE


def test_a_member_with_the_servers_moderator_role_sees_the_moderator_commands(harness):
    harness.bot.store.set_moderator_role(GUILD_A, MOD_ROLE)  # what /config moderator-role keeps
    assert "article add" in listed(harness.slash("help", who="rolemod")[0])


def test_in_a_direct_message_only_commands_that_work_there_are_listed(harness):
    [shown] = harness.slash("help", guild=None)
    names = listed(shown)
    assert names and not any(name.split()[0] in MODERATOR_ONLY for name in names)
    assert "direct message" in shown.embed["description"]


def test_the_command_list_is_split_across_fields_within_discords_limit():
    lines = [render.HelpLine(f"article thing{i}", "A description of forty characters ok.", True) for i in range(60)]
    embed = render.help_embed(lines, "coverage-bot", True)
    values = [f.value for f in embed.fields]
    assert len(values) > 1 and all(len(v) <= render.FIELD_VALUE for v in values)
    assert embed.fields[1].name == "For moderators (continued)"
    assert sum(v.count("`/article") for v in values) == 60
