"""The ledger's pages: registering, the entry and its steps (refusals answer 4xx and write nothing), who sees what
(province, city, an org unit's subtree, a committee), and the hotline's one step into the ledger."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.models import Contact, Dispute, DisputeEvent, DisputeParty, Mediator
from hotline.models.types import utcnow
from tests.conftest import login

EN = {"Accept-Language": "en"}


@pytest.fixture
def place(make):
    """Dalian with two counties; county A has a township with a village; committees at village, township (senior)
    and county level; a mediator who signs in for the township committee."""
    city = make.city(code="dalian", name_en="Dalian", name_zh="大连")
    county = make.org_unit("county", city=city, name_en="Jinzhou", name_zh="金州区")
    township = make.org_unit("township", parent=county, name_en="Dalianwan", name_zh="大连湾街道")
    village = make.org_unit("village", parent=township, name_en="Xiwang", name_zh="西王村")
    other_county = make.org_unit("county", city=city, name_en="Lüshun", name_zh="旅顺口区")
    other_village = make.org_unit("village", parent=make.org_unit("township", parent=other_county))
    township_committee = make.committee(township, kind="township", level=1, senior=True, name_zh="大连湾街道人民调解委员会")
    village_committee = make.committee(village, kind="village", level=0)
    mediator_user = make.user("mediator")
    member = make.mediator(township_committee, user_id=mediator_user.id, name="王调解")
    return {"city": city, "county": county, "township": township, "village": village, "other_county": other_county,
            "other_village": other_village, "township_committee": township_committee,
            "village_committee": village_committee, "mediator_user": mediator_user, "member": member,
            "bureau": make.user("bureau", org_unit_id=county.id, city_id=city.id),
            "other_bureau": make.user("bureau", org_unit_id=other_county.id, city_id=city.id)}


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def register(client, unit, **over):
    found = (utcnow() + timedelta(hours=8) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"source": "screening", "found_at": found, "org_unit_id": str(unit.id), "dispute_type": "neighbour",
            "summary": "两户因宅基地边界争执", "people_involved": "2", "language": "zh", "risk_level": "blue",
            "parties-0-name": "张三", "parties-0-phone": "13800138001", "parties-1-name": "李四",
            "parties-1-phone": "13800138002"} | over
    return client.post("/disputes/new", data=data, headers=EN)


def step(client, dispute_id, action, **data):
    return client.post(f"/disputes/{dispute_id}/steps", data={"action": action} | data, headers=EN)


def events(make, dispute_id):
    return make.scalars(select(DisputeEvent.action).where(DisputeEvent.dispute_id == dispute_id)
                        .order_by(DisputeEvent.seq))


def test_a_bureau_registers_a_screened_dispute_with_masked_parties(app, make, place):
    bureau = signed_in(app, place["bureau"])
    response = register(bureau, place["village"], **{"risks-group_fight": "12"})
    assert response.status_code == 302
    dispute = make.scalar(select(Dispute))
    assert response.location.endswith(f"/disputes/{dispute.id}")
    assert dispute.number.startswith("纠2102-") and dispute.source == "screening"
    assert dispute.risk_level == "orange"  # a risk makes it at least orange
    assert events(make, dispute.id) == ["register", "risk_open"]
    page = bureau.get(f"/disputes/{dispute.id}", headers=EN).get_data(as_text=True)
    assert "张三" in page and "13800138001" not in page and "138****8001" in page
    assert "Group fight" in page or "group" in page.lower()


def test_registering_outside_ones_subtree_or_with_bad_input_writes_nothing(app, make, place):
    bureau = signed_in(app, place["bureau"])
    assert register(bureau, place["other_village"]).status_code == 400
    assert register(bureau, place["village"], summary="").status_code == 400
    assert register(bureau, place["village"], found_at="2999-01-01T00:00").status_code == 400
    assert register(bureau, place["village"], **{"parties-0-phone": "12"}).status_code == 400
    assert register(bureau, place["village"], people_involved="-3").status_code == 400
    assert make.scalar(select(func.count(Dispute.id))) == 0
    assert make.scalar(select(func.count(DisputeEvent.id))) == 0


def _entry(app, make, place, **over):
    bureau = signed_in(app, place["bureau"])
    assert register(bureau, place["village"], **over).status_code == 302
    return bureau, make.scalar(select(Dispute).order_by(Dispute.id.desc()))


def test_the_lifecycle_through_the_entry_page(app, make, place):
    """registered → accepted → assessed → dispatched → accepted by the committee (its mediator) → session →
    succeeded → followed up → closed, each step one event; the mediator may not take a coordinator's step."""
    bureau, dispute = _entry(app, make, place, **{"parties-1-name": ""})
    refused = step(bureau, dispute.id, "accept")
    assert refused.status_code == 400 and "at least two parties" in refused.get_data(as_text=True)
    assert events(make, dispute.id) == ["register"]
    assert step(bureau, dispute.id, "correct", party_name="李四", party_phone="13800138002",
                reason="补充当事人").status_code == 302
    assert make.scalar(select(func.count(DisputeParty.id)).where(DisputeParty.dispute_id == dispute.id)) == 2
    assert step(bureau, dispute.id, "accept").status_code == 302
    assert step(bureau, dispute.id, "assess", risk_level="orange").status_code == 302
    not_senior = step(bureau, dispute.id, "dispatch", committee_id=str(place["village_committee"].id))
    assert not_senior.status_code == 400 and "senior committee" in not_senior.get_data(as_text=True)
    assert step(bureau, dispute.id, "dispatch", committee_id=str(place["township_committee"].id)).status_code == 302

    mediator = signed_in(app, place["mediator_user"])
    assert step(mediator, dispute.id, "close").status_code == 403
    assert step(mediator, dispute.id, "committee_accept", mediator_id=str(place["member"].id)).status_code == 302
    assert step(mediator, dispute.id, "session", mode="on_site", record="双方到场").status_code == 400  # see sessions
    missing = step(mediator, dispute.id, "succeed", agreement_form="written", terms="")
    assert missing.status_code == 400 and "agreement" in missing.get_data(as_text=True)
    assert step(mediator, dispute.id, "succeed", agreement_form="written", terms="重新确定界址",
                performance_date="2027-01-10").status_code == 302
    assert mediator.post(f"/disputes/{dispute.id}/follow-up", data={"note": "已按协议履行", "kept": "yes"}).status_code == 302
    orange = step(bureau, dispute.id, "close")
    assert orange.status_code == 400 and "yellow or blue" in orange.get_data(as_text=True)
    assert step(bureau, dispute.id, "correct", risk_level="yellow", reason="协议履行，风险降低").status_code == 302
    assert step(bureau, dispute.id, "close").status_code == 302
    stored = make.get(Dispute, dispute.id)
    assert stored.state == "closed" and stored.mediator_id == place["member"].id
    assert "succeed" in events(make, dispute.id) and events(make, dispute.id)[-1] == "close"
    again = step(bureau, dispute.id, "accept")
    assert again.status_code == 409  # the entry has moved on
    assert step(bureau, dispute.id, "reopen", reason="").status_code == 400
    assert step(bureau, dispute.id, "reopen", reason="一方反映未履行").status_code == 302
    page = bureau.get(f"/disputes/{dispute.id}", headers=EN).get_data(as_text=True)
    assert "Reopened" in page and "一方反映未履行" in page


def test_malformed_steps_are_refused_without_a_write(app, make, place):
    bureau, dispute = _entry(app, make, place)
    before = events(make, dispute.id)
    assert step(bureau, dispute.id, "warn").status_code == 400
    assert step(bureau, dispute.id, "nonsense").status_code == 400
    assert step(bureau, dispute.id, "dispatch", committee_id="x").status_code == 409  # not assessed yet
    assert step(bureau, dispute.id, "accept").status_code == 302
    assert step(bureau, dispute.id, "assess", risk_level="purple").status_code == 400
    assert step(bureau, dispute.id, "assess", risk_level="blue").status_code == 302
    assert step(bureau, dispute.id, "dispatch", committee_id="²").status_code == 400
    assert step(bureau, dispute.id, "risk_open", kind="suicide", people="many").status_code == 400
    assert step(bureau, dispute.id, "report", level="emperor").status_code == 400
    assert step(bureau, dispute.id, "correct", party_name="王五", party_phone="12", reason="x").status_code == 400
    assert events(make, dispute.id) == before + ["accept", "assess"]


def test_each_role_sees_only_its_part_of_the_ledger(app, make, place):
    bureau, mine = _entry(app, make, place)
    other_bureau = signed_in(app, place["other_bureau"])
    assert register(other_bureau, place["other_village"], summary="邻里噪音").status_code == 302
    theirs = make.scalar(select(Dispute).where(Dispute.id != mine.id))
    assert bureau.get(f"/disputes/{theirs.id}").status_code == 404
    assert step(bureau, theirs.id, "accept").status_code == 404
    bureau.get("/")
    listing = bureau.get("/disputes/", headers=EN).get_data(as_text=True)
    assert mine.number in listing and theirs.number not in listing
    mediator = signed_in(app, place["mediator_user"])
    assert mediator.get(f"/disputes/{mine.id}").status_code == 404  # not dispatched to its committee yet
    assert mine.number not in mediator.get("/disputes/").get_data(as_text=True)
    province = signed_in(app, make.user("admin"))
    both = province.get("/disputes/").get_data(as_text=True)
    assert mine.number in both and theirs.number in both
    elsewhere = signed_in(app, make.user("admin", city_id=make.city().id))
    assert elsewhere.get(f"/disputes/{mine.id}").status_code == 404
    assert mine.number not in elsewhere.get("/disputes/").get_data(as_text=True)
    assert province.get("/disputes/?state=nonsense").status_code == 400


def test_the_ledger_filters(app, make, place):
    bureau, first = _entry(app, make, place)
    assert register(bureau, place["village"], dispute_type="labour", summary="拖欠工资").status_code == 302
    bureau.get("/")  # shows (and so clears) the flashed messages
    page = bureau.get("/disputes/?dispute_type=labour", headers=EN).get_data(as_text=True)
    assert "1 entry" in page and first.number not in page
    assert first.number in bureau.get(f"/disputes/?q={first.number}").get_data(as_text=True)


def test_home_pages_of_bureau_and_mediator(app, make, place):
    bureau, dispute = _entry(app, make, place)
    home = bureau.get("/", headers=EN).get_data(as_text=True)
    assert dispute.number in home and "Open disputes" in home
    mediator = signed_in(app, place["mediator_user"])
    assert "Nothing is waiting" in mediator.get("/", headers=EN).get_data(as_text=True)


def test_a_hotline_operator_puts_a_contact_into_the_ledger_once(app, make, place):
    contact = make.contact(city_id=place["city"].id, caller_name="赵六", summary="邻居占用通道，扬言要动手")
    make.risk_flag(contact=contact, flag="civil_to_criminal")
    operator = signed_in(app, make.user("operator"))
    page = operator.get(f"/contacts/{contact.id}", headers=EN).get_data(as_text=True)
    assert "Put into the dispute ledger" in page and "Jinzhou › Dalianwan › Xiwang" in page
    data = {"org_unit_id": str(place["village"].id), "dispute_type": "neighbour"}
    assert operator.post(f"/contacts/{contact.id}/dispute", data=data).status_code == 302
    assert operator.post(f"/contacts/{contact.id}/dispute", data=data).status_code == 302
    entries = make.scalars(select(Dispute))
    assert len(entries) == 1
    entry = entries[0]
    assert entry.source == "hotline" and entry.risk_level == "orange" and entry.contact_id == contact.id
    assert make.get(Contact, contact.id).dispute_id == entry.id
    assert entry.number in operator.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert operator.post(f"/contacts/{contact.id}/dispute", data={"org_unit_id": "999999"}).status_code == 400


def test_a_second_call_links_to_the_open_entry(app, make, place):
    bureau, entry = _entry(app, make, place)
    operator = signed_in(app, make.user("operator"))
    again = make.contact(city_id=place["city"].id, caller_name="张三")
    assert operator.post(f"/contacts/{again.id}/dispute", data={"number": "纠0000-2026-00001"}).status_code == 400
    assert operator.post(f"/contacts/{again.id}/dispute", data={"number": entry.number}).status_code == 302
    assert make.get(Contact, again.id).dispute_id == entry.id
    assert events(make, entry.id)[-1] == "correct"
    assert make.scalar(select(func.count(Dispute.id))) == 1
    # a contact already in the ledger is not linked twice
    assert operator.post(f"/contacts/{again.id}/dispute", data={"number": entry.number}).status_code == 302
    assert events(make, entry.id).count("correct") == 1


def test_accounts_for_bureau_coordinators_and_mediators(app, make, place):
    admin = signed_in(app, make.user("admin"))
    base = {"name": "刘协调", "password": "long-enough-password", "active": "y", "locale": ""}
    assert admin.post("/admin/users/new", data=base | {"username": "liu", "role": "bureau",
                                                       "org_unit_id": str(place["village"].id)}).status_code == 400
    assert admin.post("/admin/users/new", data=base | {"username": "liu", "role": "bureau",
                                                       "org_unit_id": str(place["township"].id)}).status_code == 302
    from hotline.models import User

    liu = make.scalar(select(User).where(User.username == "liu"))
    assert liu.org_unit_id == place["township"].id and liu.city_id == place["city"].id
    assert admin.post("/admin/users/new", data=base | {"username": "chen", "role": "mediator"}).status_code == 400
    assert admin.post("/admin/users/new", data=base | {"username": "chen", "role": "mediator",
                                                       "committee_id": str(place["village_committee"].id)}).status_code == 302
    chen = make.scalar(select(User).where(User.username == "chen"))
    member = make.scalar(select(Mediator).where(Mediator.user_id == chen.id))
    assert member.committee_id == place["village_committee"].id
