"""What every cog needs: which collections an interaction may see, who is a moderator,
per-user cooldowns, and replying briefly whether or not the interaction was answered yet."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import discord
from discord import AppCommandOptionType as Option
from discord import app_commands

from retrieval import GLOBAL

if TYPE_CHECKING:
    from .client import CoverageBot

#: Everything the bot sends: article text must never ping anyone.
NO_PINGS = discord.AllowedMentions.none()
#: What a member is told when something fails that they cannot fix.
OUR_SIDE = "Something went wrong on our side; it has been logged."
SEND_FAILED = "Discord did not accept my answer; please try again in a moment."

#: What a member is told when Discord sent an option the command cannot use (a channel the bot
#: cannot see, a role from elsewhere, a deleted attachment): never discord.py's "Failed to convert".
CONVERSION = {
    Option.channel: "I cannot use that channel: pick a text channel of this server that I can see.",
    Option.role: "I cannot use that role: pick one of this server's roles from the list.",
    Option.user: "I cannot use that member: pick someone in this server from the list.",
    Option.mentionable: "I cannot use that: pick a member or a role of this server from the list.",
    Option.attachment: "I cannot read that file: attach it again.",
    Option.integer: "That option needs a whole number.",
    Option.number: "That option needs a number.",
    Option.boolean: "That option needs True or False.",
}

#: (messages, seconds) per user; URL adds fetch pages, so they wait longer.
COOLDOWNS = {"ask": (3, 30.0), "channel": (3, 30.0), "add": (5, 60.0), "url": (1, 60.0)}


class NotModerator(app_commands.CheckFailure):
    """A member without Manage Messages (or the server's moderator role) ran a moderator command."""

    def __init__(self) -> None:
        super().__init__(
            "This command is for moderators: you need the Manage Messages permission "
            "or this server's moderator role (see `/config moderator-role`)."
        )


class UnusableOption(app_commands.AppCommandError):
    """Discord sent an id the bot could not turn into what the option asks for (a role from another
    server, one deleted meanwhile); discord.py passes some of these through as a bare `Object`."""


class NotManager(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__("Only members with the Manage Server permission can change the bot's settings here.")


def collection_of(guild_id: int | None) -> str:
    """Where a server's articles, questions and history live; DMs use the global seeds."""
    return str(guild_id) if guild_id else GLOBAL


def collections_for(guild_id: int | None) -> list[str]:
    """A member's questions search their server's articles plus the seeds; a DM the seeds alone."""
    return [str(guild_id), GLOBAL] if guild_id else [GLOBAL]


def actor(user: discord.abc.User) -> str:
    """How a person is kept in the history: by id, so renames do not break the trail."""
    return f"discord:{user.id}"


def is_moderator(bot: CoverageBot, interaction: discord.Interaction) -> bool:
    """Checked when the command runs: `default_permissions` is only a hint server admins can change."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    perms = interaction.permissions
    if perms.manage_messages or perms.administrator:
        return True
    role_id = bot.store.moderator_role(interaction.guild_id)
    return role_id is not None and any(r.id == role_id for r in interaction.user.roles)


def require_moderator(bot: CoverageBot, interaction: discord.Interaction) -> None:
    if not is_moderator(bot, interaction):
        raise NotModerator()


class Cooldowns:
    """Per-bot, per-user rate limits (discord.py's decorators keep one mapping per process)."""

    def __init__(self, rates: dict[str, tuple[int, float]] | None = None):
        self.rates = dict(rates or COOLDOWNS)
        self._buckets: dict[tuple[str, int], app_commands.Cooldown] = {}

    def retry_after(self, kind: str, user_id: int, now: float | None = None) -> float | None:
        """Count one use; seconds to wait if over the limit, else None."""
        now = time.time() if now is None else now
        rate, per = self.rates[kind]
        bucket = self._buckets.get((kind, user_id))
        if bucket is None or now > bucket._last + bucket.per:
            bucket = self._buckets[(kind, user_id)] = app_commands.Cooldown(rate, per)
        return bucket.update_rate_limit(now)

    def check(self, kind: str, user_id: int) -> None:
        if (retry := self.retry_after(kind, user_id)) is not None:
            rate, per = self.rates[kind]
            raise app_commands.CommandOnCooldown(app_commands.Cooldown(rate, per), retry)


def cooldown(kind: str):
    """A per-user cooldown check; for `add`, a URL uses the longer `url` limit."""

    async def predicate(interaction: discord.Interaction) -> bool:
        bot: CoverageBot = interaction.client  # type: ignore[assignment]
        chosen = "url" if kind == "add" and getattr(interaction.namespace, "url", None) else kind
        bot.cooldowns.check(chosen, interaction.user.id)
        return True

    return app_commands.check(predicate)


def wait_text(retry_after: float) -> str:
    when = int(time.time() + retry_after + 0.999)
    return f"Slow down a little: try again in {retry_after:.0f} s (<t:{when}:R>)."


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer an interaction whether or not it was deferred, never pinging anyone."""
    kwargs: dict = {"content": content, "ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
    if embed is not None:
        kwargs["embed"] = embed
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)
