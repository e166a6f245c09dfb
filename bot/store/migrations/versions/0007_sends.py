"""sends: one outbox for every message the bot sends on its own (daily_sends moves into it)

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-25 15:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = '0007'
down_revision = '0003'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
When = bot.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table('sends',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('marker', sa.String(length=32), nullable=False),
    sa.Column('claimed_at', When(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=64), nullable=True),
    sa.Column('message_id', sa.String(length=64), nullable=True),
    sa.Column('confirmed_at', When(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sends')),
    sa.UniqueConstraint('key', name=op.f('uq_sends_key')),
    sa.UniqueConstraint('marker', name=op.f('uq_sends_marker'))
    )
    # The daily feature's tracked sends keep their markers, so a claim left unconfirmed before
    # the upgrade is still found on the platform afterwards.
    op.execute(
        "INSERT INTO sends (key, marker, claimed_at, message_id, confirmed_at) "
        "SELECT 'daily:' || CAST(post_id AS VARCHAR(20)) || ':' || kind, marker, claimed_at, "
        "message_id, confirmed_at FROM daily_sends"
    )
    op.drop_table('daily_sends')


def downgrade() -> None:
    op.create_table('daily_sends',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('post_id', Id, nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('marker', sa.String(length=32), nullable=False),
    sa.Column('claimed_at', When(timezone=True), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=True),
    sa.Column('confirmed_at', When(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['daily_posts.id'], name=op.f('fk_daily_sends_post_id_daily_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_sends')),
    sa.UniqueConstraint('marker', name=op.f('uq_daily_sends_marker')),
    sa.UniqueConstraint('post_id', 'kind', name=op.f('uq_daily_sends_post_id'))
    )
    op.drop_table('sends')
