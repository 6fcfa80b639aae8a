"""Consultations: no lawyer booked twice (exclusion constraint on PostgreSQL), one live booking per request,
when an outcome was recorded, and liaisons' calendar feeds.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

import hotline.models.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("uq_bookings_live_request", "bookings", ["request_id"], unique=True,
                    sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome_recorded_at", hotline.models.types.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table("lawyers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_consultations_per_day", sa.Integer(), nullable=False, server_default="6"))
    with op.batch_alter_table("lawyers", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_lawyers_max_consultations_nonnegative"),
                                         "max_consultations_per_day >= 0")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ical_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_ical_token"), ["ical_token"])
    if op.get_bind().dialect.name == "postgresql":
        # btree_gist lets one constraint combine equality on the lawyer with overlap of the time ranges.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute("ALTER TABLE bookings ADD CONSTRAINT ex_bookings_lawyer_overlap EXCLUDE USING gist "
                   "(lawyer_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status = 'booked')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE bookings DROP CONSTRAINT IF EXISTS ex_bookings_lawyer_overlap")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_ical_token"), type_="unique")
        batch_op.drop_column("ical_token")
    with op.batch_alter_table("lawyers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_lawyers_max_consultations_nonnegative"), type_="check")
    with op.batch_alter_table("lawyers", schema=None) as batch_op:
        batch_op.drop_column("max_consultations_per_day")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("outcome_recorded_at")
    op.drop_index("uq_bookings_live_request", table_name="bookings")
