"""/pack: the question packs a workspace sees, importing its own, and choosing them per channel.

`/pack import` takes a YAML pack (or a Red-DiscordBot trivia list) pasted into a form, or an
uploaded file where the platform delivers one: with the command (Discord's `file` option) or in
the form (Slack's file input). In the console the form is a
single line: write the two characters `\\n` where the YAML has a line break. Which packs a
channel uses is read by other features through `bot.packs.channels.enabled_packs`.
The "pack" and "topic" suggestion sources are declared by the daily feature.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Services
from commands.packs import service
from commands.packs.views import IMPORT_FORM
from commands.spec import CommandSpec, DueWork, Feature, FormSpec, JobSpec, Option


async def due_sync(services: Services, until: datetime) -> list[DueWork]:
    """Another instance imported, replaced or removed a pack: load it here too (each process
    keeps the packs in memory; the store is the truth)."""
    if not await services.packs.out_of_step(services.store):
        return []
    return [DueWork(until, f"packs.sync:{until.isoformat()}", _sync)]


async def _sync(services: Services) -> None:
    await services.packs.load_imported(services.store)


PACK = Option("pack", "A pack id, e.g. linear-algebra", required=True, autocomplete="pack",
              max_length=40)

FEATURE = Feature(
    name="Question packs",
    commands=[
        CommandSpec(
            "pack list",
            "The question packs here with their counts, and which are on in this channel.",
            service.list_packs,
        ),
        CommandSpec(
            "pack import",
            "Import a YAML question pack (or a Red trivia list) for this workspace, up to 1 MB.",
            service.start_import,
            options=(
                Option("name", "Only for a Red trivia list: its pack id", max_length=40),
            ),
            admin=True,
            opens_form=True,
            accepts_file=True,
        ),
        CommandSpec("pack enable", "Use a pack's questions in this channel.", service.enable,
                    options=(PACK,), admin=True),
        CommandSpec("pack disable", "Stop using a pack's questions in this channel.",
                    service.disable, options=(PACK,), admin=True),
        CommandSpec("pack remove", "Delete a pack this workspace imported.", service.remove,
                    options=(PACK,), admin=True),
    ],
    forms=[FormSpec(IMPORT_FORM, service.submit_import)],
    jobs=[JobSpec("packs.sync", due_sync)],
)
