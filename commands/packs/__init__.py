"""/pack: the question packs a workspace sees, importing its own, and choosing them per channel.

`/pack import` takes a YAML pack (or a Red-DiscordBot trivia list) pasted into a form, or an
uploaded file where the platform delivers one: with the command (Discord's `file` option) or in
the form (Slack's file input). In the console the form is a
single line: write the two characters `\\n` where the YAML has a line break. Which packs a
channel uses is read by other features through `bot.packs.channels.enabled_packs`.
The "pack" and "topic" suggestion sources are declared by the daily feature.
"""

from __future__ import annotations

from commands.packs import service
from commands.packs.views import IMPORT_FORM
from commands.spec import CommandSpec, Feature, FormSpec, Option

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
)
