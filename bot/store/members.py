"""Resolving who and where: workspaces, channels, people and their accounts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ids import ChannelRef, UserRef, WorkspaceRef
from bot.store.tables import Account, Channel, Person, Workspace
from bot.store.upsert import insert_once, insert_returning


@dataclass
class WhoAndWhere:
    """The rows an inbound event is about: its workspace, channel (if any), account, person."""

    workspace: Workspace
    channel: Channel | None
    account: Account
    person: Person


# Every row an event needs, found by the platform's ids in one statement (outer joins, so a
# missing channel or account comes back as None). Built once: executing a prepared statement
# costs SQLAlchemy far less Python than building the query again for every event.
_WHO_AND_WHERE = (
    select(Workspace, Channel, Account, Person)
    .select_from(Workspace)
    .outerjoin(
        Channel,
        and_(Channel.workspace_id == Workspace.id, Channel.external_id == bindparam("channel")),
    )
    .outerjoin(
        Account,
        and_(Account.workspace_id == Workspace.id, Account.external_id == bindparam("user")),
    )
    .outerjoin(Person, Person.id == Account.person_id)
    .where(Workspace.platform == bindparam("platform"), Workspace.external_id == bindparam("ws"))
)


async def resolve(
    session: AsyncSession, actor: UserRef, channel: ChannelRef | None, now: datetime
) -> WhoAndWhere:
    """Who and where an event is: one read when everything is known, creating what is not.

    Deliberately not cached across transactions: the rows carry settings that other
    instances may change at any time (a channel's timezone, a workspace's points, an admin
    flag, leaderboard visibility), so each event reads them fresh, with one statement instead
    of the six that the `ensure_*` functions take. Names changed on the platform are stored
    as before (the channel's name, the account's display name).
    """
    row = (
        await session.execute(
            _WHO_AND_WHERE,
            {
                "platform": actor.workspace.platform.value,
                "ws": actor.workspace.id,
                "channel": channel.id if channel is not None else None,
                "user": actor.id,
            },
        )
    ).one_or_none()
    if row is None:
        workspace = await ensure_workspace(session, actor.workspace, now)
        found_channel, account, person = None, None, None
    else:
        workspace, found_channel, account, person = row
    where: Channel | None = None
    if channel is not None:
        if found_channel is None:
            where = await ensure_channel(session, workspace, channel, now)
        else:
            where = found_channel
            if channel.name and where.name != channel.name:
                where.name = channel.name
    if account is None:
        account, person = await _first_sight(session, workspace, actor, now)
    else:
        if actor.name and account.display_name != actor.name:
            account.display_name = actor.name
        if person is None:  # cannot happen (a foreign key), but never hand out None
            person = await session.get(Person, account.person_id)
            assert person is not None
    assert person is not None
    return WhoAndWhere(workspace, where, account, person)


async def ensure_workspace(session: AsyncSession, ref: WorkspaceRef, now: datetime) -> Workspace:
    await insert_once(
        session,
        Workspace,
        {
            "platform": ref.platform.value,
            "external_id": ref.id,
            "name": ref.name,
            "settings": {},
            "created_at": now,
        },
    )
    row = await session.scalar(
        select(Workspace).where(
            Workspace.platform == ref.platform.value, Workspace.external_id == ref.id
        )
    )
    assert row is not None
    return row


async def ensure_channel(
    session: AsyncSession, workspace: Workspace, ref: ChannelRef, now: datetime
) -> Channel:
    await insert_once(
        session,
        Channel,
        {
            "workspace_id": workspace.id,
            "external_id": ref.id,
            "name": ref.name,
            "timezone": "UTC",
            "settings": {},
            "created_at": now,
        },
    )
    row = await session.scalar(
        select(Channel).where(Channel.workspace_id == workspace.id, Channel.external_id == ref.id)
    )
    assert row is not None
    if ref.name and row.name != ref.name:
        row.name = ref.name
    return row


async def ensure_account(
    session: AsyncSession, workspace: Workspace, ref: UserRef, now: datetime
) -> tuple[Account, Person]:
    """The account of `ref` in `workspace`, created with a new person on first sight."""
    account = await _account(session, workspace.id, ref.id)
    if account is None:
        return await _first_sight(session, workspace, ref, now)
    if ref.name and account.display_name != ref.name:
        account.display_name = ref.name
    person_row = await session.get(Person, account.person_id)
    assert person_row is not None
    return account, person_row


async def _first_sight(
    session: AsyncSession, workspace: Workspace, ref: UserRef, now: datetime
) -> tuple[Account, Person]:
    """Create the account of `ref` with a new person (the caller found none). Two statements:
    the person's insert and the account's insert-or-nothing with RETURNING; a concurrent event
    that created the account first wins, and its account and person are used."""
    person = Person(display_name=ref.name or ref.id, created_at=now, on_leaderboard=True)
    session.add(person)
    await session.flush()
    account = await insert_returning(
        session,
        Account,
        {
            "person_id": person.id,
            "workspace_id": workspace.id,
            "external_id": ref.id,
            "display_name": ref.name or ref.id,
            "is_admin": False,
            "created_at": now,
        },
    )
    if account is not None:
        return account, person
    await session.delete(person)  # a concurrent event created the account first
    account = await _account(session, workspace.id, ref.id)
    assert account is not None
    person_row = await session.get(Person, account.person_id)
    assert person_row is not None
    return account, person_row


async def set_admin(session: AsyncSession, workspace: Workspace, user_id: str, on: bool) -> None:
    await session.execute(
        update(Account)
        .where(Account.workspace_id == workspace.id, Account.external_id == user_id)
        .values(is_admin=on)
    )


async def find_account(
    session: AsyncSession, workspace_id: int, external_id: str
) -> tuple[Account, Person] | None:
    account = await _account(session, workspace_id, external_id)
    if account is None:
        return None
    person = await session.get(Person, account.person_id)
    assert person is not None
    return account, person


async def _account(session: AsyncSession, workspace_id: int, external_id: str) -> Account | None:
    return await session.scalar(
        select(Account).where(
            Account.workspace_id == workspace_id, Account.external_id == external_id
        )
    )


async def known_admins(session: AsyncSession, ref: WorkspaceRef) -> set[str]:
    """Accounts marked admin in the store (the console remembers `!as NAME --admin`)."""
    rows = await session.scalars(
        select(Account.external_id)
        .join(Workspace, Workspace.id == Account.workspace_id)
        .where(
            Workspace.platform == ref.platform.value,
            Workspace.external_id == ref.id,
            Account.is_admin.is_(True),
        )
    )
    return set(rows)


async def remember_admin(session: AsyncSession, user: UserRef, now: datetime) -> None:
    workspace = await ensure_workspace(session, user.workspace, now)
    account, _ = await ensure_account(session, workspace, user, now)
    account.is_admin = True


async def set_on_leaderboard(session: AsyncSession, person: Person, on: bool) -> None:
    """Show or hide a member on the leaderboards; the board aggregates follow in this same
    transaction (the flag is written first, so concurrent awards wait for it)."""
    if person.on_leaderboard == on:
        return
    person.on_leaderboard = on
    await session.flush()
    # Imported here: the store must not import feature packages when it is loaded.
    from commands.leaderboard.totals import set_visible

    await set_visible(session, person.id, on)


_NAMES = (
    select(Account.person_id, Account.display_name, Person.display_name)
    .join(Person, Person.id == Account.person_id)
    .where(Account.workspace_id == bindparam("ws"),
           Account.person_id.in_(bindparam("ids", expanding=True)))
)


async def display_names(
    session: AsyncSession, workspace_id: int, person_ids: Collection[int]
) -> dict[int, str]:
    """How members are called in a workspace (their account's name, else their own); for
    boards and summaries, never used to ping."""
    if not person_ids:
        return {}
    rows = await session.execute(_NAMES, {"ws": workspace_id, "ids": sorted(set(person_ids))})
    return {pid: account or person for pid, account, person in rows}
