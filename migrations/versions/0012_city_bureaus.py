"""City bureaus: a coordinator may belong to one of the fourteen city bureaus of justice (and then sees and plans
only that city), a duty period may be a city's own roster, and an API client may act for one city.

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("users", "duty_periods", "api_clients")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("city_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_city_id"), ["city_id"], unique=False)
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_city_id_cities"), "cities", ["city_id"], ["id"])


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_city_id_cities"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_city_id"))
            batch_op.drop_column("city_id")
