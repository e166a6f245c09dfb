"""packs: question packs imported per workspace

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
When = bot.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table('imported_packs',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('workspace_id', Id, nullable=False),
    sa.Column('pack_id', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('yaml_text', sa.Text(), nullable=False),
    sa.Column('question_count', sa.Integer(), nullable=False),
    sa.Column('imported_by', Id, nullable=True),
    sa.Column('created_at', When(timezone=True), nullable=False),
    sa.Column('updated_at', When(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['imported_by'], ['people.id'], name=op.f('fk_imported_packs_imported_by_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_imported_packs_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_packs')),
    sa.UniqueConstraint('workspace_id', 'pack_id', name=op.f('uq_imported_packs_workspace_id'))
    )


def downgrade() -> None:
    op.drop_table('imported_packs')
