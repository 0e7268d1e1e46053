"""Per-server settings: Q&A channels (moderators) and the moderator role (Manage Server)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..checks import CONVERSION, NotManager, UnusableOption, reply, require_moderator

if TYPE_CHECKING:
    from ..client import CoverageBot


class Config(commands.Cog):
    config = app_commands.Group(
        name="config",
        description="The bot's settings for this server (moderators)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_messages=True),
    )
    qa_channel = app_commands.Group(
        name="qa-channel", description="Channels where the bot answers every question", parent=config
    )

    def __init__(self, bot: CoverageBot):
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        require_moderator(self.bot, interaction)
        return True

    def _channel(self, interaction: discord.Interaction, channel: discord.TextChannel | None) -> int:
        return channel.id if channel is not None else interaction.channel_id or 0

    @qa_channel.command(name="add", description="Answer every question asked in a channel")
    @app_commands.describe(channel="The channel (default: this one)")
    async def qa_add(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        channel_id = self._channel(interaction, channel)
        added = self.bot.store.set_qa_channel(interaction.guild_id or 0, channel_id, True)
        text = f"<#{channel_id}> is {'now' if added else 'already'} a Q&A channel: I answer every question there."
        if not self.bot.intents.message_content:
            text += " (The Message Content intent is off, so I cannot read them yet: see the bot's README.)"
        await reply(interaction, text)

    @qa_channel.command(name="remove", description="Stop answering every question in a channel")
    @app_commands.describe(channel="The channel (default: this one)")
    async def qa_remove(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        channel_id = self._channel(interaction, channel)
        removed = self.bot.store.set_qa_channel(interaction.guild_id or 0, channel_id, False)
        text = "is no longer" if removed else "was not"
        await reply(interaction, f"<#{channel_id}> {text} a Q&A channel; mentions still work there.")

    @qa_channel.command(name="list", description="The Q&A channels in this server")
    async def qa_list(self, interaction: discord.Interaction) -> None:
        channels = sorted(self.bot.store.qa_channels(interaction.guild_id or 0))
        text = (
            ", ".join(f"<#{c}>" for c in channels) if channels else "none (members can still @mention me or use /ask)"
        )
        await reply(interaction, f"Q&A channels: {text}")

    @config.command(name="moderator-role", description="Let a role use moderator commands (needs Manage Server)")
    @app_commands.describe(role="The role; leave empty to clear it")
    async def moderator_role(self, interaction: discord.Interaction, role: discord.Role | None = None) -> None:
        if not (interaction.permissions.manage_guild or interaction.permissions.administrator):
            raise NotManager()
        if role is not None and not isinstance(role, discord.Role):  # an id Discord did not resolve
            raise UnusableOption(CONVERSION[discord.AppCommandOptionType.role])
        self.bot.store.set_moderator_role(interaction.guild_id or 0, role.id if role else None)
        if role is None:
            await reply(interaction, "Moderator role cleared: moderator commands need Manage Messages.")
        else:
            await reply(
                interaction,
                f"Members with {role.mention} can now use moderator commands. Server admins may also need to "
                "allow the role under Server Settings → Integrations, since the commands are hidden by default.",
            )
