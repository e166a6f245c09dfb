"""Declarations: a command, button, form, message listener or job is declared once, here shaped.

Every adapter registers commands from these declarations (Discord app commands, Slack slash
commands, console lines), and `/help` is generated from them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.core.errors import UserError

if TYPE_CHECKING:
    from bot.core.context import Context, Services
    from bot.core.ui import Reply

Handler = Callable[["Context"], Awaitable["Reply | None"]]


class OptionType(StrEnum):
    """The type of a command option, as every platform can express it."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    USER = "user"


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass(frozen=True)
class Option:
    """A typed command option with its limits; `autocomplete` names a suggestion source."""

    name: str
    description: str
    type: OptionType = OptionType.STRING
    required: bool = False
    choices: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    autocomplete: str | None = None

    def coerce(self, raw: Any) -> Any:
        """Turn a raw value (text or already typed) into this option's type, or explain."""
        if self.type is OptionType.INTEGER:
            value: Any = _number(self, raw, int)
        elif self.type is OptionType.NUMBER:
            value = _number(self, raw, float)
        elif self.type is OptionType.BOOLEAN:
            if isinstance(raw, bool):
                value = raw
            elif str(raw).lower() in _TRUE | _FALSE:
                value = str(raw).lower() in _TRUE
            else:
                raise UserError(f"`{self.name}` must be yes or no, not `{raw}`.")
        elif self.type is OptionType.USER:
            value = str(raw).strip().removeprefix("<@").removesuffix(">").removeprefix("@")
            value = value.split("|", 1)[0]
            if not value:
                raise UserError(f"`{self.name}` must name a member.")
        else:
            value = str(raw).strip()
            if self.max_length is not None and len(value) > self.max_length:
                raise UserError(
                    f"`{self.name}` is {len(value)} characters long; the limit is "
                    f"{self.max_length}."
                )
        if self.choices:
            matches = [c for c in self.choices if c.lower() == str(value).lower()]
            if not matches:
                raise UserError(
                    f"`{self.name}` must be one of {', '.join(self.choices)} (got `{value}`)."
                )
            value = matches[0]
        return value


def _number(option: Option, raw: Any, kind: type[int] | type[float]) -> int | float:
    try:
        value = kind(raw) if not isinstance(raw, bool) else None
    except (TypeError, ValueError):
        value = None
    if value is None:
        noun = "a whole number" if kind is int else "a number"
        raise UserError(f"`{option.name}` must be {noun}, not `{raw}`.")
    if option.min_value is not None and value < option.min_value:
        raise UserError(f"`{option.name}` must be at least {option.min_value:g}.")
    if option.max_value is not None and value > option.max_value:
        raise UserError(f"`{option.name}` must be at most {option.max_value:g}.")
    return value


@dataclass(frozen=True)
class CommandSpec:
    """A slash command. `name` is its path: `help`, `daily setup`, `pair join`.

    `opens_form` tells adapters that the handler may answer with a form, so they must not
    defer the interaction first (a modal has to be the first response). `public` says the
    answer is normally shown to the channel (adapters defer publicly rather than privately).
    When a command is also the root of subcommands (`quiz` and `quiz race`), platforms that
    cannot invoke a group itself (Discord) offer it as the subcommand `group_default`; every
    platform accepts that longer name too (`/quiz start`).
    `accepts_file` tells adapters that can take an uploaded file with a command (a Discord
    attachment option) to offer one and pass its bytes as `CommandInvoked.attachment`.
    """

    name: str
    description: str
    handler: Handler
    options: tuple[Option, ...] = ()
    admin: bool = False
    opens_form: bool = False
    public: bool = False
    group_default: str = "show"
    accepts_file: bool = False

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.name.split())

    def usage(self) -> str:
        parts = [f"/{self.name}"]
        for opt in self.options:
            hint = "|".join(opt.choices) if opt.choices else opt.type.value
            parts.append(f"{opt.name}:{hint}" if opt.required else f"[{opt.name}:{hint}]")
        return " ".join(parts)

    def parse_args(self, raw: dict[str, Any], positional: Sequence[str] = ()) -> dict[str, Any]:
        """Validate and type the arguments; positional values fill options in order."""
        by_name = {o.name: o for o in self.options}
        merged: dict[str, Any] = {}
        free = [o for o in self.options if o.name not in raw]
        if len(positional) > len(free):
            extra = " ".join(positional[len(free) :])
            raise UserError(f"I don't know what `{extra}` is for. Usage: `{self.usage()}`")
        for opt, value in zip(free, positional, strict=False):
            merged[opt.name] = value
        for name, value in raw.items():
            if name not in by_name:
                known = ", ".join(by_name) or "no options"
                raise UserError(
                    f"`/{self.name}` has no option `{name}` (it takes {known}). "
                    f"Usage: `{self.usage()}`"
                )
            merged[name] = value
        args: dict[str, Any] = {}
        for opt in self.options:
            if opt.name in merged and merged[opt.name] not in (None, ""):
                args[opt.name] = opt.coerce(merged[opt.name])
            elif opt.required:
                raise UserError(f"`{opt.name}` is required. Usage: `{self.usage()}`")
        return args


@dataclass(frozen=True)
class ActionSpec:
    """Buttons and selects whose action id starts with `prefix:` go to `handler`."""

    prefix: str
    handler: Handler
    opens_form: bool = False


@dataclass(frozen=True)
class FormSpec:
    """Submissions of forms with this `form_id` go to `handler`."""

    form_id: str
    handler: Handler


@dataclass(frozen=True)
class ListenerSpec:
    """Sees every member message (channel, thread or DM); returns a reply only if it is its own."""

    name: str
    handler: Handler


@dataclass(frozen=True)
class DueWork:
    """One piece of scheduled work that fell due at `at`; `key` is unique and stable."""

    at: datetime
    key: str
    run: Callable[[Services], Awaitable[None]]


@dataclass(frozen=True)
class Wakeup:
    """A local time at which work usually falls due, so production wakes exactly then.

    `days` are weekday numbers (Monday is 0) and `timezone` an IANA name. A wake-up only runs
    the same `run_due(now)` as every tick: it changes latency, never what is done.
    """

    key: str
    hour: int
    minute: int
    days: tuple[int, ...]
    timezone: str


@dataclass(frozen=True)
class JobSpec:
    """A scheduled action: `due(services, until)` lists the work due at or before `until`.

    `due` must be a pure question about the database and `until`; the scheduler decides when
    to ask it (APScheduler in production, `!time` in the console, the fake clock in tests).
    `wakeups`, when given, lists the recurring local times worth an exact wake-up; a feature
    calls `services.schedule_changed()` after committing a change to them.
    """

    name: str
    due: Callable[[Services, datetime], Awaitable[list[DueWork]]]
    wakeups: Callable[[Services], Awaitable[list[Wakeup]]] | None = None


Suggest = Callable[["Services", str, str], Awaitable[list[str]]]


@dataclass
class Feature:
    """One feature folder's declarations."""

    name: str
    commands: list[CommandSpec] = field(default_factory=list)
    actions: list[ActionSpec] = field(default_factory=list)
    forms: list[FormSpec] = field(default_factory=list)
    listeners: list[ListenerSpec] = field(default_factory=list)
    jobs: list[JobSpec] = field(default_factory=list)
    suggestions: dict[str, Suggest] = field(default_factory=dict)


class Registry:
    """Looks up declarations by command name, action prefix and form id."""

    def __init__(self, features: Iterable[Feature]) -> None:
        self.features = list(features)
        self.commands: dict[str, CommandSpec] = {}
        self.actions: dict[str, ActionSpec] = {}
        self.forms: dict[str, FormSpec] = {}
        self.listeners: list[ListenerSpec] = []
        self.jobs: list[JobSpec] = []
        self.suggestions: dict[str, Suggest] = {}
        for feature in self.features:
            for cmd in feature.commands:
                _add(self.commands, cmd.name, cmd)
            for act in feature.actions:
                _add(self.actions, act.prefix, act)
            for form in feature.forms:
                _add(self.forms, form.form_id, form)
            self.listeners += feature.listeners
            self.jobs += feature.jobs
            self.suggestions.update(feature.suggestions)
        self.aliases: dict[str, CommandSpec] = {}
        for name, cmd in self.commands.items():
            if any(other.startswith(name + " ") for other in self.commands):
                alias = f"{name} {cmd.group_default}"
                if alias in self.commands:
                    raise ValueError(f"{alias} is declared and is also the default of {name}")
                self.aliases[alias] = cmd

    def command_for(self, words: Sequence[str]) -> tuple[CommandSpec, list[str]]:
        """The longest declared command path that starts `words`, and the rest of the words."""
        for size in range(min(3, len(words)), 0, -1):
            name = " ".join(words[:size]).lower()
            found = self.commands.get(name) or self.aliases.get(name)
            if found is not None:
                return found, list(words[size:])
        typed = " ".join(words[:2]) or "(nothing)"
        raise UserError(f"I don't know the command `/{typed}`. Try `/help`.")

    def action_for(self, action_id: str) -> ActionSpec:
        prefix = action_id.split(":", 1)[0]
        if prefix not in self.actions:
            raise UserError("That button no longer does anything.")
        return self.actions[prefix]

    def form_for(self, form_id: str) -> FormSpec:
        if form_id not in self.forms:
            raise UserError("That form is no longer in use.")
        return self.forms[form_id]

    def groups(self) -> dict[str, list[CommandSpec]]:
        """Commands by their first word, for platforms that nest subcommands.

        A group root that is itself a command appears in its list too; such platforms show it
        under its `group_default` name (`/me show`)."""
        out: dict[str, list[CommandSpec]] = {}
        for cmd in self.commands.values():
            out.setdefault(cmd.path[0], []).append(cmd)
        return out


def _add(table: dict[str, Any], key: str, value: Any) -> None:
    if key in table:
        raise ValueError(f"declared twice: {key}")
    table[key] = value
