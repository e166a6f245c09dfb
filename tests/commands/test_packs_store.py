"""The imported-pack table on SQLite and PostgreSQL: one row per (workspace, pack), replaced in
place, the higher version winning when two imports meet, and loading at start."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.config import Settings
from bot.core.ids import Platform, WorkspaceRef
from bot.packs.library import PackLibrary
from bot.packs.loader import load_bundled
from bot.store.db import Store
from bot.store.members import ensure_workspace
from bot.store.tables import Person
from commands.packs import queries
from commands.packs.tables import ImportedPack
from tests.commands.packs_support import TEAM_V1, TEAM_V2, admin, command, text_of
from tests.harness import ConsoleBot

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


async def setup(store: Store) -> tuple[int, int, int]:
    async with store.session() as session:
        one = await ensure_workspace(session, WorkspaceRef(Platform.SLACK, "T1"), NOW)
        two = await ensure_workspace(session, WorkspaceRef(Platform.DISCORD, "42"), NOW)
        person = Person(display_name="Ada", created_at=NOW)
        session.add(person)
        await session.flush()
        return one.id, two.id, person.id


async def save(store: Store, workspace_id: int, person_id: int, version: int, text: str) -> bool:
    async with store.session() as session:
        return await queries.save(
            session, workspace_id=workspace_id, pack_id="team-pack", version=version, text=text,
            question_count=3, person_id=person_id, now=NOW,
        )


async def test_one_row_per_workspace_and_pack_replaced_in_place(any_store: Store) -> None:
    one, two, person = await setup(any_store)
    assert await save(any_store, one, person, 1, TEAM_V1)
    assert await save(any_store, one, person, 2, TEAM_V2)
    assert await save(any_store, two, person, 1, TEAM_V1)
    async with any_store.session() as session:
        rows = (await session.execute(
            select(ImportedPack.workspace_id, ImportedPack.version).order_by(
                ImportedPack.workspace_id)
        )).all()
        assert [tuple(r) for r in rows] == [(one, 2), (two, 1)]
        row = await queries.imported(session, one, "team-pack")
        assert row is not None and row.yaml_text == TEAM_V2


async def test_two_imports_at_once_end_with_the_higher_version(any_store: Store) -> None:
    one, _, person = await setup(any_store)
    results = await asyncio.gather(
        save(any_store, one, person, 3, TEAM_V2), save(any_store, one, person, 2, TEAM_V1),
        return_exceptions=True,
    )
    assert all(not isinstance(r, BaseException) or "locked" in str(r) for r in results)
    # whatever order they ran in, a lower version never overwrites a higher one
    assert not await save(any_store, one, person, 2, TEAM_V1)
    async with any_store.session() as session:
        count = await session.scalar(select(func.count()).select_from(ImportedPack))
        row = await queries.imported(session, one, "team-pack")
    assert count == 1 and row is not None and row.version == 3


async def test_the_library_loads_stored_packs_and_skips_broken_ones(any_store: Store) -> None:
    one, two, person = await setup(any_store)
    await save(any_store, one, person, 1, TEAM_V1)
    async with any_store.session() as session:  # a row a newer rule would refuse
        await queries.save(
            session, workspace_id=two, pack_id="linear-algebra", version=1,
            text=TEAM_V1.replace("team-pack", "linear-algebra"), question_count=3,
            person_id=person, now=NOW,
        )
    library = PackLibrary(bundled=load_bundled())
    problems = await library.load_imported(any_store)
    assert "team-pack" in library.packs_for(one)
    assert "team-pack" not in library.packs_for(two)
    assert library.packs_for(two)["linear-algebra"].pack.title == "Linear algebra"
    assert len(problems) == 1 and "belongs to a bundled pack" in problems[0]


async def test_the_library_follows_what_another_instance_changed(any_store: Store) -> None:
    """Imports, new versions and removals made by another process reach this one's library
    at its next `packs.sync` (asked every tick with one small query)."""
    one, _two, person = await setup(any_store)
    library = PackLibrary(bundled=load_bundled())
    await library.load_imported(any_store)
    assert not await library.out_of_step(any_store)

    await save(any_store, one, person, 1, TEAM_V1)  # the other instance imports
    assert await library.out_of_step(any_store)
    await library.load_imported(any_store)
    assert library.packs_for(one)["team-pack"].pack.version == 1
    assert not await library.out_of_step(any_store)

    await save(any_store, one, person, 2, TEAM_V2)  # ... replaces it
    await library.load_imported(any_store)
    assert library.packs_for(one)["team-pack"].pack.version == 2

    async with any_store.session() as session:  # ... and removes it
        assert await queries.remove(session, one, "team-pack")
    assert await library.out_of_step(any_store)
    await library.load_imported(any_store)
    assert "team-pack" not in library.packs_for(one)
    assert not await library.out_of_step(any_store)


async def test_two_admins_switching_packs_at_once_both_count(any_db_url: str,
                                                             tmp_path: Path) -> None:
    """Channel settings are read-modify-write: the row lock keeps both changes."""
    settings = Settings(database_url=any_db_url, console_images_dir=str(tmp_path / "images"))
    bot = await ConsoleBot.start(settings, FakeClock(NOW))
    try:
        dispatcher = bot.app.dispatcher
        await dispatcher.handle(command("pack list"))  # the channel row exists
        replies = await asyncio.gather(
            dispatcher.handle(command("pack disable", {"pack": "coding"}, user=admin("ann"))),
            dispatcher.handle(command("pack disable", {"pack": "evaluation"}, user=admin("bo"))),
        )
        assert all("is now off" in text_of(r) for r in replies)
        listed = text_of(await dispatcher.handle(command("pack list")))
        assert "off  `coding`" in listed and "off  `evaluation`" in listed
    finally:
        await bot.stop()
