"""The dispatch page: a coordinator plans the dispatch of their part of the ledger as a background job, reviews the
plan and publishes it once; coordinators elsewhere see neither the job nor the plan."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from hotline.models import Dispute, DisputeEvent, Job, OutboxMessage
from hotline.services import disputes
from tests.disputes.world import entry, ledger, ledger_session as session, signed_in  # noqa: F401  (fixtures)
from tests.factories import NOW


def _run(client) -> int:
    """Start a dispatch job (it runs at once in tests) and return its id."""
    response = client.post("/disputes/dispatch/run", data={"time_limit": "600"})
    assert response.status_code == 302 and "/jobs/" in response.location, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def _events(make, action="dispatch"):
    return make.scalars(select(DisputeEvent).where(DisputeEvent.action == action).order_by(DisputeEvent.dispute_id))


def test_a_county_coordinator_plans_reviews_and_publishes_the_dispatch_of_its_county(app, make, ledger, session):
    blue = entry(session, ledger["x_village"])
    red = entry(session, ledger["x_village"], level="red")
    korean = entry(session, ledger["x_village"], language="ko")
    elsewhere = entry(session, ledger["y_village"])
    client = signed_in(app, ledger["bureau_x"])
    page = client.get("/disputes/dispatch")
    assert page.status_code == 200 and 'data-testid="run-dispatch"' in page.get_data(as_text=True)

    job_id = _run(client)
    job = make.get(Job, job_id)
    assert job.status == "succeeded", job.error
    result = json.loads(job.result_json)
    assert result["assignment"] == {str(blue.id): str(ledger["x_committee"].id), str(red.id): str(ledger["x_key"].id)}
    assert set(result["unassigned"]) == {str(korean.id)}  # county Y's entry is not in county X's plan
    followed = client.get(f"/jobs/{job_id}")
    assert followed.status_code == 200
    assert f'/disputes/dispatch/plans/{job_id}' in followed.get_data(as_text=True)
    assert client.get(f"/jobs/{job_id}.json").get_json()["status"] == "succeeded"

    plan = client.get(f"/disputes/dispatch/plans/{job_id}").get_data(as_text=True)
    assert blue.number in plan and red.number in plan and elsewhere.number not in plan
    assert "no committee that may take it mediates in Korean" in plan
    assert "Village X1 committee" in plan and "County X key committee" in plan

    published = client.post(f"/disputes/dispatch/plans/{job_id}/publish")
    assert published.status_code == 302
    events = _events(make)
    assert [(e.dispute_id, e.data["committee_id"], e.data["plan_id"]) for e in events] == [
        (blue.id, ledger["x_committee"].id, job_id), (red.id, ledger["x_key"].id, job_id)]
    texts = make.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "dispute_dispatch"))
    assert sorted(t.to_number for t in texts) == sorted([ledger["x_committee"].director_phone,
                                                          ledger["x_key"].director_phone])
    assert make.get(Dispute, elsewhere.id).state == "assessed"
    again = client.get(f"/disputes/dispatch/plans/{job_id}").get_data(as_text=True)
    assert 'data-testid="published"' in again and 'data-testid="publish"' not in again


def test_publishing_twice_dispatches_once_even_after_a_committee_declined(app, make, ledger, session):
    dispute = entry(session, ledger["x_village"])
    client = signed_in(app, ledger["bureau_x"])
    job_id = _run(client)
    assert client.post(f"/disputes/dispatch/plans/{job_id}/publish").status_code == 302
    disputes.act(session, session.get(Dispute, dispute.id, populate_existing=True), "committee_decline", reason="A member is a party's cousin",
                 now=NOW)
    session.commit()  # back to assessed: the same plan must not send it to the committee that declined
    second = client.post(f"/disputes/dispatch/plans/{job_id}/publish", follow_redirects=True)
    assert "already published" in second.get_data(as_text=True)
    assert len(_events(make)) == 1
    assert make.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_entries_that_changed_since_the_plan_are_skipped_and_listed_with_the_reason(app, make, ledger, session):
    kept = entry(session, ledger["x_village"])
    withdrawn = entry(session, ledger["x_village"])
    reassessed = entry(session, ledger["x_village"])
    client = signed_in(app, ledger["bureau_x"])
    job_id = _run(client)
    disputes.act(session, session.get(Dispute, withdrawn.id), "withdraw", reason="Settled between them", now=NOW)
    disputes.act(session, session.get(Dispute, reassessed.id), "assess", risk_level="yellow", now=NOW)
    session.commit()
    client.post(f"/disputes/dispatch/plans/{job_id}/publish")
    assert [e.dispute_id for e in _events(make)] == [kept.id]
    page = client.get(f"/disputes/dispatch/plans/{job_id}").get_data(as_text=True)
    skipped = page.split('data-testid="skipped"')[1].split("</ul>")[0]
    assert withdrawn.number in skipped and reassessed.number in skipped and kept.number not in skipped
    assert "Its history changed since the plan" in skipped


def test_a_committee_that_filled_up_since_the_plan_takes_the_highest_risk_first(app, make, ledger, session):
    make.update(type(ledger["x_key"]), ledger["x_key"].id, capacity=2)
    orange, red = entry(session, ledger["x_village"], level="orange"), entry(session, ledger["x_village"], level="red")
    client = signed_in(app, ledger["bureau_x"])
    job_id = _run(client)
    meanwhile = entry(session, ledger["x_village"], level="red")
    disputes.act(session, meanwhile, "dispatch", committee_id=ledger["x_key"].id, now=NOW)
    session.commit()
    client.post(f"/disputes/dispatch/plans/{job_id}/publish")
    assert [e.dispute_id for e in _events(make)] == sorted([meanwhile.id, red.id])
    published = json.loads(make.get(Job, job_id).result_json)["published"]
    assert published["skipped"] == {str(orange.id): "committee_full"}


def test_other_coordinators_see_neither_the_job_nor_the_plan(app, make, ledger, session):
    entry(session, ledger["x_village"])
    job_id = _run(signed_in(app, ledger["bureau_x"]))
    for user in ("bureau_y", "bureau_x_town", "other_city_admin"):
        client = signed_in(app, ledger[user])
        for url in (f"/jobs/{job_id}", f"/jobs/{job_id}.json", f"/disputes/dispatch/plans/{job_id}"):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(f"/disputes/dispatch/plans/{job_id}/publish").status_code == 404, user
        assert client.post(f"/jobs/{job_id}/cancel").status_code == 404, user
        assert f"/disputes/dispatch/plans/{job_id}" not in client.get("/disputes/dispatch").get_data(as_text=True)
    assert not _events(make)
    for user in ("bureau_city", "city_admin", "province"):  # the city's and the province's coordinators do
        assert signed_in(app, ledger[user]).get(f"/disputes/dispatch/plans/{job_id}").status_code == 200, user


def test_a_bureau_coordinator_follows_no_other_kind_of_job(app, make, ledger):
    roster = make.job(kind="roster_solve", status="succeeded", params_json="{}")
    client = signed_in(app, ledger["bureau_city"])
    assert client.get(f"/jobs/{roster.id}").status_code == 404
    assert client.post(f"/jobs/{roster.id}/cancel").status_code == 404


def test_a_township_plan_may_send_a_red_entry_up_to_its_county_committee(app, make, ledger, session):
    red = entry(session, ledger["x_village"], level="red")
    job_id = _run(signed_in(app, ledger["bureau_x_town"]))
    assert json.loads(make.get(Job, job_id).result_json)["assignment"] == {str(red.id): str(ledger["x_key"].id)}


def test_an_account_without_a_part_of_the_ledger_cannot_plan(app, make):
    lost = make.user("bureau")
    client = signed_in(app, lost)
    response = client.post("/disputes/dispatch/run", data={"time_limit": "600"})
    assert response.status_code == 400
    assert not make.scalars(select(Job))


def test_the_plan_page_in_chinese_says_the_reasons_in_chinese(app, make, ledger, session):
    entry(session, ledger["x_village"], language="ko")
    client = signed_in(app, ledger["bureau_x"], "zh_Hans")
    job_id = _run(client)
    page = client.get(f"/disputes/dispatch/plans/{job_id}").get_data(as_text=True)
    assert "朝鲜语" in page and "no committee" not in page
