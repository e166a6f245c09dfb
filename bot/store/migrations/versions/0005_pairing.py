"""pairing: schedules, rounds, sign-ups, groups, turns, tasks, feedback, no-shows

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-25 15:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables


revision = '0005'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pair_rounds',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('channel_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('opens_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('session_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('announced_at', bot.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('announce_message_id', sa.String(length=80), nullable=True),
    sa.Column('paired_at', bot.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_pair_rounds_channel_id_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_rounds')),
    sa.UniqueConstraint('channel_id', 'opens_at', name=op.f('uq_pair_rounds_channel_id'))
    )
    with op.batch_alter_table('pair_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_pair_rounds_status_closes', ['status', 'closes_at'], unique=False)

    op.create_table('pair_schedules',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('channel_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('time_of_day', sa.String(length=5), nullable=False),
    sa.Column('frequency_weeks', sa.Integer(), nullable=False),
    sa.Column('session_minutes', sa.Integer(), nullable=False),
    sa.Column('join_hours', sa.Integer(), nullable=False),
    sa.Column('anchor_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_pair_schedules_channel_id_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_schedules')),
    sa.UniqueConstraint('channel_id', name=op.f('uq_pair_schedules_channel_id'))
    )
    op.create_table('pair_signups',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('channel_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('skip_next', sa.Boolean(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('availability', sa.String(length=300), nullable=False),
    sa.Column('updated_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_pair_signups_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_pair_signups_channel_id_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_pair_signups_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_signups')),
    sa.UniqueConstraint('channel_id', 'person_id', name=op.f('uq_pair_signups_channel_id'))
    )
    op.create_table('pair_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('round_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('availability', sa.String(length=300), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('joined_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_pair_entries_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_pair_entries_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['pair_rounds.id'], name=op.f('fk_pair_entries_round_id_pair_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_entries')),
    sa.UniqueConstraint('round_id', 'person_id', name=op.f('uq_pair_entries_round_id'))
    )
    op.create_table('pair_groups',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('round_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('slots', sa.JSON(), nullable=False),
    sa.Column('chosen_at', bot.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('space_kind', sa.String(length=8), nullable=True),
    sa.Column('space_id', sa.String(length=80), nullable=True),
    sa.Column('rematch_of', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['pair_rounds.id'], name=op.f('fk_pair_groups_round_id_pair_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_groups'))
    )
    with op.batch_alter_table('pair_groups', schema=None) as batch_op:
        batch_op.create_index('ix_pair_groups_round', ['round_id'], unique=False)

    op.create_table('pair_feedback',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('from_person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('to_person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('overall', sa.Integer(), nullable=False),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('improve', sa.Text(), nullable=False),
    sa.Column('created_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['from_person_id'], ['people.id'], name=op.f('fk_pair_feedback_from_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['pair_groups.id'], name=op.f('fk_pair_feedback_group_id_pair_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_person_id'], ['people.id'], name=op.f('fk_pair_feedback_to_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_feedback')),
    sa.UniqueConstraint('group_id', 'from_person_id', 'to_person_id', name=op.f('uq_pair_feedback_group_id'))
    )
    with op.batch_alter_table('pair_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pair_feedback_to_person_id'), ['to_person_id'], unique=False)

    op.create_table('pair_members',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('met_at', bot.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_pair_members_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['pair_groups.id'], name=op.f('fk_pair_members_group_id_pair_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_pair_members_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_members')),
    sa.UniqueConstraint('group_id', 'person_id', name=op.f('uq_pair_members_group_id'))
    )
    with op.batch_alter_table('pair_members', schema=None) as batch_op:
        batch_op.create_index('ix_pair_members_person', ['person_id'], unique=False)

    op.create_table('pair_no_shows',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('round_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reporter_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('absent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['absent_id'], ['people.id'], name=op.f('fk_pair_no_shows_absent_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['pair_groups.id'], name=op.f('fk_pair_no_shows_group_id_pair_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['people.id'], name=op.f('fk_pair_no_shows_reporter_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['pair_rounds.id'], name=op.f('fk_pair_no_shows_round_id_pair_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_no_shows')),
    sa.UniqueConstraint('group_id', 'reporter_id', 'absent_id', name=op.f('uq_pair_no_shows_group_id'))
    )
    with op.batch_alter_table('pair_no_shows', schema=None) as batch_op:
        batch_op.create_index('ix_pair_no_shows_absent', ['absent_id'], unique=False)

    op.create_table('pair_tasks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('round_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('due_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', bot.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', bot.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', bot.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['pair_groups.id'], name=op.f('fk_pair_tasks_group_id_pair_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_pair_tasks_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['pair_rounds.id'], name=op.f('fk_pair_tasks_round_id_pair_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_tasks')),
    sa.UniqueConstraint('key', name=op.f('uq_pair_tasks_key'))
    )
    with op.batch_alter_table('pair_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_pair_tasks_due', ['kind', 'claimed_at', 'due_at'], unique=False)

    op.create_table('pair_turns',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('interviewer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('interviewee_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('technical_id', sa.String(length=40), nullable=True),
    sa.Column('behavioral_id', sa.String(length=40), nullable=True),
    sa.Column('topic', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['pair_groups.id'], name=op.f('fk_pair_turns_group_id_pair_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interviewee_id'], ['people.id'], name=op.f('fk_pair_turns_interviewee_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interviewer_id'], ['people.id'], name=op.f('fk_pair_turns_interviewer_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_turns')),
    sa.UniqueConstraint('group_id', 'seq', name=op.f('uq_pair_turns_group_id'))
    )
    with op.batch_alter_table('pair_turns', schema=None) as batch_op:
        batch_op.create_index('ix_pair_turns_interviewee', ['interviewee_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pair_turns', schema=None) as batch_op:
        batch_op.drop_index('ix_pair_turns_interviewee')

    op.drop_table('pair_turns')
    with op.batch_alter_table('pair_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_pair_tasks_due')

    op.drop_table('pair_tasks')
    with op.batch_alter_table('pair_no_shows', schema=None) as batch_op:
        batch_op.drop_index('ix_pair_no_shows_absent')

    op.drop_table('pair_no_shows')
    with op.batch_alter_table('pair_members', schema=None) as batch_op:
        batch_op.drop_index('ix_pair_members_person')

    op.drop_table('pair_members')
    with op.batch_alter_table('pair_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pair_feedback_to_person_id'))

    op.drop_table('pair_feedback')
    with op.batch_alter_table('pair_groups', schema=None) as batch_op:
        batch_op.drop_index('ix_pair_groups_round')

    op.drop_table('pair_groups')
    op.drop_table('pair_entries')
    op.drop_table('pair_signups')
    op.drop_table('pair_schedules')
    with op.batch_alter_table('pair_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_pair_rounds_status_closes')

    op.drop_table('pair_rounds')
