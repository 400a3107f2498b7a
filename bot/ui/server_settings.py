"""What ``/settings show`` says about a server's settings, and what is
wrong with them as the bot sees the server now (a channel deleted, a role
no one can mention, no permission to post in the hand-off channel, answer
channels without the Message Content intent).  The hand-off button asks
``handoff_problem`` too, before posting."""

from __future__ import annotations

import discord

from bot.question_log import ServerSettings

INTENT = "Message Content"
NO_INTENT = (
    f"Answer channels need the **{INTENT}** intent, which this bot runs without: "
    "ask its operator to enable it (MESSAGE_CONTENT_INTENT=true, and in the developer portal)."
)


def channel_problem(guild: discord.Guild, channel_id: int, *, threads: bool = False) -> str | None:
    """Why the bot cannot post in a channel of the server, or None."""
    channel = guild.get_channel(channel_id)
    if channel is None:
        return f"the channel {channel_id} no longer exists"
    me = guild.me
    if me is None:
        return None
    allowed = channel.permissions_for(me)
    needed = "send_messages_in_threads" if threads else "send_messages"
    if not allowed.view_channel or not getattr(allowed, needed):
        what = "Send Messages in Threads" if threads else "Send Messages"
        return f"I can't post in {channel.mention}: give me View Channel and {what} there"
    return None


def role_problem(guild: discord.Guild, role_id: int) -> str | None:
    """Why the hand-off role cannot be mentioned, or None."""
    role = guild.get_role(role_id)
    if role is None:
        return f"the role {role_id} no longer exists"
    if role.is_default() or role.managed:
        return f"{role.mention} is not a role I can hand questions to: pick a role of people"
    if not role.mentionable:  # even where the bot could ping it: the role's members chose to be mentionable
        return (
            f"{role.mention} can't be mentioned: turn on \u201cAllow anyone to @mention this role\u201d in its settings"
        )
    return None


def handoff_problem(guild: discord.Guild, chosen: ServerSettings) -> str | None:
    """What keeps a question from being handed to people, or None."""
    handoff = chosen.handoff
    if handoff is None:
        return "no hand-off channel and role are set"
    channel_id, role_id = handoff
    return channel_problem(guild, channel_id) or role_problem(guild, role_id)


def _channels(ids: list[int]) -> str:
    return ", ".join(f"<#{i}>" for i in ids) or "none"


def settings_text(
    guild: discord.Guild, chosen: ServerSettings, defaults: list[int], intent: bool, last_failure: str | None = None
) -> str:
    """The server's settings, and each thing wrong with them, one line each."""
    on = [c for c, yes in chosen.answer_channels.items() if yes]
    operator = [c for c in defaults if c not in chosen.answer_channels and guild.get_channel(c) is not None]
    lines = ["**This server's settings**", f"Answer channels: {_channels(sorted(on + operator))}"]
    if operator:
        lines[-1] += f" (from the operator: {_channels(operator)})"
    lines.append(f"Forums whose new posts I answer: {_channels(sorted(chosen.forum_channels))}")
    if chosen.handoff is None:
        lines.append("Hand-off to people: off")
    else:
        lines.append(f"Hand-off to people: <#{chosen.handoff[0]}>, <@&{chosen.handoff[1]}>")
    problems = [channel_problem(guild, c) for c in on]
    problems += [channel_problem(guild, c, threads=True) for c in sorted(chosen.forum_channels)]
    if chosen.handoff is not None:
        problems.append(handoff_problem(guild, chosen) or last_failure)
    if on and not intent:
        problems.append(NO_INTENT)
    found = [p for p in problems if p]
    if found:
        lines.append("**What is wrong:**")
        lines += [f"\u2022 {p[:1].upper()}{p[1:]}{'' if p.endswith('.') else '.'}" for p in found]
    return "\n".join(lines)[:2000]
