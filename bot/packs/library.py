"""The packs in use: bundled ones for everybody, imported ones per workspace."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.packs.schema import Pack, Question


@dataclass
class PackLibrary:
    """Bundled packs plus each workspace's own imports (never visible to other workspaces)."""

    bundled: dict[str, Pack] = field(default_factory=dict)
    imported: dict[int, dict[str, Pack]] = field(default_factory=dict)

    def packs_for(self, workspace_id: int | None) -> dict[str, Pack]:
        packs = dict(self.bundled)
        if workspace_id is not None:
            packs.update(self.imported.get(workspace_id, {}))
        return packs

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
        self.imported.setdefault(workspace_id, {})[pack.id] = pack
