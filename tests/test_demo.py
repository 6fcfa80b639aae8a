"""The demo province loads deterministic, realistic data in one command."""
from __future__ import annotations

from sqlalchemy import func, select

from hotline.models import (
    City, Contact, KeyProject, Lawyer, MediationCommittee, OrgUnit, RiskFlag, ServiceRecord, User,
)
from hotline.models.types import utcnow
from hotline.services import servicelog
from tests.conftest import login


def test_demo_loads_the_province(runner, make, app):
    """14 cities, exactly 2,885 key projects, 400+ lawyers (150+ FTZ), 5,000+ contacts, an intact log."""
    result = runner.invoke(args=["demo", "--no-plans"])
    assert result.exit_code == 0, result.output
    assert "admin" in result.output and "demo-12348" in result.output
    count = lambda stmt: make.scalar(stmt)  # noqa: E731
    assert count(select(func.count(City.id))) == 14
    assert count(select(func.count(KeyProject.id))) == 2885
    assert count(select(func.count(Lawyer.id))) >= 400
    assert count(select(func.count(Lawyer.id)).where(Lawyer.ftz_team.is_(True))) >= 150
    in_ftz = count(select(func.count(KeyProject.id)).where(KeyProject.ftz_area_id.is_not(None)))
    assert in_ftz > 2885 / 2
    assert count(select(func.count(Contact.id))) >= 5000
    assert count(select(func.count(ServiceRecord.id))) >= 4000
    assert count(select(func.count(func.distinct(KeyProject.city_id)))) == 14
    mediated = count(select(func.count(Contact.id)).where(Contact.dispute_outcome.in_(("success", "failed"))))
    success = count(select(func.count(Contact.id)).where(Contact.dispute_outcome == "success"))
    assert mediated > 500 and 0.98 <= success / mediated < 1.0
    assert count(select(func.count(RiskFlag.id)).where(RiskFlag.prevented.is_(True))) > 0
    # People's mediation: 14 cities x 3 counties x 4 townships x 5 villages, a committee in each, more per county.
    assert count(select(func.count(OrgUnit.id))) == 14 * (3 + 3 * 4 + 3 * 4 * 5)
    assert count(select(func.count(MediationCommittee.id))) == 14 * (3 * 6 + 3 * 4 + 3 * 4 * 5)
    assert count(select(func.count(MediationCommittee.id)).where(MediationCommittee.senior.is_(True))) >= 14 * 3 * 4
    orphans = select(func.count(OrgUnit.id)).where(OrgUnit.kind != "county", OrgUnit.parent_id.is_(None))
    assert count(orphans) == 0
    assert servicelog.verify(make.session).intact
    make.session.close()
    for username in ("admin", "bureau", "supervisor", "operator", "lawyer", "liaison"):
        client = app.test_client()
        assert login(client, username, "demo-12348").status_code == 302, username
        assert client.get("/").status_code == 200, username


def test_demo_is_deterministic_and_refuses_to_overwrite(runner, make):
    """A second load without --reset exits 2; with --reset the same seed gives the same data."""
    assert runner.invoke(args=["demo", "--days", "1", "--no-plans"]).exit_code == 0
    names = make.scalars(select(Lawyer.name).order_by(Lawyer.id).limit(20))
    refused = runner.invoke(args=["demo", "--days", "1", "--no-plans"])
    assert refused.exit_code == 2 and "--reset" in refused.output
    kept = runner.invoke(args=["demo", "--if-empty"])
    assert kept.exit_code == 0 and "keeping it" in kept.output
    assert runner.invoke(args=["demo", "--reset", "--if-empty"]).exit_code == 2
    assert runner.invoke(args=["demo", "--days", "1", "--reset", "--no-plans"]).exit_code == 0
    assert make.scalars(select(Lawyer.name).order_by(Lawyer.id).limit(20)) == names
    assert make.scalar(select(func.count(User.id).filter(User.username == "admin"))) == 1


def test_reference_command_is_idempotent(runner, make):
    """Loading reference data twice leaves one copy of each city."""
    assert runner.invoke(args=["reference"]).exit_code == 0
    assert runner.invoke(args=["reference"]).exit_code == 0
    assert make.scalar(select(func.count(City.id))) == 14


def test_create_admin(runner, make):
    """A coordinator account can be created from the command line; a taken name exits 2."""
    result = runner.invoke(args=["create-admin", "chief", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    assert make.scalar(select(User.role).where(User.username == "chief")) == "admin"
    assert runner.invoke(args=["create-admin", "chief", "--password", "a-long-password"]).exit_code == 2


def test_demo_reset_refuses_a_database_holding_real_records(runner, make):
    """--reset erases everything: it is refused (exit 2, nothing erased) once the database holds service records
    or contacts the demo did not make; --force overrides; --force alone is a usage error."""
    assert runner.invoke(args=["demo", "--days", "1", "--no-plans"]).exit_code == 0
    demo_records = make.scalar(select(func.count(ServiceRecord.id)))
    make.service(now=utcnow(), outcome="a real consultation after the demo was loaded")
    refused = runner.invoke(args=["demo", "--days", "1", "--reset", "--no-plans"])
    assert refused.exit_code == 2 and "--force" in refused.output and "1 service records" in refused.output
    assert make.scalar(select(func.count(ServiceRecord.id))) == demo_records + 1
    assert runner.invoke(args=["demo", "--force", "--no-plans"]).exit_code == 2
    forced = runner.invoke(args=["demo", "--days", "1", "--reset", "--force", "--no-plans"])
    assert forced.exit_code == 0, forced.output
    assert make.scalar(select(func.count(ServiceRecord.id))) == demo_records


def test_demo_reset_refuses_a_database_the_demo_never_loaded(runner, make):
    """A production database (no demo mark) with a contact in it is not reset without --force."""
    make.user("admin", username="boss")
    make.contact()
    refused = runner.invoke(args=["demo", "--days", "1", "--reset", "--no-plans"])
    assert refused.exit_code == 2 and "1 contacts" in refused.output
    assert make.scalar(select(func.count(User.id))) == 1
