"""Alembic environment: runs on the connection StudyBot hands over (see Store.migrate)."""

from __future__ import annotations

from alembic import context

from bot.store.models import all_tables

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `studybot db upgrade`, which supplies the engine")

context.configure(
    connection=connection,
    target_metadata=all_tables(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
