"""Index shifts by time for the on-duty lookup.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_shifts_time", "shifts", ["starts_at", "ends_at"], unique=False)


def downgrade():
    op.drop_index("ix_shifts_time", table_name="shifts")
