"""The ledger at work: bureau and mediator accounts (a bureau coordinator belongs to an org unit), mediation
sessions with the parties and their one-time video links, townships' monthly zero reports, published (frozen)
reports, and version 2 of the service log's chain (records linked to a ledger entry).

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa

import hotline.models.types
from hotline.models.dispute import POSTGRES_REPORT_TRIGGERS, SQLITE_REPORT_TRIGGERS
from hotline.models.servicelog import SQLITE_TRIGGERS as SERVICE_LOG_SQLITE_TRIGGERS

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

ROLES = ('admin', 'operator', 'lawyer', 'liaison')
KINDS = ("hotline", "callback", "phone_consult", "video_consult", "on_site", "referral", "mediation",
         "legal_aid_referral", "legal_checkup", "contract_review", "training", "consult_elsewhere")


def _in(column, codes):
    return f"{column} IN (" + ", ".join(f"'{code}'" for code in codes) + ")"


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def _without_service_log_triggers():
    """SQLite copies the table to alter it: its append-only triggers go with the old copy."""
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS service_records_no_update")
        op.execute("DROP TRIGGER IF EXISTS service_records_no_delete")


def _with_service_log_triggers():
    if _sqlite():
        for statement in SERVICE_LOG_SQLITE_TRIGGERS:
            op.execute(statement)


def _report_triggers():
    for statement in (SQLITE_REPORT_TRIGGERS if _sqlite() else POSTGRES_REPORT_TRIGGERS):
        op.execute(statement)


def upgrade():
    op.create_table('dispute_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('revises_id', sa.Integer(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('ids_hash', sa.String(length=64), nullable=False),
    sa.Column('published_at', hotline.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_dispute_reports_period_ordered')),
    sa.CheckConstraint('revision >= 1', name=op.f('ck_dispute_reports_revision_positive')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_dispute_reports_city_id_cities')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_dispute_reports_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_dispute_reports_published_by_id_users')),
    sa.ForeignKeyConstraint(['revises_id'], ['dispute_reports.id'], name=op.f('fk_dispute_reports_revises_id_dispute_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_reports')),
    sa.UniqueConstraint('scope', 'period_start', 'period_end', 'revision', name='uq_dispute_reports_rev')
    )
    op.create_table('zero_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('filed_at', hotline.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_zero_reports_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_zero_reports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zero_reports')),
    sa.UniqueConstraint('org_unit_id', 'month', name='uq_zero_reports_unit_month')
    )
    op.create_table('dispute_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('starts_at', hotline.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', hotline.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('mediator_id', sa.Integer(), nullable=True),
    sa.Column('room_name', sa.String(length=64), nullable=True),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('service_record_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hotline.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("mode IN ('on_site', 'phone', 'video')", name=op.f('ck_dispute_sessions_mode_valid')),
    sa.CheckConstraint("state IN ('scheduled', 'held', 'cancelled')", name=op.f('ck_dispute_sessions_state_valid')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_dispute_sessions_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_dispute_sessions_created_by_id_users')),
    sa.ForeignKeyConstraint(['dispute_id'], ['disputes.id'], name=op.f('fk_dispute_sessions_dispute_id_disputes')),
    sa.ForeignKeyConstraint(['mediator_id'], ['mediators.id'], name=op.f('fk_dispute_sessions_mediator_id_mediators')),
    sa.ForeignKeyConstraint(['service_record_id'], ['service_records.id'], name=op.f('fk_dispute_sessions_service_record_id_service_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_sessions')),
    sa.UniqueConstraint('room_name', name=op.f('uq_dispute_sessions_room_name')),
    sa.UniqueConstraint('service_record_id', name=op.f('uq_dispute_sessions_service_record_id'))
    )
    with op.batch_alter_table('dispute_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_sessions_dispute_id'), ['dispute_id'], unique=False)

    op.create_table('dispute_session_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', hotline.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', hotline.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', hotline.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['dispute_parties.id'], name=op.f('fk_dispute_session_links_party_id_dispute_parties')),
    sa.ForeignKeyConstraint(['session_id'], ['dispute_sessions.id'], name=op.f('fk_dispute_session_links_session_id_dispute_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_session_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_dispute_session_links_token_hash'))
    )
    with op.batch_alter_table('dispute_session_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_session_links_session_id'), ['session_id'], unique=False)

    _without_service_log_triggers()
    with op.batch_alter_table('service_records', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_service_records_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_service_records_kind_valid'), sa.text(_in('kind', KINDS + ('mediation_follow_up',))))
        batch_op.add_column(sa.Column('chain_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('dispute_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_service_records_dispute_id'), ['dispute_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_service_records_dispute_id_disputes'), 'disputes', ['dispute_id'], ['id'])
    _with_service_log_triggers()

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_org_unit_id_org_units'), 'org_units', ['org_unit_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_users_role_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role_valid'), sa.text(_in('role', ROLES + ('bureau', 'mediator'))))
    _report_triggers()
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dispute_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contacts_dispute_id'), ['dispute_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contacts_dispute_id_disputes'), 'disputes', ['dispute_id'], ['id'],
                                    use_alter=True)



def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contacts_dispute_id_disputes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contacts_dispute_id'))
        batch_op.drop_column('dispute_id')
    # The roles before 0014 cannot hold a bureau coordinator or a mediator: their accounts are kept, deactivated,
    # under the role with the fewest rights, rather than given another role's rights.
    op.execute("UPDATE users SET role = 'liaison', active = false WHERE role IN ('bureau', 'mediator')")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role_valid'), sa.text(_in('role', ROLES)))
        batch_op.drop_constraint(batch_op.f('fk_users_org_unit_id_org_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_org_unit_id'))
        batch_op.drop_column('org_unit_id')

    _without_service_log_triggers()
    with op.batch_alter_table('service_records', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_service_records_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_service_records_kind_valid'), sa.text(_in('kind', KINDS)))
        batch_op.drop_constraint(batch_op.f('fk_service_records_dispute_id_disputes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_service_records_dispute_id'))
        batch_op.drop_column('dispute_id')
        batch_op.drop_column('chain_version')
    _with_service_log_triggers()

    with op.batch_alter_table('dispute_session_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_session_links_session_id'))

    op.drop_table('dispute_session_links')
    with op.batch_alter_table('dispute_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_sessions_dispute_id'))

    op.drop_table('dispute_sessions')
    op.drop_table('zero_reports')
    op.drop_table('dispute_reports')
