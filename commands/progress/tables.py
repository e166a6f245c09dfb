"""Project milestones a member logs with `/progress log` (the text is theirs, shown as is)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.tables import Base, Id


class ProjectMilestone(Base):
    """One step of an end-to-end project; `done` marks the project finished."""

    __tablename__ = "project_milestones"
    __table_args__ = (Index("ix_project_milestones_member", "workspace_id", "person_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    project: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(300))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime]
    local_day: Mapped[date] = mapped_column(Date)
