"""Neutral messages and forms as Discord objects: embeds, views, files, modals (no network).

Discord already speaks our Markdown subset (**bold**, _italic_, `code`, bullet lines), so text
passes through; what this module adds is Discord's limits, the custom ids that carry action and
form ids, the invisible post marker, and `allowed_mentions` so that only `Message.mentions` ping.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.core.ids import mention
from bot.core.ui import Button, ButtonStyle, Form, Message, Select

CONTENT_MAX = 2000
EMBED_TOTAL_MAX = 6000
DESCRIPTION_MAX = 4096
TITLE_MAX = 256
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
BUTTONS_PER_ROW = 5
ROWS_MAX = 5
SELECT_OPTIONS_MAX = 25
NONCE_MAX = 25
COLOUR = discord.Colour(0x4F7CAC)

# Every button and select we send carries `sb:<action id>` (or `sb.<n>:` when one message has
# two buttons with the same action id: Discord wants custom ids unique per message). A single
# DynamicItem with this template answers them, so they keep working after a restart.
ACTION_TEMPLATE = r"sb(?:\.\d+)?:(?P<action>.+)"
FORM_PREFIX = "sbf:"

_STYLES = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.SECONDARY: discord.ButtonStyle.secondary,
    ButtonStyle.SUCCESS: discord.ButtonStyle.success,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}

# The marker travels invisibly: 2 bits per zero-width character between two invisible
# separators, appended to the content (or the embed footer). Discord keeps these characters
# (they are not whitespace), so find_post still recognises a post after the nonce expired.
_ZW = ("\u200b", "\u200c", "\u200d", "\u2060")
_FRAME = "\u2063"
_MARK = re.compile(f"{_FRAME}([{''.join(_ZW)}]+){_FRAME}")


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def marker_nonce(marker: str) -> str:
    """The nonce for a post carrying `marker` (at most 25 characters).

    A marker that fits is its own nonce; a longer one is hashed rather than cut, because two
    markers sharing their first 25 characters would otherwise collide within Discord's nonce
    window and the second post would silently return the first message.
    """
    if len(marker) <= NONCE_MAX:
        return marker
    return "m" + hashlib.sha256(marker.encode()).hexdigest()[: NONCE_MAX - 1]


def encode_marker(marker: str) -> str:
    digest = hashlib.sha256(marker.encode()).digest()[:8]
    chars = [_ZW[(byte >> shift) & 3] for byte in digest for shift in (6, 4, 2, 0)]
    return _FRAME + "".join(chars) + _FRAME


def carries_marker(text: str, marker: str) -> bool:
    """Whether `text` (content, description or footer) carries the invisible `marker`."""
    wanted = encode_marker(marker)[1:-1]
    return any(found.group(1) == wanted for found in _MARK.finditer(text))


def safe_filename(name: str) -> str:
    """A filename usable in `attachment://` references (letters, digits, `._-`)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", name).strip("._") or "image.png"
    return cleaned[:100]


def action_custom_id(action_id: str, index: int = 0) -> str:
    return f"sb:{action_id}" if index == 0 else f"sb.{index}:{action_id}"


def form_custom_id(form: Form) -> str:
    # The form id's length goes first, so neither the id nor the context needs an escape.
    return f"{FORM_PREFIX}{len(form.form_id)}:{form.form_id}{form.context}"


def parse_form_custom_id(custom_id: str) -> tuple[str, str] | None:
    """(form_id, context) from a modal's custom id, or None when it is not one of ours."""
    if not custom_id.startswith(FORM_PREFIX):
        return None
    size, sep, rest = custom_id[len(FORM_PREFIX) :].partition(":")
    if not sep or not size.isdigit() or int(size) > len(rest):
        return None
    return rest[: int(size)], rest[int(size) :]


@dataclass
class Rendered:
    """A neutral message as the arguments of a Discord send or edit."""

    content: str | None
    embed: discord.Embed | None
    view: discord.ui.View | None
    file: discord.File | None
    allowed_mentions: discord.AllowedMentions
    nonce: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def send_kwargs(self) -> dict[str, Any]:
        """For channel.send, response.send_message and followup.send (nonce added by caller)."""
        kwargs: dict[str, Any] = {"allowed_mentions": self.allowed_mentions}
        if self.content:
            kwargs["content"] = self.content
        if self.embed is not None:
            kwargs["embed"] = self.embed
        if self.view is not None:
            kwargs["view"] = self.view
        if self.file is not None:
            kwargs["file"] = self.file
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """For edits: None removes the old content, embed or buttons; an image replaces files."""
        kwargs: dict[str, Any] = {
            "content": self.content or None,
            "embed": self.embed,
            "view": self.view,
            "allowed_mentions": self.allowed_mentions,
        }
        if self.file is not None:
            kwargs["attachments"] = [self.file]
        return kwargs


def allowed_mentions(message: Message) -> discord.AllowedMentions:
    """Nobody is pinged (no @everyone, @here, roles, replies) except `message.mentions`."""
    users = [discord.Object(id=int(u.id)) for u in message.mentions if u.id.isdigit()]
    return discord.AllowedMentions(everyone=False, roles=False, users=users, replied_user=False)


def render_message(message: Message) -> Rendered:
    """Plain content for a plain text; an embed when there is a title, fields or a footer."""
    file = None
    image_name = None
    if message.image is not None:
        image_name = safe_filename(message.image.filename)
        file = discord.File(
            io.BytesIO(message.image.data), filename=image_name, description=message.image.alt
        )
    marker = encode_marker(message.marker) if message.marker else ""
    use_embed = bool(message.title or message.fields or message.footer)
    embed = None
    if use_embed:
        embed = _embed(message, marker, image_name)
        pings = [mention(u) for u in message.mentions]
        content = " ".join(pings) or None
    else:
        content = clip(message.text, CONTENT_MAX - len(marker)) + marker
    return Rendered(
        content=content or None,
        embed=embed,
        view=render_view(message.buttons, message.select),
        file=file,
        allowed_mentions=allowed_mentions(message),
        nonce=marker_nonce(message.marker) if message.marker else None,
    )


def _embed(message: Message, marker: str, image_name: str | None) -> discord.Embed:
    embed = discord.Embed(
        title=clip(message.title, TITLE_MAX) if message.title else None,
        description=clip(message.text, DESCRIPTION_MAX) if message.text else None,
        colour=COLOUR,
    )
    for item in message.fields[:FIELDS_MAX]:
        embed.add_field(
            name=clip(item.name, FIELD_NAME_MAX) or "\u200b",
            value=clip(item.value, FIELD_VALUE_MAX) or "\u200b",
            inline=item.inline,
        )
    footer = clip(message.footer or "", FOOTER_MAX - len(marker)) + marker
    if footer:
        embed.set_footer(text=footer)
    if image_name is not None:
        embed.set_image(url=f"attachment://{image_name}")
    overflow = len(embed) - EMBED_TOTAL_MAX
    if overflow > 0 and embed.description:
        embed.description = clip(embed.description, max(1, len(embed.description) - overflow))
    return embed


def render_view(buttons: list[Button], select: Select | None) -> discord.ui.View | None:
    """Buttons five to a row, the select on its own row; None when there is nothing to press.

    The view is stopped before it is returned: discord.py then keeps nothing in memory for it,
    and the one registered DynamicItem answers every press, before and after a restart.
    """
    if not buttons and select is None:
        return None
    view = discord.ui.View(timeout=None)
    room = ROWS_MAX - (1 if select is not None else 0)
    seen: dict[str, int] = {}
    for i, button in enumerate(buttons[: room * BUTTONS_PER_ROW]):
        count = seen.get(button.action_id, 0)
        seen[button.action_id] = count + 1
        view.add_item(
            discord.ui.Button(
                label=clip(button.label, 80),
                style=_STYLES[button.style],
                custom_id=action_custom_id(button.action_id, count),
                row=i // BUTTONS_PER_ROW,
            )
        )
    if select is not None:
        options = [
            discord.SelectOption(
                label=clip(o.label, 100),
                value=o.value[:100],
                description=clip(o.description, 100) or None,
            )
            for o in select.options[:SELECT_OPTIONS_MAX]
        ]
        view.add_item(
            discord.ui.Select(
                custom_id=action_custom_id(select.action_id),
                placeholder=clip(select.placeholder, 150),
                options=options,
                min_values=1,
                max_values=max(1, min(select.max_values, len(options))),
                row=room,
            )
        )
    view.stop()
    return view


def render_form(form: Form) -> discord.ui.Modal:
    """A modal whose custom id carries the form id and context.

    Stopped like views: the submission comes back through `on_interaction`, so a form opened
    before a restart is still accepted after it."""
    modal = discord.ui.Modal(title=clip(form.title, 45), custom_id=form_custom_id(form))
    for item in form.fields:
        modal.add_item(
            discord.ui.TextInput(
                label=clip(item.label, 45),
                custom_id=item.id,
                style=discord.TextStyle.paragraph if item.multiline else discord.TextStyle.short,
                required=item.required,
                placeholder=clip(item.placeholder, 100) or None,
                default=item.default[:4000] or None,
                max_length=max(1, min(item.max_length, 4000)),
            )
        )
    modal.stop()
    return modal


# Neutral emoji names (Slack-style short codes) and their Unicode characters.
EMOJI = {
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "x": "❌",
    "thumbsup": "👍",
    "+1": "👍",
    "thumbsdown": "👎",
    "-1": "👎",
    "tada": "🎉",
    "fire": "🔥",
    "eyes": "👀",
    "star": "⭐",
    "star2": "🌟",
    "trophy": "🏆",
    "medal": "🏅",
    "bulb": "💡",
    "question": "❓",
    "clap": "👏",
    "rocket": "🚀",
    "brain": "🧠",
    "books": "📚",
    "memo": "📝",
    "hourglass": "⏳",
    "wave": "👋",
    "heart": "❤️",
    "100": "💯",
    "raised_hands": "🙌",
    "muscle": "💪",
    "thinking_face": "🤔",
    "warning": "⚠️",
    "calendar": "📅",
    "handshake": "🤝",
    "one": "1️⃣",
    "two": "2️⃣",
    "three": "3️⃣",
    "four": "4️⃣",
    "five": "5️⃣",
}
_EMOJI_NAMES = {char: name for name, char in reversed(EMOJI.items())}


def emoji_for(name: str) -> str:
    """The Discord form of a neutral emoji name (a Unicode character or `name:id`)."""
    name = name.strip().strip(":")
    if name in EMOJI:
        return EMOJI[name]
    if not name.isascii() or re.fullmatch(r"[\w~-]+:\d+", name):
        return name  # already a Unicode emoji or a custom emoji
    raise ValueError(f"unknown emoji name {name!r}; add it to EMOJI in {__name__}")


def emoji_name(emoji: discord.PartialEmoji) -> str:
    """The neutral name of a reaction: our short code, else the character or `name:id`."""
    if emoji.id is not None:
        return f"{emoji.name}:{emoji.id}"
    char = emoji.name or ""
    return _EMOJI_NAMES.get(char, char)
