"""Registers: a lawyer can be kept off the duty roster (still on the FTZ team or counselling), and a law firm can be
deactivated instead of deleted (lawyers and projects point to it).

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lawyers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_duty_roster", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("law_firms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("law_firms", schema=None) as batch_op:
        batch_op.drop_column("active")
    with op.batch_alter_table("lawyers", schema=None) as batch_op:
        batch_op.drop_column("on_duty_roster")
