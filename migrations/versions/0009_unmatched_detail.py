"""Why a project has no counsel, in any language: a plan item keeps the engine's reason code and parameters
(JSON) beside its English text, so the plan page says the reason in its reader's language.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match_plan_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unmatched_detail", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match_plan_items", schema=None) as batch_op:
        batch_op.drop_column("unmatched_detail")
