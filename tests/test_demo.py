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
    result = runner.invoke(args=["demo", "--no-plans", "--no-ledger"])
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
    for username in ("admin", "bureau", "supervisor", "operator", "lawyer", "liaison", "county", "township", "mediator"):
        client = app.test_client()
        assert login(client, username, "demo-12348").status_code == 302, username
        assert client.get("/").status_code == 200, username
        if username in ("county", "township", "mediator"):  # each sees its own part of the demo quarter
            assert "纠2102-" in client.get("/disputes/").get_data(as_text=True), username


def test_demo_is_deterministic_and_refuses_to_overwrite(runner, make):
    """A second load without --reset exits 2; with --reset the same seed gives the same data."""
    assert runner.invoke(args=["demo", "--days", "1", "--no-plans", "--no-ledger"]).exit_code == 0
    names = make.scalars(select(Lawyer.name).order_by(Lawyer.id).limit(20))
    refused = runner.invoke(args=["demo", "--days", "1", "--no-plans", "--no-ledger"])
    assert refused.exit_code == 2 and "--reset" in refused.output
    kept = runner.invoke(args=["demo", "--if-empty"])
    assert kept.exit_code == 0 and "keeping it" in kept.output
    assert runner.invoke(args=["demo", "--reset", "--if-empty"]).exit_code == 2
    assert runner.invoke(args=["demo", "--days", "1", "--reset", "--no-plans", "--no-ledger"]).exit_code == 0
    assert make.scalars(select(Lawyer.name).order_by(Lawyer.id).limit(20)) == names
    assert make.scalar(select(func.count(User.id).filter(User.username == "admin"))) == 1


def test_the_demo_quarter_reproduces_the_departments_figures(app, make):
    """The exact seed, at full scale (26,412 entries, about 230,000 events; 20-30 s): the last full quarter's
    report reads 排查出各类矛盾纠纷2.6万余件，调解纠纷25958件，调解成功25779件，调解成功率99%。有效防止民间纠纷引发的自杀3起，
    防止“民转刑”案件42件，防止群体性上访98件，防止群体性械斗6件, and every event is one act() would write."""
    from datetime import date

    from hotline.demo import ledger, mediation
    from hotline.disputes import wording
    from hotline.extensions import db
    from hotline.models import Dispute, DisputeEvent
    from hotline.services import dispute_figures, disputes, reference
    from tests.factories import NOW

    with app.app_context():
        reference.ensure(db.session)
        mediation.load(db.session, 12348)
        ledger.load(db.session, 12348, NOW, None)
        db.session.commit()
        first, last = ledger.last_full_quarter(NOW)
        assert (first, last) == (date(2026, 7, 1), date(2026, 9, 30))
        found = dispute_figures.figures(db.session, first, last, None, NOW)
        assert found["found"] == 26412 and (found["mediated"], found["succeeded"]) == (25958, 25779)
        assert {kind: found[f"prevented:{kind}"] for kind in ("suicide", "civil_to_criminal", "group_petition",
                                                               "group_fight", "domestic_violence")} == {
            "suicide": 3, "civil_to_criminal": 42, "group_petition": 98, "group_fight": 6, "domestic_violence": 0}
        assert wording.sentence_zh(found) == (
            "排查出各类矛盾纠纷2.6万余件，调解纠纷25958件，调解成功25779件，调解成功率99%。有效防止民间纠纷引发的自杀3起，"
            "防止“民转刑”案件42件，防止群体性上访98件，防止群体性械斗6件。")
        assert wording.sentence_en(found) == (
            "26,000+ disputes of every kind found by screening, 25,958 mediated and 25,779 mediated successfully, a "
            "success rate of 99%. Effectively prevented 3 suicides arising from civil disputes, 42 civil disputes "
            "turning criminal, 98 group petitions and 6 group fights.")
        # The same shape as the ledger's own steps: the data keys each action writes.
        written = {}
        for action, data in db.session.execute(select(DisputeEvent.action, DisputeEvent.data)):
            written.setdefault(action, set()).add(frozenset(data))
        place = db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "village")).first()
        committee = db.session.scalar(select(MediationCommittee).where(MediationCommittee.org_unit_id == place.id))
        entry = disputes.register(db.session, source="screening", found_at=NOW, org_unit=place, dispute_type="family",
                                  summary="x", parties=[disputes.Party("甲"), disputes.Party("乙")], now=NOW)
        own = {"register": set(db.session.scalar(select(DisputeEvent.data).where(
            DisputeEvent.dispute_id == entry.id, DisputeEvent.action == "register")))}
        for action, data in (("accept", {}), ("risk_open", {"kind": "suicide", "people": 1}),
                             ("assess", {"risk_level": "red"}), ("report", {"level": "city_bureau"}),
                             ("dispatch", {"committee_id": committee.id}), ("committee_accept", {}),
                             ("session", {"mode": "phone", "record": "x"}),
                             ("succeed", {"agreement_form": "oral", "terms": "x"}),
                             ("risk_close", {"kind": "suicide", "prevented": True}),
                             ("follow_up", {"note": "x", "kept": True})):
            if action == "dispatch":
                committee.senior = True
            own[action] = set(disputes.act(db.session, entry, action, now=NOW, **data).data)
        db.session.rollback()
        for action, keys in own.items():
            assert written[action] == {frozenset(keys)}, action
        assert db.session.scalar(select(func.count(Dispute.id))) == 26412


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
    assert runner.invoke(args=["demo", "--days", "1", "--no-plans", "--no-ledger"]).exit_code == 0
    demo_records = make.scalar(select(func.count(ServiceRecord.id)))
    make.service(now=utcnow(), outcome="a real consultation after the demo was loaded")
    refused = runner.invoke(args=["demo", "--days", "1", "--reset", "--no-plans", "--no-ledger"])
    assert refused.exit_code == 2 and "--force" in refused.output and "1 service records" in refused.output
    assert make.scalar(select(func.count(ServiceRecord.id))) == demo_records + 1
    assert runner.invoke(args=["demo", "--force", "--no-plans", "--no-ledger"]).exit_code == 2
    forced = runner.invoke(args=["demo", "--days", "1", "--reset", "--force", "--no-plans", "--no-ledger"])
    assert forced.exit_code == 0, forced.output
    assert make.scalar(select(func.count(ServiceRecord.id))) == demo_records


def test_demo_reset_refuses_a_database_the_demo_never_loaded(runner, make):
    """A production database (no demo mark) with a contact in it is not reset without --force."""
    make.user("admin", username="boss")
    make.contact()
    refused = runner.invoke(args=["demo", "--days", "1", "--reset", "--no-plans", "--no-ledger"])
    assert refused.exit_code == 2 and "1 contacts" in refused.output
    assert make.scalar(select(func.count(User.id))) == 1
