"""Helpers for the pairing stories: press buttons in the right private space, read the store.

The console's `!press` picks the newest button with a label anywhere on screen; with several
groups on screen the newest "Slot 1" may belong to another pair. `press` here looks only at
what the member can see: their DMs, the private spaces they are in, and the channel.
"""

from __future__ import annotations

from itertools import count

from sqlalchemy import func, select

from bot.adapters.console.port import STUDY, WORKSPACE, Shown
from bot.core.events import ActionPressed
from bot.core.ids import UserRef
from bot.store.ledger import total
from bot.store.members import find_account
from bot.store.tables import Activity, Workspace
from commands.pairing.tables import PairEntry, PairGroup, PairMember, PairNoShow
from tests.harness import ConsoleBot

_ids = count(1)


def spaces(console: ConsoleBot) -> dict[str, list[str]]:
    """Private space id -> member names."""
    return {k: v.split(", ") for k, v in console.adapter.console_port.spaces.items()}


def space_of(console: ConsoleBot, *names: str) -> str:
    """The newest private space holding exactly these members."""
    wanted = sorted(names)
    found = [k for k, v in spaces(console).items() if sorted(v) == wanted]
    assert found, f"no private space for {wanted}: {spaces(console)}"
    return found[-1]


def visible(console: ConsoleBot, user: str, shown: Shown) -> bool:
    if shown.visible_to not in (None, user):
        return False
    ref = shown.ref
    members = spaces(console).get(ref.channel.id) if ref is not None else None
    return members is None or user in members


def find_button(
    console: ConsoleBot, user: str, label: str, space: str | None = None, peek: bool = False
) -> Shown:
    for shown in reversed(console.adapter.console_port.shown):
        if not peek and not visible(console, user, shown):
            continue
        if space is not None and (shown.ref is None or shown.ref.channel.id != space):
            continue
        if any(b.label == label for b in shown.message.buttons):
            return shown
    raise AssertionError(f"{user} sees no button {label!r}")


async def press(
    console: ConsoleBot,
    user: str,
    label: str,
    *,
    space: str | None = None,
    peek: bool = False,
    delivery: str | None = None,
) -> list[str]:
    """Press the newest button `label` that `user` can see (`peek`: any button on screen, as
    a forged or replayed press would); `delivery` fixes the delivery id (redeliveries)."""
    shown = find_button(console, user, label, space, peek)
    button = next(b for b in shown.message.buttons if b.label == label)
    # a private reply has no message ref: the console treats its buttons as pressed in #study
    channel = shown.ref.channel if shown.ref is not None else STUDY
    session = console.adapter.session
    assert session is not None
    if session.user != user:
        await session.feed(f"!as {user}")
    event = ActionPressed(
        delivery_id=delivery or f"pairing-test:{next(_ids)}",
        actor=UserRef(WORKSPACE, user, user),
        channel=channel,
        action_id=button.action_id,
        message=shown.ref,
    )
    before = len(console.lines)
    reply = await console.app.dispatcher.handle(event)
    if reply is not None:
        session.show_reply(reply, channel, event)
    await console.app.dispatcher.drain()
    return console.lines[before:]


async def answer_form(console: ConsoleBot, *answers: str) -> list[str]:
    """Type the answers of the open form (no `!as`: that line would answer the form); returns
    what the last answer brought (the prompts for the other fields are left out)."""
    out: list[str] = []
    for answer in answers:
        out = await console.say(answer)
    return out


def text(lines: list[str]) -> str:
    return "\n".join(lines)


def seen_by(lines: list[str], where: str) -> str:
    """Only the lines shown in one place, e.g. `[DM bob]` or `[only alice]`."""
    return "\n".join(line for line in lines if line.startswith(where))


async def person_id(console: ConsoleBot, name: str) -> int:
    async with console.app.store.session() as session:
        ws = await session.scalar(select(Workspace).where(Workspace.external_id == "console"))
        assert ws is not None
        found = await find_account(session, ws.id, name)
        assert found is not None
        return found[1].id


async def groups(console: ConsoleBot) -> list[list[str]]:
    """Every group so far as sorted member names, in creation order."""
    async with console.app.store.session() as session:
        rows = await session.execute(
            select(PairMember.group_id, PairMember.person_id).order_by(PairMember.group_id)
        )
        by_group: dict[int, list[int]] = {}
        for group_id, pid in rows.all():
            by_group.setdefault(group_id, []).append(pid)
        from bot.store.tables import Person

        names = dict((await session.execute(select(Person.id, Person.display_name))).all())
    return [sorted(names[p] for p in people) for _, people in sorted(by_group.items())]


async def round_groups(console: ConsoleBot, round_id: int) -> list[list[str]]:
    async with console.app.store.session() as session:
        ids = list(
            await session.scalars(select(PairGroup.id).where(PairGroup.round_id == round_id))
        )
    everything = await groups_by_id(console)
    return [everything[i] for i in ids]


async def groups_by_id(console: ConsoleBot) -> dict[int, list[str]]:
    async with console.app.store.session() as session:
        from bot.store.tables import Person

        rows = await session.execute(
            select(PairMember.group_id, Person.display_name).join(
                Person, Person.id == PairMember.person_id
            )
        )
        out: dict[int, list[str]] = {}
        for group_id, name in rows.all():
            out.setdefault(group_id, []).append(name)
    return {k: sorted(v) for k, v in out.items()}


async def entry_states(console: ConsoleBot, round_id: int) -> dict[str, tuple[str, str | None]]:
    async with console.app.store.session() as session:
        from bot.store.tables import Person

        rows = await session.execute(
            select(Person.display_name, PairEntry.status, PairEntry.reason)
            .join(Person, Person.id == PairEntry.person_id)
            .where(PairEntry.round_id == round_id)
        )
        return {name: (status, reason) for name, status, reason in rows.all()}


async def points_of(console: ConsoleBot, name: str) -> int:
    pid = await person_id(console, name)
    async with console.app.store.session() as session:
        ws = await session.scalar(select(Workspace).where(Workspace.external_id == "console"))
        assert ws is not None
        return await total(session, ws.id, pid)


async def mock_interviews(console: ConsoleBot, name: str) -> int:
    pid = await person_id(console, name)
    async with console.app.store.session() as session:
        value = await session.scalar(
            select(func.count())
            .select_from(Activity)
            .where(Activity.person_id == pid, Activity.kind == "mock_interview")
        )
    return int(value or 0)


async def no_shows(console: ConsoleBot) -> int:
    async with console.app.store.session() as session:
        value = await session.scalar(select(func.count()).select_from(PairNoShow))
    return int(value or 0)
