"""What keeps the service log from being rewritten from outside the app: TRUNCATE refused, an app database role
that cannot remove records, and signed checkpoints of the head kept outside the database."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DatabaseError, ProgrammingError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from hotline.models import ServiceRecord
from hotline.services import anchors, servicelog
from tests.services.test_servicelog import _tamper


@pytest.fixture
def anchor_file(tmp_path):
    return tmp_path / "offsite" / "anchors.jsonl"


def _anchor(runner, anchor_file):
    result = runner.invoke(args=["servicelog", "anchor", "--file", str(anchor_file)])
    assert result.exit_code == 0, result.output
    return result


def _verify(runner, anchor_file):
    return runner.invoke(args=["servicelog", "verify", "--workers", "1", "--anchors", str(anchor_file)])


def test_anchor_writes_a_signed_checkpoint_that_verify_accepts(make, runner, anchor_file):
    """The checkpoint names the head's seq and hash; verify checks it and says so."""
    for n in range(3):
        make.service(outcome=f"case {n}")
    line = json.loads(_anchor(runner, anchor_file).output)
    head = make.scalar(select(ServiceRecord).order_by(ServiceRecord.seq.desc()).limit(1))
    assert line["seq"] == 3 and line["hash"] == head.hash and len(line["hmac"]) == 64
    assert json.loads(anchor_file.read_text().splitlines()[0]) == line
    make.service()
    _anchor(runner, anchor_file)
    result = _verify(runner, anchor_file)
    assert result.exit_code == 0 and "2 checkpoints" in result.output and "4 records checked" in result.output


def test_verify_detects_records_removed_from_the_end(make, dialect, runner, anchor_file):
    """Removing the newest records leaves a consistent chain; the checkpoint still catches it."""
    for n in range(5):
        make.service(outcome=f"case {n}")
    _anchor(runner, anchor_file)
    _tamper(make.session, dialect, "DELETE FROM service_records WHERE seq >= 4")
    assert servicelog.verify(make.session).intact  # the chain alone cannot tell
    make.session.close()
    result = _verify(runner, anchor_file)
    assert result.exit_code == 1 and "seq=5" in result.output and "log ends at seq=3" in result.output


def test_verify_detects_a_rebuilt_chain(make, dialect, runner, anchor_file):
    """A log rebuilt with consistent hashes from a changed record no longer matches the checkpointed hash."""
    make.service(outcome="first")
    make.service(outcome="second")
    _anchor(runner, anchor_file)
    _tamper(make.session, dialect, "DELETE FROM service_records")
    make.service(outcome="forged first")
    make.service(outcome="forged second")
    assert servicelog.verify(make.session).intact
    make.session.close()
    result = _verify(runner, anchor_file)
    assert result.exit_code == 1 and "no longer has the hash" in result.output


def test_a_forged_or_altered_checkpoint_is_reported(make, runner, anchor_file):
    """A checkpoint edited to match a shortened log fails its signature; so does one signed with another key."""
    make.service()
    make.service()
    line = json.loads(_anchor(runner, anchor_file).output)
    anchor_file.write_text(json.dumps(line | {"seq": 1}) + "\n" + "not json\n")
    result = _verify(runner, anchor_file)
    assert result.exit_code == 1 and "signature does not match" in result.output and "not a checkpoint" in result.output
    other_key = anchors.signing_key("another secret", None)
    checkpoint = anchors.Checkpoint(line["seq"], line["hash"], line["at"])
    assert anchors.sign(checkpoint, other_key) != line["hmac"]


def test_verify_without_checkpoints_says_how_to_make_them(make, runner, anchor_file):
    """No checkpoint file yet: the chain is checked and the output says to anchor."""
    make.service()
    result = _verify(runner, anchor_file)
    assert result.exit_code == 0 and "servicelog anchor" in result.output


def test_anchor_of_an_empty_log_and_an_unwritable_file(make, runner, tmp_path):
    """An empty log has nothing to anchor (0); a file that cannot be written exits 2 with the reason."""
    assert "empty" in runner.invoke(args=["servicelog", "anchor", "--file", str(tmp_path / "a.jsonl")]).output
    make.service()
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = runner.invoke(args=["servicelog", "anchor", "--file", str(blocker / "anchors.jsonl")])
    assert result.exit_code == 2 and "cannot write" in result.output


def test_postgresql_refuses_truncate_of_the_log(make, dialect):
    """TRUNCATE skips row triggers; a statement trigger refuses it, also when cascaded from another table."""
    if dialect != "postgresql":
        pytest.skip("TRUNCATE is a PostgreSQL statement (SQLite has none)")
    contact = make.contact()
    make.service(contact_id=contact.id)
    # every table that refers to the log is named, so only the log's own trigger can refuse
    for statement in ("TRUNCATE service_records, follow_ups, project_services, project_service_files, "
                      "dispute_sessions, dispute_session_links",
                      "TRUNCATE service_records CASCADE",
                      "TRUNCATE contacts CASCADE"):
        with pytest.raises(DatabaseError, match="append-only"):
            make.session.execute(text(statement))
        make.session.rollback()
    assert make.scalar(select(func.count(ServiceRecord.id))) == 1


APP_ROLE = "hotline_app_test"


@pytest.fixture
def app_role(app, make, dialect, db_url):
    """A login role of the app's own, not the owner; dropped again afterwards."""
    if dialect != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    with make.session.begin():
        make.session.execute(text(f"DROP OWNED BY {APP_ROLE}") if _role_exists(make.session) else text("SELECT 1"))
        make.session.execute(text(f"DROP ROLE IF EXISTS {APP_ROLE}"))
        make.session.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN"))
    make.session.close()
    url = db_url.replace("postgres@", f"{APP_ROLE}@", 1)
    yield url
    with make.session.begin():
        make.session.execute(text(f"DROP OWNED BY {APP_ROLE}"))
        make.session.execute(text(f"DROP ROLE {APP_ROLE}"))
    make.session.close()


def _role_exists(session) -> bool:
    return session.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}) > 0


def test_the_app_role_appends_but_cannot_remove_records(app_factory, app_role, runner, make):
    """After grant-app-role the app runs as that role: it signs in and appends to the log, but DELETE, UPDATE and
    TRUNCATE of service records are refused by the database's permissions."""
    from tests.conftest import login

    result = runner.invoke(args=["grant-app-role", APP_ROLE])
    assert result.exit_code == 0, result.output
    make.user("admin", username="boss")
    make.service()
    as_role = app_factory(SQLALCHEMY_DATABASE_URI=app_role)
    client = as_role.test_client()
    assert login(client, "boss").status_code == 302
    assert client.get("/servicelog/").status_code == 200
    engine = create_engine(app_role, poolclass=NullPool)
    try:
        with Session(engine) as session:
            servicelog.append(session, servicelog.ServiceEntry(kind="hotline", started_at=make.get(
                ServiceRecord, 1).started_at), make.get(ServiceRecord, 1).created_at)
            session.commit()
            for statement in ("DELETE FROM service_records", "UPDATE service_records SET outcome = 'x'",
                              "TRUNCATE service_records", "ALTER TABLE service_records DISABLE TRIGGER ALL",
                              "DROP TABLE service_records CASCADE"):
                with pytest.raises(ProgrammingError, match="permission denied|must be owner"):
                    session.execute(text(statement))
                session.rollback()
    finally:
        engine.dispose()
    assert make.scalar(select(func.count(ServiceRecord.id))) == 2


def test_grant_app_role_refuses_what_would_not_protect_the_log(runner, make, dialect):
    """SQLite, an unknown role, a malformed name and a superuser are refused with exit 2."""
    result = runner.invoke(args=["grant-app-role", "no_such_role"])
    assert result.exit_code == 2
    if dialect == "sqlite":
        assert "SQLite has no database roles" in result.output
        return
    assert "no role 'no_such_role'" in result.output
    assert runner.invoke(args=["grant-app-role", "x; DROP TABLE users"]).exit_code == 2
    superuser = runner.invoke(args=["grant-app-role", "postgres"])
    assert superuser.exit_code == 2 and "superuser" in superuser.output
