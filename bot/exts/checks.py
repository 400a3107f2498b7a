"""Who counts as an admin, checked on every admin command.

Admins are members with the Manage Server permission, unless the operator
lists ``ADMIN_USER_IDS`` / ``ADMIN_ROLE_IDS``: then only those (and the
application's owner).  A server's admins manage that server's own articles;
the shared articles, which every server sees, only the operators (the
application's owner and ``ADMIN_USER_IDS``), with the commands' ``shared``
option.  The permission is the interaction's own resolved
permissions (``interaction.permissions``, what discord.py's
``app_commands.checks.has_permissions`` reads), which Discord sends with
every interaction: no member cache is needed.

The commands are hidden from others by default permissions, and checked
again when run (a client may still show them): by ``app_commands.check`` /
a group's ``interaction_check``, and once more at the top of every callback
(``refused``), so nothing reaches an admin action without the check, even a
call that bypasses the command tree.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.ui import replies

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)


async def is_admin(interaction: discord.Interaction[StoryBot]) -> bool:
    """The run-time check behind every admin command."""
    bot = interaction.client
    user = interaction.user
    settings = bot.settings
    if await bot.is_owner(user):
        return True
    if settings.admin_user_ids or settings.admin_role_ids:
        if user.id in settings.admin_user_ids:
            return True
        roles = getattr(user, "roles", ())
        return any(role.id in settings.admin_role_ids for role in roles)
    if interaction.guild_id is None:
        return False
    return bool(interaction.permissions.manage_guild)


async def is_operator(interaction: discord.Interaction[StoryBot]) -> bool:
    """May this user manage the shared articles (every server sees them)?
    The application's owner and ``ADMIN_USER_IDS`` only: a server's admins
    manage their own server's articles."""
    bot = interaction.client
    return await bot.is_owner(interaction.user) or interaction.user.id in bot.settings.admin_user_ids


async def refused_shared(interaction: discord.Interaction[StoryBot], shared: bool) -> bool:
    """True, after telling the user, when ``shared`` asks to manage the
    shared articles and the user is not an operator."""
    if not shared or await is_operator(interaction):
        return False
    log.warning("shared articles refused to user %s", interaction.user.id)
    await replies.send_ephemeral(interaction, replies.OPERATORS_ONLY)
    return True


async def refused(interaction: discord.Interaction[StoryBot]) -> bool:
    """True, after telling the user, when they are not an admin.  Every admin
    callback starts with it: the command tree checks first, but a callback
    must not rely on having been reached through the tree."""
    if await is_admin(interaction):
        return False
    command = interaction.command.qualified_name if interaction.command else "?"
    log.warning("admin command /%s refused to user %s", command, interaction.user.id)
    await replies.send_ephemeral(interaction, replies.NOT_ALLOWED)
    return True
