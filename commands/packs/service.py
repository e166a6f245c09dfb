"""The packs feature's rules: list, import (validated, per workspace, atomic), on/off per channel.

An import is validated exactly as `studybot packs validate` validates a file (the same loader,
the same messages), then beside the packs the workspace already sees: a bundled pack id or a
question id used by another pack is refused. Nothing is stored unless everything passes. The
stored row is replaced in place by a newer version in the import's one transaction; the
in-memory library follows after the commit.
"""

from __future__ import annotations

import asyncio
import re

from bot.core.context import Context
from bot.core.errors import NotFound, UserError
from bot.core.events import CommandInvoked, FormSubmitted
from bot.core.ui import Message, Reply
from bot.core.uploads import clean_name
from bot.packs.channels import enabled_packs, with_pack
from bot.packs.loader import red_pack_id
from bot.packs.schema import Pack
from bot.store.tables import Channel
from commands.packs import queries, views

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$")


async def list_packs(ctx: Context) -> Reply:
    library = ctx.services.packs
    visible = library.packs_for(ctx.workspace.id)
    on = enabled_packs(ctx.channel, library, ctx.workspace.id)
    rows = [
        views.Row(pack, library.is_bundled(pack_id), pack_id in on)
        for pack_id, pack in sorted(visible.items(), key=lambda kv: (not library.is_bundled(kv[0]),
                                                                     kv[0]))
    ]
    name = ctx.channel.name if ctx.channel is not None else ""
    return Reply(views.pack_list(rows, name))


async def start_import(ctx: Context) -> Reply:
    """`/pack import`: an uploaded file is imported at once; otherwise a form takes the text."""
    name = _name(str(ctx.args.get("name", "")))
    event = ctx.event
    if isinstance(event, CommandInvoked) and event.attachment is not None:
        return await import_pack(ctx, event.attachment, name, event.attachment_name)
    return Reply.open(views.import_form(name))


async def submit_import(ctx: Context) -> Reply:
    event = ctx.event
    assert isinstance(event, FormSubmitted)
    text = event.fields.get("yaml", "")
    if event.attachment is not None:
        # Slack's form offers a file input beside the text field; only one of them may count.
        if text.strip():
            raise UserError("Paste the pack or upload its file, not both; nothing was imported.")
        return await import_pack(ctx, event.attachment, _name(event.context),
                                 event.attachment_name)
    if "\n" not in text.strip():
        # A console form line is one line: the two characters \n stand for a newline there.
        text = text.replace("\\n", "\n")
    return await import_pack(ctx, text, _name(event.context))


async def import_pack(ctx: Context, data: bytes | str, name: str, filename: str = "") -> Reply:
    """Validate and store a pack for this workspace, or explain every problem and store nothing.

    `name` (a Red trivia list's id) names the source in messages; else an uploaded file's own
    name does, so that the problems point into the member's file."""
    if not ctx.is_admin:
        raise UserError("Only workspace admins can import packs.")
    library = ctx.services.packs
    workspace_id = ctx.workspace.id
    if name:
        source = f"{name}.yaml"
    else:
        source = clean_name(filename) if filename else "pasted.yaml"
    if not data.strip():
        if filename:
            raise UserError(f"The file `{source}` is empty; nothing was imported.")
        raise UserError("The pack is empty: paste the YAML of a pack (see `/help pack import`).")
    # Parsing a large pack takes a moment of CPU: keep the event loop free for other members.
    result = await asyncio.to_thread(library.check_import, workspace_id, data, source)
    if result.pack is None:
        raise UserError(views.rejected(result))
    pack = result.pack
    text = _text(data)
    before = library.packs_for(workspace_id).get(pack.id)
    row = await queries.imported(ctx.session, workspace_id, pack.id)
    if row is not None:
        if row.version == pack.pack.version and row.yaml_text == text:
            return Reply.private_text(
                f"`{pack.id}` v{row.version} is already imported with exactly this content; "
                "nothing changed."
            )
        _check_version(row.version, row.yaml_text, pack, text)
    saved = await queries.save(
        ctx.session,
        workspace_id=workspace_id,
        pack_id=pack.id,
        version=pack.pack.version,
        text=text,
        question_count=len(pack.questions),
        person_id=ctx.person.id,
        now=ctx.now,
    )
    if not saved:
        raise UserError(f"A newer version of `{pack.id}` was imported a moment ago; nothing "
                        "was changed.")

    async def use_it() -> None:
        library.set_imported(workspace_id, pack)

    ctx.later(use_it)
    return Reply(views.imported(pack, before if row is not None else None, result.warnings))


async def set_enabled(ctx: Context, on: bool) -> Reply:
    channel = _channel(ctx)
    library = ctx.services.packs
    pack_id = str(ctx.args["pack"]).strip().lower()
    visible = library.packs_for(ctx.workspace.id)
    if pack_id not in visible:
        known = ", ".join(sorted(visible)) or "none"
        raise NotFound(f"There is no pack `{pack_id}` here. Packs: {known}.")
    # Lock the channel row (PostgreSQL) so that two admins switching packs at once both count.
    await ctx.session.refresh(channel, with_for_update=True)
    current = enabled_packs(channel, library, ctx.workspace.id)
    where = f"#{channel.name}" if channel.name else "this channel"
    if (pack_id in current) == on:
        state = "on" if on else "off"
        return Reply.private_text(f"`{pack_id}` is already {state} in {where}.")
    if not on and current == {pack_id}:
        raise UserError(f"`{pack_id}` is the last pack on in {where}; turn another one on "
                        "first.")
    channel.settings = with_pack(channel.settings, pack_id, on)
    count = views.counts(visible[pack_id])
    if on:
        return Reply.private_text(f"`{pack_id}` is now on in {where}: {count} can be asked here.")
    return Reply.private_text(f"`{pack_id}` is now off in {where}: {count} will not be asked "
                              "here.")


async def enable(ctx: Context) -> Reply:
    return await set_enabled(ctx, True)


async def disable(ctx: Context) -> Reply:
    return await set_enabled(ctx, False)


async def remove(ctx: Context) -> Reply:
    library = ctx.services.packs
    pack_id = str(ctx.args["pack"]).strip().lower()
    if library.is_bundled(pack_id):
        raise UserError(f"`{pack_id}` is a bundled pack; turn it off with "
                        f"`/pack disable pack:{pack_id}` instead.")
    if not await queries.remove(ctx.session, ctx.workspace.id, pack_id):
        raise NotFound(f"This workspace has imported no pack `{pack_id}`.")
    workspace_id = ctx.workspace.id

    async def forget() -> None:
        library.remove_imported(workspace_id, pack_id)

    ctx.later(forget)
    return Reply(Message(text=f"Removed the imported pack `{pack_id}`. Questions already "
                              "asked stay in the history; no new ones come from it."))


def _check_version(stored: int, stored_text: str, pack: Pack, text: str) -> None:
    version = pack.pack.version
    if version < stored:
        raise UserError(
            f"`{pack.id}` is already imported at version {stored}; this file is version "
            f"{version}. Raise `version` above {stored} to replace it; nothing was changed."
        )
    if version == stored and text != stored_text:
        raise UserError(
            f"`{pack.id}` version {stored} is already imported with different content. Raise "
            f"`version` to {stored + 1} to replace it (question ids stay, so the history "
            "stays); nothing was changed."
        )


def _text(data: bytes | str) -> str:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return text.removeprefix("\ufeff")


def _name(raw: str) -> str:
    """The optional upload name (a Red trivia list's pack id comes from it)."""
    raw = raw.strip().removesuffix(".yaml").removesuffix(".yml")
    if not raw:
        return ""
    if not NAME.match(raw):
        raise UserError("`name` takes up to 40 letters, digits, spaces, dots, dashes or "
                        "underscores.")
    return red_pack_id(raw)


def _channel(ctx: Context) -> Channel:
    if ctx.channel is None:
        raise UserError("Use this in the channel whose packs you want to change.")
    return ctx.channel
