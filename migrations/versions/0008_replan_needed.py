"""Absences take effect: a published period remembers since when it needs a re-plan (an approved absence or day
off took duties off it), until a re-plan is applied; and a decided swap outlives the duties it named (their
deletion sets its references to NULL instead of deleting the request with them).

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

import hotline.models.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_SWAP_COMPLETE = "kind <> 'swap' OR (assignment_id IS NOT NULL AND colleague_id IS NOT NULL)"
NEW_SWAP_COMPLETE = ("kind <> 'swap' OR (colleague_id IS NOT NULL AND (status <> 'pending' OR "
                     "(assignment_id IS NOT NULL AND colleague_assignment_id IS NOT NULL)))")


def _swap_references(check: str, ondelete: str) -> None:
    with op.batch_alter_table("duty_requests", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_duty_requests_swap_complete"), type_="check")
        batch_op.drop_constraint(op.f("fk_duty_requests_assignment_id_duty_assignments"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_duty_requests_colleague_assignment_id_duty_assignments"), type_="foreignkey")
        batch_op.create_check_constraint(op.f("ck_duty_requests_swap_complete"), sa.text(check))
        batch_op.create_foreign_key(op.f("fk_duty_requests_assignment_id_duty_assignments"), "duty_assignments",
                                    ["assignment_id"], ["id"], ondelete=ondelete)
        batch_op.create_foreign_key(op.f("fk_duty_requests_colleague_assignment_id_duty_assignments"), "duty_assignments",
                                    ["colleague_assignment_id"], ["id"], ondelete=ondelete)


def upgrade():
    with op.batch_alter_table("duty_periods", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replan_needed_at", hotline.models.types.UTCDateTime(), nullable=True))
    _swap_references(NEW_SWAP_COMPLETE, "SET NULL")


def downgrade():
    op.execute("DELETE FROM duty_requests WHERE kind = 'swap' AND (assignment_id IS NULL OR colleague_id IS NULL)")
    _swap_references(OLD_SWAP_COMPLETE, "CASCADE")
    with op.batch_alter_table("duty_periods", schema=None) as batch_op:
        batch_op.drop_column("replan_needed_at")
