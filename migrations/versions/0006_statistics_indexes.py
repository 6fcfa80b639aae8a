"""Indexes for the statistics: answered calls' waits, and follow-up ratings per service record.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_contacts_received_wait", "contacts", ["received_at", "answered_at", "wait_seconds"], unique=False)
    op.create_index("ix_follow_ups_record_score", "follow_ups", ["service_record_id", "status", "score"], unique=False)


def downgrade():
    op.drop_index("ix_follow_ups_record_score", table_name="follow_ups")
    op.drop_index("ix_contacts_received_wait", table_name="contacts")
