"""Resolving who and where: workspaces, channels, people and their accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ids import ChannelRef, UserRef, WorkspaceRef
from bot.store.tables import Account, Channel, Person, Workspace
from bot.store.upsert import insert_once


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
        person = Person(display_name=ref.name or ref.id, created_at=now, on_leaderboard=True)
        session.add(person)
        await session.flush()
        inserted = await insert_once(
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
        if not inserted:  # a concurrent event created it first
            await session.delete(person)
        account = await _account(session, workspace.id, ref.id)
        assert account is not None
    elif ref.name and account.display_name != ref.name:
        account.display_name = ref.name
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
