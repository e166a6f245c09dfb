"""Command declarations -> discord.py app commands, with no second, Discord-only declaration.

discord.py reads a command's options from its callback's signature; we synthesize that
signature from each CommandSpec (`p0`, `p1`, … renamed to the option names, so any option
name works): typed options, `Range` for limits, `Choice` for choices, autocomplete wired to
`dispatcher.suggest`. Commands group by their first word (`/me timezone`); a group root that is
itself a command becomes the subcommand `group_default` (`/me show`). Admin commands default to
the Manage Server permission (the dispatcher checks again: server owners can change defaults).
A command declared `accepts_file` gets one more optional option, `file` (an attachment), whose
`discord.Attachment` reaches `on_command` beside the typed arguments, not among them.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.render import clip
from commands.spec import CommandSpec, Option, OptionType, Registry

OnCommand = Callable[
    [discord.Interaction, CommandSpec, dict[str, Any], discord.Attachment | None], Awaitable[None]
]
Suggest = Callable[[discord.Interaction, str, str], Awaitable[list[str]]]
AppCommand = app_commands.Command[Any, ..., Any] | app_commands.Group

DESCRIPTION_MAX = 100
CHOICES_MAX = 25
ADMIN = discord.Permissions(manage_guild=True)
GUILD_ONLY = app_commands.AppCommandContext(guild=True)
_RANGE: Any = app_commands.Range  # a typing alias for type checkers; a factory at run time
FILE_OPTION = "file"
FILE_DESCRIPTION = "Upload the file instead of pasting it into the form (at most 1 MB)"
_FILE_KEY = "upload"  # the callback parameter behind the `file` option (never a `p<n>` key)


@dataclass
class _Node:
    name: str
    spec: CommandSpec | None = None
    children: dict[str, _Node] = field(default_factory=dict)

    def specs(self) -> list[CommandSpec]:
        own = [self.spec] if self.spec else []
        return own + [s for child in self.children.values() for s in child.specs()]


def build_commands(registry: Registry, on_command: OnCommand, suggest: Suggest) -> list[AppCommand]:
    """One app command (or group) per first word of the declared commands."""
    roots: dict[str, _Node] = {}
    for spec in registry.commands.values():
        path = spec.path
        node = roots.setdefault(path[0], _Node(path[0]))
        for word in path[1:]:
            node = node.children.setdefault(word, _Node(word))
        node.spec = spec
    return [_build(node, None, on_command, suggest) for node in roots.values()]


def _build(
    node: _Node, parent: app_commands.Group | None, on_command: OnCommand, suggest: Suggest
) -> AppCommand:
    top = parent is None
    if not node.children:
        assert node.spec is not None
        return _command(node.spec, node.name, parent, on_command, suggest)
    specs = node.specs()
    description = node.spec.description if node.spec else f"{node.name} commands"
    group = app_commands.Group(
        name=node.name,
        description=clip(description, DESCRIPTION_MAX),
        parent=parent,
        allowed_contexts=GUILD_ONLY if top else None,
        default_permissions=ADMIN if top and all(s.admin for s in specs) else None,
    )
    if node.spec is not None:
        group.add_command(
            _command(node.spec, node.spec.group_default, group, on_command, suggest)
        )
    for child in node.children.values():
        group.add_command(_build(child, group, on_command, suggest))
    return group


def _command(
    spec: CommandSpec,
    name: str,
    parent: app_commands.Group | None,
    on_command: OnCommand,
    suggest: Suggest,
) -> app_commands.Command[Any, ..., Any]:
    command: app_commands.Command[Any, ..., Any] = app_commands.Command(
        name=name,
        description=clip(spec.description, DESCRIPTION_MAX),
        callback=_callback(spec, on_command, suggest),
        parent=parent,
        allowed_contexts=GUILD_ONLY if parent is None else None,
    )
    if parent is None and spec.admin:
        command.default_permissions = ADMIN
    return command


def _callback(spec: CommandSpec, on_command: OnCommand, suggest: Suggest) -> Any:
    keys = {f"p{i}": opt for i, opt in enumerate(spec.options)}
    if spec.accepts_file and any(opt.name == FILE_OPTION for opt in spec.options):
        raise ValueError(f"/{spec.name} accepts a file and also declares an option `file`")

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        upload = values.pop(_FILE_KEY, None)
        args = {keys[k].name: _plain(v) for k, v in values.items() if v is not None}
        await on_command(interaction, spec, args, upload)

    params = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    descriptions: dict[str, str] = {}
    renames: dict[str, str] = {}
    choices: dict[str, list[app_commands.Choice[Any]]] = {}
    autocomplete: dict[str, Any] = {}
    for key, opt in keys.items():
        params.append(
            inspect.Parameter(
                key,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_annotation(opt),
                default=inspect.Parameter.empty if opt.required else None,
            )
        )
        descriptions[key] = clip(opt.description, DESCRIPTION_MAX) or "…"
        renames[key] = opt.name
        typed = _choices(opt)
        if typed:
            choices[key] = typed
        elif opt.autocomplete and opt.type is OptionType.STRING:
            autocomplete[key] = _autocomplete(opt.autocomplete, suggest)
    if spec.accepts_file:
        # Optional and last: Discord lists required options first.
        params.append(
            inspect.Parameter(
                _FILE_KEY,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=discord.Attachment,
                default=None,
            )
        )
        descriptions[_FILE_KEY] = FILE_DESCRIPTION
        renames[_FILE_KEY] = FILE_OPTION
    # discord.py reads these attributes, as its own decorators would have set them.
    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_description__ = descriptions  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_rename__ = renames  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_choices__ = choices  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_autocomplete__ = autocomplete  # type: ignore[attr-defined]
    return callback


def _annotation(opt: Option) -> Any:
    low, high = opt.min_value, opt.max_value
    if opt.type is OptionType.INTEGER:
        if low is None and high is None:
            return int
        return _RANGE[int, _int_or_none(low), _int_or_none(high)]
    if opt.type is OptionType.NUMBER:
        if low is None and high is None:
            return float
        return _RANGE[float, low, high]
    if opt.type is OptionType.BOOLEAN:
        return bool
    if opt.type is OptionType.USER:
        return discord.Member
    if opt.max_length is not None and not opt.choices:
        return _RANGE[str, None, min(opt.max_length, 6000)]
    return str


def _int_or_none(value: float | None) -> int | None:
    return None if value is None else int(value)


def _choices(opt: Option) -> list[app_commands.Choice[Any]]:
    if not opt.choices or len(opt.choices) > CHOICES_MAX:
        return []  # more than Discord shows: the dispatcher still checks the value
    kind: type = {OptionType.INTEGER: int, OptionType.NUMBER: float}.get(opt.type, str)
    if opt.type in (OptionType.BOOLEAN, OptionType.USER):
        return []
    try:
        return [app_commands.Choice(name=clip(c, 100), value=kind(c)) for c in opt.choices]
    except ValueError:
        return []


def _autocomplete(source: str, suggest: Suggest) -> Any:
    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        found = await suggest(interaction, source, current)
        return [app_commands.Choice(name=clip(s, 100), value=s[:100]) for s in found[:25]]

    return complete


def _plain(value: Any) -> Any:
    """Discord objects as the neutral values the dispatcher coerces (a member -> its id)."""
    if isinstance(value, discord.abc.Snowflake) and not isinstance(value, int):
        return str(value.id)
    return value


def command_payload(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None
) -> list[dict[str, Any]]:
    """What a sync would send for `guild` (None: global), in a stable order."""
    commands = tree.get_commands(guild=guild, type=discord.AppCommandType.chat_input)
    return sorted((c.to_dict(tree) for c in commands), key=lambda c: str(c["name"]))


def command_set_hash(payload: list[dict[str, Any]]) -> str:
    """A hash of the declared command set; a sync is needed only when it changes."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
