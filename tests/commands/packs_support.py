"""Helpers for the /pack stories: pack texts, console form lines, events and stored rows."""

from __future__ import annotations

from itertools import count

from sqlalchemy import select

from bot.adapters.console.port import STUDY, WORKSPACE
from bot.core.events import CommandInvoked, FormSubmitted
from bot.core.ids import ChannelRef, Platform, UserRef, WorkspaceRef
from bot.core.ui import Reply
from bot.store.db import Store
from commands.packs.tables import ImportedPack
from tests.harness import ConsoleBot
from tests.packs.helpers import HEADER, MCQ, NUMERIC, OPEN, SHORT, pack

TEAM_V1 = pack(MCQ, NUMERIC, SHORT)
TEAM_V2 = pack(
    MCQ.replace("What is its determinant?", "What is det(A)?"),
    SHORT,
    OPEN,
    header=HEADER.replace("version: 1", "version: 2"),
)
# Two loader errors: a numeric question without its tolerance, an mcq without a right answer.
BROKEN = TEAM_V1.replace("    tolerance: 0.01\n", "").replace(
    '{text: "0", correct: true}', '{text: "0"}'
)
OTHER = WorkspaceRef(Platform.CONSOLE, "other-team", "Other team")
_ids = count(1)


def one_line(text: str) -> str:
    """A pack as one console form line: line breaks written as the two characters \\n."""
    return text.replace("\n", "\\n")


async def import_by_form(console: ConsoleBot, text: str, as_: str = "you",
                         name: str = "") -> list[str]:
    opened = await console.say(f"/pack import name:{name}" if name else "/pack import", as_=as_)
    assert "form \"Import a question pack\"" in opened[0], opened
    return await console.say(one_line(text), as_=as_)


def admin(user: str, workspace: WorkspaceRef = WORKSPACE) -> UserRef:
    return UserRef(workspace, user, user, is_admin=True)


def command(name: str, args: dict[str, str] | None = None, *, user: UserRef | None = None,
            channel: ChannelRef = STUDY, attachment: bytes | None = None,
            attachment_name: str = "", delivery_id: str | None = None) -> CommandInvoked:
    actor = user or admin("you")
    return CommandInvoked(
        delivery_id=delivery_id or f"test:{next(_ids)}",
        actor=actor,
        channel=channel,
        name=name,
        args=args or {},
        attachment=attachment,
        attachment_name=attachment_name,
    )


def form(text: str, *, user: UserRef, context: str = "", attachment: bytes | None = None,
         attachment_name: str = "") -> FormSubmitted:
    return FormSubmitted(
        delivery_id=f"test:{next(_ids)}", actor=user, channel=STUDY, form_id="packs.import",
        context=context, fields={"yaml": text}, attachment=attachment,
        attachment_name=attachment_name,
    )


def text_of(reply: Reply | None) -> str:
    assert reply is not None and reply.message is not None
    return reply.message.plain()


async def stored(store: Store) -> list[tuple[str, int, int]]:
    """(pack id, version, question count) of every imported pack in the store."""
    async with store.session() as session:
        rows = await session.execute(
            select(ImportedPack.pack_id, ImportedPack.version, ImportedPack.question_count)
            .order_by(ImportedPack.workspace_id, ImportedPack.pack_id)
        )
        return [(p, v, n) for p, v, n in rows]
