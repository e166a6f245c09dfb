"""The packs in use: bundled ones for everybody, imported ones per workspace."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.packs.lint import lint_across
from bot.packs.loader import LoadResult, load_text
from bot.packs.schema import Pack, Question

if TYPE_CHECKING:
    from bot.store.db import Store

log = logging.getLogger(__name__)


@dataclass
class PackLibrary:
    """Bundled packs plus each workspace's own imports (never visible to other workspaces)."""

    bundled: dict[str, Pack] = field(default_factory=dict)
    imported: dict[int, dict[str, Pack]] = field(default_factory=dict)
    # What the store held at the last load: (workspace id, pack id) -> (version, updated_at).
    stamps: dict[tuple[int, str], tuple[int, datetime]] = field(default_factory=dict)

    def packs_for(self, workspace_id: int | None) -> dict[str, Pack]:
        packs = dict(self.bundled)
        if workspace_id is not None:
            packs.update(self.imported.get(workspace_id, {}))
        return packs

    def is_bundled(self, pack_id: str) -> bool:
        return pack_id in self.bundled

    def questions(self, workspace_id: int | None) -> Iterable[Question]:
        for pack in self.packs_for(workspace_id).values():
            yield from pack.questions

    def question(self, workspace_id: int | None, question_id: str) -> Question | None:
        for pack in self.packs_for(workspace_id).values():
            found = pack.by_id.get(question_id)
            if found is not None:
                return found
        return None

    def pack_of(self, workspace_id: int | None) -> dict[str, str]:
        """Question id -> pack id for the packs a workspace sees."""
        return {q.id: p.id for p in self.packs_for(workspace_id).values() for q in p.questions}

    def set_imported(self, workspace_id: int, pack: Pack) -> None:
        """Use `pack` in its workspace, unless a newer version is already in use (two imports
        that finish out of order end with the newer one, as the store does)."""
        mine = self.imported.setdefault(workspace_id, {})
        current = mine.get(pack.id)
        if current is None or current.pack.version <= pack.pack.version:
            mine[pack.id] = pack

    def check_import(self, workspace_id: int, data: bytes | str, source: str) -> LoadResult:
        """Validate a pack for `workspace_id` as `/pack import` does: alone, then beside the
        packs it would join (no bundled pack id, no question id used elsewhere). An earlier
        version of the same pack is not "elsewhere": the new one replaces it."""
        result = load_text(data, source)
        if result.pack is not None:
            beside = {
                pack_id: pack
                for pack_id, pack in self.packs_for(workspace_id).items()
                if pack_id != result.pack.id or self.is_bundled(pack_id)
            }
            lint_across([result], existing=beside, reserved=set(self.bundled))
        return result

    def remove_imported(self, workspace_id: int, pack_id: str) -> None:
        self.imported.get(workspace_id, {}).pop(pack_id, None)

    async def out_of_step(self, store: Store) -> bool:
        """Whether the store holds imports this process has not loaded (or no longer holds
        some it has): another instance imported, replaced or removed a pack."""
        from commands.packs.queries import imported_stamps

        async with store.session() as session:
            return await imported_stamps(session) != self.stamps

    async def load_imported(self, store: Store) -> list[str]:
        """Bring the imported packs in step with the store: all of them at start, then what
        changed (the `packs.sync` job asks `out_of_step` every tick).

        Each stored pack is validated again with today's rules beside the bundled packs; one
        that no longer passes (a bundled pack took its id, a rule got stricter) is skipped and
        logged, never fatal. Returns the problems, one line each."""
        from commands.packs.queries import imported_stamps, imported_texts

        problems: list[str] = []
        async with store.session() as session:
            stamps = await imported_stamps(session)
            changed = [key for key, stamp in stamps.items() if self.stamps.get(key) != stamp]
            rows = await imported_texts(session, changed) if changed else []
        for workspace_id, pack_id in set(self.stamps) - set(stamps):
            self.remove_imported(workspace_id, pack_id)
        for workspace_id, pack_id, text in rows:
            result = self.check_import(workspace_id, text, f"{pack_id}.yaml")
            if result.pack is None:
                for problem in result.errors:
                    problems.append(f"workspace {workspace_id}: {problem}")
                log.warning("imported pack %s of workspace %s skipped: %s", pack_id,
                            workspace_id, "; ".join(str(p) for p in result.errors[:3]))
                continue
            self.imported.setdefault(workspace_id, {})[pack_id] = result.pack  # the store's
        self.stamps = stamps
        return problems
