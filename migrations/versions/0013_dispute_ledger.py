"""The dispute ledger: org units below the city, mediation committees and mediators, disputes with their parties
and risks, and the append-only history of each dispute (the database refuses to change or delete an event).

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

import hotline.models.types
from hotline.models.dispute import POSTGRES_TRIGGERS, SQLITE_TRIGGERS


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('org_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name_zh', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.CheckConstraint("kind IN ('county', 'township', 'village', 'community')", name=op.f('ck_org_units_kind_valid')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_org_units_city_id_cities')),
    sa.ForeignKeyConstraint(['parent_id'], ['org_units.id'], name=op.f('fk_org_units_parent_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_units')),
    sa.UniqueConstraint('code', name=op.f('uq_org_units_code'))
    )
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_units_city_id'), ['city_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_units_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_org_units_path', ['path'], unique=False)

    op.create_table('mediation_committees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('dispute_types', sa.String(length=400), nullable=False),
    sa.Column('languages', sa.String(length=100), nullable=False),
    sa.Column('senior', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('director_phone', sa.String(length=20), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('village', 'community', 'township', 'county_key', 'medical', 'traffic', 'labour', 'property', 'court', 'police', 'petition')", name=op.f('ck_mediation_committees_kind_valid')),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_mediation_committees_capacity_nonnegative')),
    sa.CheckConstraint('level >= 0', name=op.f('ck_mediation_committees_level_nonnegative')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_mediation_committees_city_id_cities')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_mediation_committees_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_committees')),
    sa.UniqueConstraint('code', name=op.f('uq_mediation_committees_code'))
    )
    with op.batch_alter_table('mediation_committees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_committees_city_id'), ['city_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediation_committees_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('mediators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('lawyer_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['mediation_committees.id'], name=op.f('fk_mediators_committee_id_mediation_committees')),
    sa.ForeignKeyConstraint(['lawyer_id'], ['lawyers.id'], name=op.f('fk_mediators_lawyer_id_lawyers')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mediators_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediators')),
    sa.UniqueConstraint('user_id', name=op.f('uq_mediators_user_id'))
    )
    with op.batch_alter_table('mediators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediators_committee_id'), ['committee_id'], unique=False)

    op.create_table('disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('found_at', hotline.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('dispute_type', sa.String(length=24), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('people_involved', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('risk_level', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('responsible_user_id', sa.Integer(), nullable=True),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('mediator_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('api_client_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', hotline.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("dispute_type IN ('family', 'neighbour', 'land', 'property', 'labour', 'medical', 'traffic', 'contract', 'other')", name=op.f('ck_disputes_dispute_type_valid')),
    sa.CheckConstraint("risk_level IN ('red', 'orange', 'yellow', 'blue')", name=op.f('ck_disputes_risk_level_valid')),
    sa.CheckConstraint("source IN ('hotline', 'screening', 'walk_in', 'web', 'police', 'court', 'petition', 'api')", name=op.f('ck_disputes_source_valid')),
    sa.CheckConstraint("state IN ('registered', 'accepted', 'rejected', 'assessed', 'dispatched', 'in_mediation', 'succeeded', 'failed', 'transferred', 'withdrawn', 'following_up', 'closed')", name=op.f('ck_disputes_state_valid')),
    sa.CheckConstraint('amount IS NULL OR amount >= 0', name=op.f('ck_disputes_amount_nonnegative')),
    sa.CheckConstraint('people_involved >= 0', name=op.f('ck_disputes_people_nonnegative')),
    sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'], name=op.f('fk_disputes_api_client_id_api_clients')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_disputes_city_id_cities')),
    sa.ForeignKeyConstraint(['committee_id'], ['mediation_committees.id'], name=op.f('fk_disputes_committee_id_mediation_committees')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_disputes_contact_id_contacts')),
    sa.ForeignKeyConstraint(['mediator_id'], ['mediators.id'], name=op.f('fk_disputes_mediator_id_mediators')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_disputes_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['responsible_user_id'], ['users.id'], name=op.f('fk_disputes_responsible_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disputes')),
    sa.UniqueConstraint('api_client_id', 'external_id', name='uq_disputes_external'),
    sa.UniqueConstraint('contact_id', name=op.f('uq_disputes_contact_id')),
    sa.UniqueConstraint('number', name=op.f('uq_disputes_number'))
    )
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disputes_city_id'), ['city_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disputes_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disputes_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index('ix_disputes_state_level', ['state', 'risk_level'], unique=False)

    op.create_table('dispute_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('at', hotline.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.CheckConstraint("action IN ('register', 'accept', 'reject', 'assess', 'dispatch', 'committee_accept', 'committee_decline', 'session', 'succeed', 'fail', 'transfer', 'withdraw', 'follow_up', 'close', 'reopen', 'correct', 'risk_open', 'risk_close', 'measure_review', 'report', 'acknowledge', 'extend', 'warn', 'escalate')", name=op.f('ck_dispute_events_action_valid')),
    sa.ForeignKeyConstraint(['dispute_id'], ['disputes.id'], name=op.f('fk_dispute_events_dispute_id_disputes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_dispute_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_events')),
    sa.UniqueConstraint('dispute_id', 'seq', name='uq_dispute_events_seq')
    )
    with op.batch_alter_table('dispute_events', schema=None) as batch_op:
        batch_op.create_index('ix_dispute_events_action_at', ['action', 'at'], unique=False)

    statements = POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)
    op.create_table('dispute_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('role', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['disputes.id'], name=op.f('fk_dispute_parties_dispute_id_disputes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_parties'))
    )
    with op.batch_alter_table('dispute_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_parties_dispute_id'), ['dispute_id'], unique=False)

    op.create_table('dispute_risks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('opened_at', hotline.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', hotline.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('prevented', sa.Boolean(), nullable=True),
    sa.CheckConstraint("kind IN ('suicide', 'civil_to_criminal', 'group_petition', 'group_fight', 'domestic_violence')", name=op.f('ck_dispute_risks_kind_valid')),
    sa.CheckConstraint('people >= 1', name=op.f('ck_dispute_risks_people_positive')),
    sa.ForeignKeyConstraint(['dispute_id'], ['disputes.id'], name=op.f('fk_dispute_risks_dispute_id_disputes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_risks')),
    sa.UniqueConstraint('dispute_id', 'kind', name='uq_dispute_risks_kind')
    )
    with op.batch_alter_table('dispute_risks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_risks_dispute_id'), ['dispute_id'], unique=False)



def downgrade():
    with op.batch_alter_table('dispute_risks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_risks_dispute_id'))

    op.drop_table('dispute_risks')
    with op.batch_alter_table('dispute_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_parties_dispute_id'))

    op.drop_table('dispute_parties')
    with op.batch_alter_table('dispute_events', schema=None) as batch_op:
        batch_op.drop_index('ix_dispute_events_action_at')

    op.drop_table('dispute_events')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS dispute_events_append_only()")
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.drop_index('ix_disputes_state_level')
        batch_op.drop_index(batch_op.f('ix_disputes_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_disputes_committee_id'))
        batch_op.drop_index(batch_op.f('ix_disputes_city_id'))

    op.drop_table('disputes')
    with op.batch_alter_table('mediators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediators_committee_id'))

    op.drop_table('mediators')
    with op.batch_alter_table('mediation_committees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_committees_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_mediation_committees_city_id'))

    op.drop_table('mediation_committees')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_index('ix_org_units_path')
        batch_op.drop_index(batch_op.f('ix_org_units_parent_id'))
        batch_op.drop_index(batch_op.f('ix_org_units_city_id'))

    op.drop_table('org_units')
