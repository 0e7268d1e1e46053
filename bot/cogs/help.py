"""`/help`: what the bot does, how to ask it, and the commands the caller may use. The list is
read from the command tree itself, so it names exactly what is registered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from .. import render
from ..checks import is_moderator, reply

if TYPE_CHECKING:
    from ..client import CoverageBot


def usable(tree: app_commands.CommandTree, moderator: bool, in_server: bool) -> list[render.HelpLine]:
    """Every command, with its description, that this person may run here: moderator commands
    (hidden from members by `default_permissions`) only for moderators, server-only ones only
    in a server."""
    out = []
    for cmd in tree.walk_commands():
        if not isinstance(cmd, app_commands.Command):
            continue
        root = cmd.root_parent or cmd
        restricted = root.default_permissions is not None
        if (restricted and not moderator) or (root.guild_only and not in_server):
            continue
        out.append(render.HelpLine(cmd.qualified_name, cmd.description, restricted))
    return out


class Help(commands.Cog):
    def __init__(self, bot: CoverageBot):
        self.bot = bot

    @app_commands.command(name="help", description="What the bot does, how to ask it, and its commands")
    async def help(self, interaction: discord.Interaction) -> None:
        in_server = interaction.guild_id is not None
        lines = usable(self.bot.tree, is_moderator(self.bot, interaction), in_server)
        name = self.bot.user.display_name if self.bot.user else "the bot"
        await reply(interaction, embed=render.help_embed(lines, name, in_server), ephemeral=True)
