"""FTZ service records per project: the team's own work on a key project (a visit, a legal check-up, a contract
review, training, a consultation given elsewhere) with its day, hours, notes and files, each appended to the service
log (new service kinds) and linked to the project.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

import hotline.models.types
from hotline.models.servicelog import POSTGRES_TRIGGERS, SQLITE_TRIGGERS

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NEW_KINDS = ("hotline", "callback", "phone_consult", "video_consult", "on_site", "referral", "mediation",
             "legal_aid_referral", "legal_checkup", "contract_review", "training", "consult_elsewhere")


def _kinds(kinds) -> None:
    check = "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # the table is copied: its append-only triggers go with the old copy and are made again on the new one
        op.execute("DROP TRIGGER IF EXISTS service_records_no_update")
        op.execute("DROP TRIGGER IF EXISTS service_records_no_delete")
    with op.batch_alter_table("service_records", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_service_records_kind_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_service_records_kind_valid"), sa.text(check))
    if sqlite:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def upgrade() -> None:
    _kinds(NEW_KINDS)
    op.create_table(
        "project_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("lawyer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("service_record_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", hotline.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("hours > 0 AND hours <= 24", name=op.f("ck_project_services_hours_range")),
        sa.CheckConstraint("kind IN ('on_site', 'legal_checkup', 'contract_review', 'training', 'consult_elsewhere')",
                           name=op.f("ck_project_services_kind_valid")),
        sa.ForeignKeyConstraint(["project_id"], ["key_projects.id"], name=op.f("fk_project_services_project_id_key_projects")),
        sa.ForeignKeyConstraint(["lawyer_id"], ["lawyers.id"], name=op.f("fk_project_services_lawyer_id_lawyers")),
        sa.ForeignKeyConstraint(["service_record_id"], ["service_records.id"],
                                name=op.f("fk_project_services_service_record_id_service_records")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_project_services_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_services")),
        sa.UniqueConstraint("service_record_id", name=op.f("uq_project_services_service_record_id")),
    )
    with op.batch_alter_table("project_services", schema=None) as batch_op:
        batch_op.create_index("ix_project_services_project_day", ["project_id", "day"], unique=False)
        batch_op.create_index("ix_project_services_lawyer_day", ["lawyer_id", "day"], unique=False)
    op.create_table(
        "project_service_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_project_service_files_size_positive")),
        sa.ForeignKeyConstraint(["service_id"], ["project_services.id"],
                                name=op.f("fk_project_service_files_service_id_project_services")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_service_files")),
    )
    with op.batch_alter_table("project_service_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_service_files_service_id"), ["service_id"], unique=False)


def downgrade() -> None:
    # The service log is append-only: records of the new kinds stay, and so does the wider list of kinds that
    # admits them (narrowing it would refuse the log as it is).
    op.drop_table("project_service_files")
    op.drop_table("project_services")
