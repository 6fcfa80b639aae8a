"""The on-duty lookup as a PostgreSQL function, so its plan outlives a transaction.

PostgreSQL took several times longer to plan the lookup than to run it, and psycopg deallocates its prepared
statements at every rollback; a PL/pgSQL function keeps its plan for the life of the connection. The body is the
query of hotline.services.duty_lookup._on_duty_query(); tests/services/test_duty_lookup.py keeps the two equal.
SQLite runs that query directly.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ON_DUTY_ROWS = """
CREATE OR REPLACE FUNCTION on_duty_rows(p_since timestamptz, p_now timestamptz, p_language varchar,
                                        p_area varchar, p_city_id integer)
RETURNS TABLE (id integer, name varchar, phone varchar, city_id integer, legal_area varchar, language varchar,
               city_code varchar, caller_neighbours varchar)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT lawyers.id, lawyers.name, lawyers.phone, lawyers.city_id, seat_requirements.legal_area,
           seat_requirements.language, cities.code,
           (SELECT caller.neighbours FROM cities AS caller WHERE caller.id = p_city_id)
    FROM duty_assignments
    JOIN lawyers ON lawyers.id = duty_assignments.lawyer_id
    JOIN cities ON cities.id = lawyers.city_id
    LEFT OUTER JOIN seat_requirements ON seat_requirements.id = duty_assignments.seat_id
    WHERE duty_assignments.shift_id IN (
            SELECT shifts.id FROM shifts
            JOIN duty_periods ON duty_periods.id = shifts.period_id
            JOIN shift_types ON shift_types.id = shifts.shift_type_id
            WHERE shifts.starts_at > p_since AND shifts.starts_at <= p_now AND shifts.ends_at > p_now
              AND duty_periods.status = 'published' AND shift_types.kind IN ('hotline', 'oncall'))
      AND lawyers.active IS true
      AND EXISTS (SELECT 1 FROM lawyer_languages
                  WHERE lawyer_languages.lawyer_id = lawyers.id AND lawyer_languages.language = p_language)
      AND (p_area IS NULL OR EXISTS (SELECT 1 FROM lawyer_areas
                                     WHERE lawyer_areas.lawyer_id = lawyers.id AND lawyer_areas.area = p_area));
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ON_DUTY_ROWS)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS on_duty_rows(timestamptz, timestamptz, varchar, varchar, integer)")
