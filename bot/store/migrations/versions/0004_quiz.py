"""quiz: sessions, questions, answers and spaced-repetition cards

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-26 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
When = bot.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table('srs_cards',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('person_id', Id, nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('stability', sa.Float(), nullable=True),
    sa.Column('difficulty', sa.Float(), nullable=True),
    sa.Column('due', When(timezone=True), nullable=False),
    sa.Column('last_review', When(timezone=True), nullable=True),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('lapses', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_srs_cards_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_srs_cards')),
    sa.UniqueConstraint('person_id', 'question_id', name=op.f('uq_srs_cards_person_id'))
    )
    with op.batch_alter_table('srs_cards', schema=None) as batch_op:
        batch_op.create_index('ix_srs_cards_due', ['person_id', 'due'], unique=False)

    op.create_table('srs_reviews',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('person_id', Id, nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('ref', sa.String(length=120), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('reviewed_at', When(timezone=True), nullable=False),
    sa.Column('due_after', When(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_srs_reviews_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_srs_reviews')),
    sa.UniqueConstraint('person_id', 'ref', name=op.f('uq_srs_reviews_person_id'))
    )
    op.create_table('quiz_sessions',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('workspace_id', Id, nullable=False),
    sa.Column('channel_id', Id, nullable=True),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('starter_person_id', Id, nullable=False),
    sa.Column('starter_account_id', Id, nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=True),
    sa.Column('difficulty', sa.String(length=10), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('current', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('running_key', sa.String(length=40), nullable=True),
    sa.Column('started_at', When(timezone=True), nullable=False),
    sa.Column('ended_at', When(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_quiz_sessions_channel_id_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['starter_account_id'], ['accounts.id'], name=op.f('fk_quiz_sessions_starter_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['starter_person_id'], ['people.id'], name=op.f('fk_quiz_sessions_starter_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_quiz_sessions_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_sessions')),
    sa.UniqueConstraint('running_key', name=op.f('uq_quiz_sessions_running_key'))
    )
    with op.batch_alter_table('quiz_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_sessions_starter_person_id'), ['starter_person_id'], unique=False)

    op.create_table('quiz_answers',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('session_id', Id, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('person_id', Id, nullable=False),
    sa.Column('response', sa.String(length=200), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('answered_at', When(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_quiz_answers_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['quiz_sessions.id'], name=op.f('fk_quiz_answers_session_id_quiz_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_answers')),
    sa.UniqueConstraint('session_id', 'position', 'person_id', name=op.f('uq_quiz_answers_session_id'))
    )
    op.create_table('quiz_questions',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('session_id', Id, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('opened_at', When(timezone=True), nullable=True),
    sa.Column('deadline', When(timezone=True), nullable=True),
    sa.Column('closed_at', When(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('winner_person_id', Id, nullable=True),
    sa.Column('message_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['quiz_sessions.id'], name=op.f('fk_quiz_questions_session_id_quiz_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['winner_person_id'], ['people.id'], name=op.f('fk_quiz_questions_winner_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_questions')),
    sa.UniqueConstraint('session_id', 'position', name=op.f('uq_quiz_questions_session_id'))
    )
    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_questions_open', ['closed_at', 'deadline'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_questions_open')

    op.drop_table('quiz_questions')
    op.drop_table('quiz_answers')
    with op.batch_alter_table('quiz_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_sessions_starter_person_id'))

    op.drop_table('quiz_sessions')
    op.drop_table('srs_reviews')
    with op.batch_alter_table('srs_cards', schema=None) as batch_op:
        batch_op.drop_index('ix_srs_cards_due')

    op.drop_table('srs_cards')
