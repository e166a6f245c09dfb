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
        visible = [c for c in feature.commands if ctx.is_admin or not c.admin]
        if visible:
            text = "\n".join(
                f"`/{c.name}`{' (admin)' if c.admin else ''}: {c.description}" for c in visible
            )
            fields.append(Field(feature.name, text, inline=False))
    return Reply(
        Message(
            title="StudyBot commands",
            text="Practice for machine-learning interviews together. "
            "Options are written `name:value`; `/help command:NAME` shows one in detail.",
            fields=fields,
        )
    )


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
