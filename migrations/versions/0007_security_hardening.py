"""Security hardening: API client scopes and liaisons, session versions, telephony callbacks handled once,
facts about the database (the demo's load time), and TRUNCATE refused on the service log.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

import hotline.models.types
from hotline.models.servicelog import POSTGRES_TRUNCATE_TRIGGER

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    # Clients that existed before scopes keep what they could do when they were made: contacts and on-duty.
    # Booking needs the liaisons a client acts for, which only `api-client create` can name.
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scopes", sa.String(length=200), nullable=False,
                                      server_default="contacts escalate on-duty"))
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.alter_column("scopes", server_default=None)
    op.create_table(
        "api_client_liaisons",
        sa.Column("api_client_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["api_client_id"], ["api_clients.id"],
                                name=op.f("fk_api_client_liaisons_api_client_id_api_clients"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_client_liaisons_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("api_client_id", "user_id", name=op.f("pk_api_client_liaisons")),
    )
    op.create_index(op.f("ix_api_client_liaisons_user_id"), "api_client_liaisons", ["user_id"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("session_version", server_default=None)
    op.create_table(
        "webhook_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=120), nullable=False),
        sa.Column("received_at", hotline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_receipts")),
        sa.UniqueConstraint("sid", "event", name=op.f("uq_webhook_receipts_sid_event")),
    )
    op.create_table(
        "database_facts",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", hotline.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_database_facts")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_TRUNCATE_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS service_records_no_truncate ON service_records")
    op.drop_table("database_facts")
    op.drop_table("webhook_receipts")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
    op.drop_index(op.f("ix_api_client_liaisons_user_id"), table_name="api_client_liaisons")
    op.drop_table("api_client_liaisons")
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_column("scopes")
