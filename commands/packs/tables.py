"""The packs feature's table: question packs a workspace imported, one row per pack id.

A new version of a pack replaces the row in place (unique workspace and pack id), inside the
import's one transaction, so a reader sees the old version or the new one, never a mix. The
YAML text is kept as uploaded: it is validated again at every start, with the rules of the
running StudyBot.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.tables import Base, Id


class ImportedPack(Base):
    """A pack imported with `/pack import`; visible only inside its workspace."""

    __tablename__ = "imported_packs"
    __table_args__ = (UniqueConstraint("workspace_id", "pack_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    pack_id: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    yaml_text: Mapped[str] = mapped_column(Text)
    question_count: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
