"""/help, generated from the command declarations."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.ui import Field, Message, Reply
from commands.spec import CommandSpec, Feature, Option


async def show_help(ctx: Context) -> Reply:
    registry = ctx.services.registry
    wanted = str(ctx.args.get("command", "")).strip().lstrip("/").lower()
    if wanted:
        matches = [c for name, c in registry.commands.items() if name.startswith(wanted)]
        if not matches:
            return Reply.private_text(f"There is no command `/{wanted}`. Try `/help`.")
        lines = []
        for cmd in matches:
            lines.append(f"`{cmd.usage()}`: {cmd.description}")
            lines += [f"    {o.name}: {o.description}" for o in cmd.options]
        return Reply(Message(title=f"Help: /{wanted}", text="\n".join(lines)))
    fields = []
    for feature in registry.features:
        lines = [
            f"`/{c.name}`{' (admin)' if c.admin else ''}: {c.description}"
            for c in feature.commands
            if ctx.is_admin or not c.admin
        ]
        fields += [Field(feature.name, text, inline=False) for text in _chunks(lines)]
    return Reply(
        Message(
            title="StudyBot commands",
            text="Practice for machine-learning interviews together. "
            "Options are written `name:value`; `/help command:NAME` shows one in detail.",
            fields=fields,
        )
    )


FIELD_LIMIT = 1000  # a field value stays readable everywhere (Discord caps one at 1,024)


def _chunks(lines: list[str]) -> list[str]:
    """Join lines into field values no longer than FIELD_LIMIT, never splitting a line."""
    chunks: list[str] = []
    for line in lines:
        if chunks and len(chunks[-1]) + 1 + len(line) <= FIELD_LIMIT:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line[:FIELD_LIMIT])
    return chunks


FEATURE = Feature(
    name="Help",
    commands=[
        CommandSpec(
            name="help",
            description="List the commands, or explain one.",
            handler=show_help,
            options=(Option("command", "A command to explain, e.g. daily setup"),),
        )
    ],
)
