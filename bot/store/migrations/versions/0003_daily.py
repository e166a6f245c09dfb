"""daily: schedules, posts, answers, peer reviews, review assignments and tracked sends

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-26 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
When = bot.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table('daily_schedules',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('workspace_id', Id, nullable=False),
    sa.Column('channel_id', Id, nullable=False),
    sa.Column('post_time', sa.String(length=5), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('days', sa.String(length=7), nullable=False),
    sa.Column('packs', sa.JSON(), nullable=True),
    sa.Column('topics', sa.JSON(), nullable=True),
    sa.Column('window_hours', sa.Integer(), nullable=False),
    sa.Column('reveal', sa.String(length=8), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=False),
    sa.Column('review_hours', sa.Integer(), nullable=False),
    sa.Column('reviews_first', sa.Boolean(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('active_since', When(timezone=True), nullable=False),
    sa.Column('plan_start', sa.Date(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('created_at', When(timezone=True), nullable=False),
    sa.Column('updated_at', When(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_daily_schedules_channel_id_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_daily_schedules_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_schedules')),
    sa.UniqueConstraint('channel_id', name=op.f('uq_daily_schedules_channel_id'))
    )
    op.create_table('daily_posts',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('channel_id', Id, nullable=False),
    sa.Column('slot', sa.String(length=20), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('difficulty', sa.String(length=8), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('reveal', sa.String(length=8), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=False),
    sa.Column('reviews_first', sa.Boolean(), nullable=False),
    sa.Column('marker', sa.String(length=32), nullable=False),
    sa.Column('claimed_at', When(timezone=True), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=True),
    sa.Column('thread_id', sa.String(length=64), nullable=True),
    sa.Column('posted_at', When(timezone=True), nullable=True),
    sa.Column('closes_at', When(timezone=True), nullable=False),
    sa.Column('review_ends_at', When(timezone=True), nullable=False),
    sa.Column('close_claimed_at', When(timezone=True), nullable=True),
    sa.Column('closed_at', When(timezone=True), nullable=True),
    sa.Column('review_claimed_at', When(timezone=True), nullable=True),
    sa.Column('reviewed_at', When(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_daily_posts_channel_id_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_posts')),
    sa.UniqueConstraint('channel_id', 'number', name='uq_daily_posts_channel_number'),
    sa.UniqueConstraint('channel_id', 'slot', name=op.f('uq_daily_posts_channel_id')),
    sa.UniqueConstraint('marker', name=op.f('uq_daily_posts_marker'))
    )
    with op.batch_alter_table('daily_posts', schema=None) as batch_op:
        batch_op.create_index('ix_daily_posts_thread', ['thread_id'], unique=False)

    op.create_table('daily_answers',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('post_id', Id, nullable=False),
    sa.Column('person_id', Id, nullable=False),
    sa.Column('account_id', Id, nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('via', sa.String(length=8), nullable=False),
    sa.Column('edits', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('created_at', When(timezone=True), nullable=False),
    sa.Column('updated_at', When(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_daily_answers_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_daily_answers_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['daily_posts.id'], name=op.f('fk_daily_answers_post_id_daily_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_answers')),
    sa.UniqueConstraint('post_id', 'person_id', name=op.f('uq_daily_answers_post_id'))
    )
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
    op.create_table('daily_assignments',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('post_id', Id, nullable=False),
    sa.Column('reviewer_id', Id, nullable=False),
    sa.Column('answer_id', Id, nullable=False),
    sa.Column('created_at', When(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['daily_answers.id'], name=op.f('fk_daily_assignments_answer_id_daily_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['daily_posts.id'], name=op.f('fk_daily_assignments_post_id_daily_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['people.id'], name=op.f('fk_daily_assignments_reviewer_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_assignments')),
    sa.UniqueConstraint('reviewer_id', 'answer_id', name=op.f('uq_daily_assignments_reviewer_id'))
    )
    op.create_table('daily_reviews',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('answer_id', Id, nullable=False),
    sa.Column('reviewer_id', Id, nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('created_at', When(timezone=True), nullable=False),
    sa.Column('updated_at', When(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['daily_answers.id'], name=op.f('fk_daily_reviews_answer_id_daily_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['people.id'], name=op.f('fk_daily_reviews_reviewer_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_reviews')),
    sa.UniqueConstraint('answer_id', 'reviewer_id', name=op.f('uq_daily_reviews_answer_id'))
    )


def downgrade() -> None:
    op.drop_table('daily_reviews')
    op.drop_table('daily_assignments')
    op.drop_table('daily_sends')
    op.drop_table('daily_answers')
    with op.batch_alter_table('daily_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_posts_thread')
    op.drop_table('daily_posts')
    op.drop_table('daily_schedules')
