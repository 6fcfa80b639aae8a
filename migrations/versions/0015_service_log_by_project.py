"""The service log indexed by project and start (on PostgreSQL carrying the lawyer and the end too): a project's
last service and its services in a period are read from the index, not from 30,000 scattered rows a request.

Revision ID: 0015
Revises: 0014
"""
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_service_records_project_started', 'service_records', ['project_id', 'started_at'],
                    postgresql_include=['provider_lawyer_id', 'ended_at'])


def downgrade():
    op.drop_index('ix_service_records_project_started', table_name='service_records')
