"""streaks, leaderboard aggregates, plan progress

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-25 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

revision = '0006'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Shared table, additive: how many questions a finished quiz had (streaks count quizzes
    # from a minimum size).
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=True))

    # Leaderboard aggregates (commands/leaderboard/tables.py).
    op.create_table('points_totals',
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('period_kind', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('visible', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_points_totals_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_points_totals_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'period_kind', 'period_start', 'topic', 'person_id', name=op.f('pk_points_totals'))
    )
    with op.batch_alter_table('points_totals', schema=None) as batch_op:
        batch_op.create_index('ix_points_totals_rank', ['workspace_id', 'period_kind', 'period_start', 'topic', 'visible', 'points', 'person_id'], unique=False)
        batch_op.create_index('ix_points_totals_person', ['person_id'], unique=False)

    op.create_table('points_histogram',
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('period_kind', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_points_histogram_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'period_kind', 'period_start', 'topic', 'points', name=op.f('pk_points_histogram'))
    )
    op.create_table('recaps',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('channel_id', ID, nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('claimed_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('message_id', sa.String(length=120), nullable=True),
    sa.Column('sent_at', bot.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_recaps_channel_id_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recaps')),
    sa.UniqueConstraint('channel_id', 'week', name=op.f('uq_recaps_channel_id'))
    )
    _backfill_totals()

    # Streaks (commands/streaks/tables.py).
    op.create_table('streak_state',
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('current', sa.Integer(), nullable=False),
    sa.Column('longest', sa.Integer(), nullable=False),
    sa.Column('freezes', sa.Integer(), nullable=False),
    sa.Column('last_kept', sa.Date(), nullable=True),
    sa.Column('check_at', bot.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('remind', sa.Boolean(), nullable=False),
    sa.Column('remind_at', bot.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_streak_state_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_streak_state_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'person_id', name=op.f('pk_streak_state'))
    )
    with op.batch_alter_table('streak_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_streak_state_check_at'), ['check_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_streak_state_remind_at'), ['remind_at'], unique=False)

    op.create_table('streak_repairs',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('granted_by', ID, nullable=True),
    sa.Column('at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by'], ['people.id'], name=op.f('fk_streak_repairs_granted_by_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_streak_repairs_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_streak_repairs_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_streak_repairs')),
    sa.UniqueConstraint('workspace_id', 'person_id', 'day', name=op.f('uq_streak_repairs_workspace_id'))
    )
    op.create_table('streak_notices',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('claimed_at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('message_id', sa.String(length=120), nullable=True),
    sa.Column('sent_at', bot.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_streak_notices_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_streak_notices_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_streak_notices')),
    sa.UniqueConstraint('workspace_id', 'person_id', 'kind', 'day', name=op.f('uq_streak_notices_workspace_id'))
    )

    # Plan progress (commands/progress/tables.py).
    op.create_table('project_milestones',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('workspace_id', ID, nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('project', sa.String(length=40), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('at', bot.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('local_day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_project_milestones_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_project_milestones_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_milestones'))
    )
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.create_index('ix_project_milestones_member', ['workspace_id', 'person_id'], unique=False)


def _backfill_totals() -> None:
    """Ledger lines written before this revision get their aggregates (UTC periods)."""
    import datetime as dt
    from collections import Counter, defaultdict

    conn = op.get_bind()
    hidden = {row[0] for row in conn.execute(
        sa.text('SELECT id FROM people WHERE NOT on_leaderboard'))}
    rows = conn.execute(sa.text(
        'SELECT workspace_id, person_id, points, topic, created_at FROM points_ledger'
    ))
    boards: dict[tuple, Counter] = defaultdict(Counter)
    for ws, person, points, topic, created in rows:
        if not points:
            continue
        if isinstance(created, str):
            created = dt.datetime.fromisoformat(created)
        if created.tzinfo is not None:
            created = created.astimezone(dt.timezone.utc)
        day = created.date()
        starts = {'week': day - dt.timedelta(days=day.weekday()), 'month': day.replace(day=1),
                  'all': dt.date(1970, 1, 1)}
        for kind, start in starts.items():
            for t in ('', topic) if topic else ('',):
                boards[(ws, kind, start, t)][person] += points
    totals = sa.table('points_totals', sa.column('workspace_id'), sa.column('period_kind'),
                      sa.column('period_start', sa.Date()), sa.column('topic'),
                      sa.column('person_id'), sa.column('points'), sa.column('visible'))
    histogram = sa.table('points_histogram', sa.column('workspace_id'), sa.column('period_kind'),
                         sa.column('period_start', sa.Date()), sa.column('topic'),
                         sa.column('points'), sa.column('members'))
    for (ws, kind, start, t), members in boards.items():
        key = {'workspace_id': ws, 'period_kind': kind, 'period_start': start, 'topic': t}
        conn.execute(totals.insert(), [{**key, 'person_id': p, 'points': v,
                                        'visible': p not in hidden}
                                       for p, v in members.items()])
        shown = Counter(v for p, v in members.items() if p not in hidden)
        if shown:
            conn.execute(histogram.insert(), [{**key, 'points': v, 'members': n}
                                              for v, n in shown.items()])


def downgrade() -> None:
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_project_milestones_member')
    op.drop_table('project_milestones')
    op.drop_table('streak_notices')
    op.drop_table('streak_repairs')
    with op.batch_alter_table('streak_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_streak_state_remind_at'))
        batch_op.drop_index(batch_op.f('ix_streak_state_check_at'))
    op.drop_table('streak_state')
    op.drop_table('recaps')
    op.drop_table('points_histogram')
    with op.batch_alter_table('points_totals', schema=None) as batch_op:
        batch_op.drop_index('ix_points_totals_person')
        batch_op.drop_index('ix_points_totals_rank')
    op.drop_table('points_totals')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_column('size')
