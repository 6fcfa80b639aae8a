"""The ledger's figures read from indexes: an entry remembers when its newest event happened, an event carries the
committee it names and when an agreement's follow-up falls due as columns (derived from its data, as
services.disputes.event_columns does), and covering indexes let PostgreSQL count a quarter from the indexes alone.
An entry also keeps its next due deadline and the sweep's next action (services.dispute_deadlines.next_moments), so
the deadline board and the sweep read only the entries with something pending.

The events are append-only; this migration fills the two new columns of the events already written by lifting the
database's guard for its own statements, inside its transaction, and putting it back before it ends.

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa

import hotline.models.types
from hotline.models.dispute import SQLITE_TRIGGERS

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

COMMITTEE_ACTIONS = ("dispatch", "committee_accept", "committee_decline")


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column('disputes', sa.Column('last_event_at', hotline.models.types.UTCDateTime(), nullable=True))
    op.add_column('disputes', sa.Column('next_due_at', hotline.models.types.UTCDateTime(), nullable=True))
    op.add_column('disputes', sa.Column('next_action_at', hotline.models.types.UTCDateTime(), nullable=True))
    op.add_column('dispute_events', sa.Column('committee_id', sa.Integer(), nullable=True))
    op.add_column('dispute_events', sa.Column('due_at', hotline.models.types.UTCDateTime(), nullable=True))
    op.execute("UPDATE disputes SET last_event_at = (SELECT max(e.at) FROM dispute_events e "
               "WHERE e.dispute_id = disputes.id)")
    _lift_guard(postgres)
    committee = ("CAST(data ->> 'committee_id' AS INTEGER)" if postgres
                 else "CAST(json_extract(data, '$.committee_id') AS INTEGER)")
    actions = ", ".join(f"'{action}'" for action in COMMITTEE_ACTIONS)
    op.execute(f"UPDATE dispute_events SET committee_id = {committee} WHERE action IN ({actions})")
    _fill_follow_up_due()
    _restore_guard(postgres)
    _fill_next_moments()
    op.drop_index('ix_dispute_events_action_at', table_name='dispute_events')
    op.create_index('ix_dispute_events_action_at', 'dispute_events', ['action', 'at'],
                    postgresql_include=['dispute_id', 'seq', 'committee_id'])
    op.create_index('ix_dispute_events_follow_up_due', 'dispute_events', ['due_at'],
                    postgresql_include=['dispute_id', 'seq'], postgresql_where=sa.text('due_at IS NOT NULL'),
                    sqlite_where=sa.text('due_at IS NOT NULL'))
    op.create_index('ix_disputes_open_stock', 'disputes', ['state', 'last_event_at'],
                    postgresql_include=['risk_level', 'city_id', 'org_unit_id', 'committee_id'])
    op.create_index('ix_disputes_registered', 'disputes', ['created_at'],
                    postgresql_include=['source', 'city_id', 'org_unit_id', 'committee_id'])
    op.create_index('ix_disputes_touched', 'disputes', ['last_event_at', 'created_at'])
    op.create_index('ix_disputes_next_due', 'disputes', ['next_due_at'])
    op.create_index('ix_disputes_next_action', 'disputes', ['next_action_at'])


def _fill_next_moments():
    """Each entry not closed: its next due deadline and the sweep's next action, from its history and risks."""
    from hotline.services.dispute_deadlines import Entry, next_moments

    moment = hotline.models.types.UTCDateTime()
    disputes = sa.table("disputes", sa.column("id", sa.Integer), sa.column("state", sa.String),
                        sa.column("risk_level", sa.String), sa.column("next_due_at", moment),
                        sa.column("next_action_at", moment))
    events = sa.table("dispute_events", sa.column("dispute_id", sa.Integer), sa.column("seq", sa.Integer),
                      sa.column("action", sa.String), sa.column("at", moment), sa.column("data", sa.JSON))
    risks = sa.table("dispute_risks", sa.column("dispute_id", sa.Integer), sa.column("kind", sa.String),
                     sa.column("opened_at", moment), sa.column("closed_at", moment))
    bind = op.get_bind()
    entries = bind.execute(sa.select(disputes.c.id, disputes.c.state, disputes.c.risk_level)
                           .where(disputes.c.state != "closed").order_by(disputes.c.id)).all()
    update = disputes.update().where(disputes.c.id == sa.bindparam("entry")).values(
        next_due_at=sa.bindparam("due"), next_action_at=sa.bindparam("action"))
    for start in range(0, len(entries), 1000):
        batch = entries[start:start + 1000]
        ids = [entry.id for entry in batch]
        history, held = {}, {}
        for row in bind.execute(sa.select(events).where(events.c.dispute_id.in_(ids))
                                .order_by(events.c.dispute_id, events.c.seq)):
            history.setdefault(row.dispute_id, []).append(row)
        for row in bind.execute(sa.select(risks).where(risks.c.dispute_id.in_(ids))):
            held.setdefault(row.dispute_id, []).append(row)
        rows = []
        for entry in batch:
            due, action = next_moments(Entry(entry.risk_level, held.get(entry.id, []), entry.state),
                                       history.get(entry.id, []))
            rows.append({"entry": entry.id, "due": due, "action": action})
        bind.execute(update, rows)


def _fill_follow_up_due():
    """Each agreement's follow-up due moment, by the rule the ledger applies (few rows: one per agreement)."""
    from hotline.services.dispute_deadlines import follow_up_due

    events = sa.table("dispute_events", sa.column("id", sa.Integer), sa.column("action", sa.String),
                      sa.column("at", hotline.models.types.UTCDateTime()), sa.column("data", sa.JSON),
                      sa.column("due_at", hotline.models.types.UTCDateTime()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(events.c.id, events.c.at, events.c.data).where(events.c.action == "succeed")).all()
    update = events.update().where(events.c.id == sa.bindparam("event_id")).values(due_at=sa.bindparam("due"))
    for start in range(0, len(rows), 5000):
        bind.execute(update, [{"event_id": event_id, "due": follow_up_due(at, (data or {}).get("performance_date"))}
                              for event_id, at, data in rows[start:start + 5000]])


def _lift_guard(postgres: bool):
    if postgres:
        op.execute("ALTER TABLE dispute_events DISABLE TRIGGER dispute_events_append_only")
    else:
        op.execute("DROP TRIGGER dispute_events_no_update")


def _restore_guard(postgres: bool):
    if postgres:
        op.execute("ALTER TABLE dispute_events ENABLE TRIGGER dispute_events_append_only")
    else:
        op.execute(next(statement for statement in SQLITE_TRIGGERS if "_no_update" in statement))


def downgrade():
    op.drop_index('ix_disputes_next_action', table_name='disputes')
    op.drop_index('ix_disputes_next_due', table_name='disputes')
    op.drop_index('ix_disputes_touched', table_name='disputes')
    op.drop_index('ix_disputes_registered', table_name='disputes')
    op.drop_index('ix_disputes_open_stock', table_name='disputes')
    op.drop_index('ix_dispute_events_follow_up_due', table_name='dispute_events')
    op.drop_index('ix_dispute_events_action_at', table_name='dispute_events')
    op.create_index('ix_dispute_events_action_at', 'dispute_events', ['action', 'at'])
    # Plain DROP COLUMN (SQLite 3.35 and later too): rebuilding the tables would take the events' guard with them.
    op.drop_column('dispute_events', 'due_at')
    op.drop_column('dispute_events', 'committee_id')
    op.drop_column('disputes', 'last_event_at')
    op.drop_column('disputes', 'next_action_at')
    op.drop_column('disputes', 'next_due_at')
