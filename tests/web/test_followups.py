"""Unanswered follow-ups for operators: who to call, and the outcome of the call."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.models import ContactEvent, FollowUp, ServiceRecord
from hotline.models.types import utcnow
from tests.conftest import login
from tests.factories import PASSWORD

PHONE = "+8613800138000"


@pytest.fixture
def operator(app, make):
    """An operator reading English, signed in."""
    user = make.user("operator", name="Wu Operator", locale="en")
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def _follow_up(make, phone: str = PHONE, status: str = "sent", ago: timedelta = timedelta(hours=49), **over):
    """A follow-up of a hotline service by a named lawyer to phone, its survey sent `ago` (due then, if pending)."""
    now = utcnow()
    lawyer = make.lawyer(name="Li Lawyer")
    contact = make.contact(caller_phone=phone, received_at=now - ago - timedelta(hours=2))
    record = make.service(now=now - ago - timedelta(hours=1), provider_lawyer_id=lawyer.id, contact_id=contact.id,
                          recipient_phone=phone)
    follow_up = make.scalar(select(FollowUp).where(FollowUp.service_record_id == record.id))
    values = {"status": status, "due_at": now - ago, "sent_at": now - ago if status != "pending" else None} | over
    return make.update(FollowUp, follow_up.id, **values)


def test_operators_see_surveys_unanswered_for_48_hours(operator, make):
    """Sent 48+ hours ago or pending past due: listed with service, masked number and provider; others are not."""
    waiting = _follow_up(make)
    unsent = _follow_up(make, phone="+8613900139000", status="pending", ago=timedelta(minutes=5))
    _follow_up(make, phone="+8613700137000", ago=timedelta(hours=47))  # still time to reply
    _follow_up(make, phone="+8613600136000", status="answered", score=5)
    _follow_up(make, phone="+8613500135000", status="pending", ago=-timedelta(minutes=30))  # not due yet
    response = operator.get("/followups")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Unanswered follow-ups" in page and "Hotline consultation" in page and "Li Lawyer" in page
    assert "+86 138****8000" in page and "+86 139****9000" in page and PHONE not in page
    for hidden in ("137****7000", "136****6000", "135****5000"):
        assert hidden not in page
    assert f'id="follow-up-{waiting.id}"' in page and f'id="follow-up-{unsent.id}"' in page
    assert 'name="csrf_token"' in page and "Not sent" in page


def test_the_list_is_empty_when_everyone_answered(operator, make):
    assert "No unanswered follow-ups." in operator.get("/followups").get_data(as_text=True)


def test_a_call_with_a_score_closes_the_follow_up(operator, make):
    """Reached with a score: called back, the score and a dated note are kept, the contact's history shows it."""
    follow_up = _follow_up(make)
    response = operator.post(f"/followups/{follow_up.id}/call", data={"outcome": "reached", "score": "4",
                                                                     "note": "满意，律师很耐心"})
    assert response.status_code == 302 and response.location == "/followups"
    stored = make.get(FollowUp, follow_up.id)
    assert (stored.status, stored.score) == ("called_back", 4) and stored.answered_at is not None
    assert "Wu Operator [reached] 满意，律师很耐心" in stored.note
    events = make.scalars(select(ContactEvent.detail).where(ContactEvent.kind == "follow_up_call"))
    assert events == ["[reached] 4 满意，律师很耐心"]
    assert f'id="follow-up-{follow_up.id}"' not in operator.get("/followups").get_data(as_text=True)


def test_someone_who_declines_to_rate_is_closed_without_a_score(operator, make):
    follow_up = _follow_up(make)
    assert operator.post(f"/followups/{follow_up.id}/call", data={"outcome": "declined", "score": "",
                                                                 "note": ""}).status_code == 302
    stored = make.get(FollowUp, follow_up.id)
    assert (stored.status, stored.score) == ("called_back", None)


def test_no_answer_keeps_it_open_and_brings_it_back_tomorrow(operator, make):
    """Nobody answered: still sent, no score, a note of the attempt; off the list for a day, then back."""
    follow_up = _follow_up(make)
    response = operator.post(f"/followups/{follow_up.id}/call", data={"outcome": "no_answer", "score": "3"})
    assert response.status_code == 302
    stored = make.get(FollowUp, follow_up.id)
    assert (stored.status, stored.score) == ("sent", None) and "[no_answer]" in stored.note
    assert stored.due_at > utcnow() + timedelta(hours=23)
    assert f'id="follow-up-{follow_up.id}"' not in operator.get("/followups").get_data(as_text=True)
    make.update(FollowUp, follow_up.id, due_at=utcnow() - timedelta(minutes=1))
    page = operator.get("/followups").get_data(as_text=True)
    assert f'id="follow-up-{follow_up.id}"' in page and "[no_answer]" in page


def _errors(response) -> list[str]:
    """The error messages flashed on a page."""
    parts = response.get_data(as_text=True).split('<div class="flash flash-error" role="status">')[1:]
    return [part.split("</div>")[0] for part in parts]


@pytest.mark.parametrize("data, message", [
    ({"outcome": "reached", "score": "9"}, "Score (1 to 5): The score must be a whole number from 1 to 5."),
    ({"outcome": "reached", "score": "0"}, "Score (1 to 5): The score must be a whole number from 1 to 5."),
    ({"outcome": "reached", "score": "four"}, "Score (1 to 5): Not a valid integer value."),
    ({"outcome": "reached", "score": ""}, "Outcome: Enter the score the person gave, from 1 to 5."),
    ({"outcome": "reached"}, "Outcome: Enter the score the person gave, from 1 to 5."),
    ({"outcome": "hung_up", "score": "3"}, "Outcome: Not a valid choice."),
    ({"score": "3"}, "Outcome: Not a valid choice."),
    ({"outcome": "declined", "note": "x" * 1001}, "Note: Field cannot be longer than 1000 characters."),
])
def test_bad_input_is_400_with_a_message_and_changes_nothing(operator, make, data, message):
    follow_up = _follow_up(make)
    response = operator.post(f"/followups/{follow_up.id}/call", data=data)
    assert response.status_code == 400 and message in _errors(response)
    stored = make.get(FollowUp, follow_up.id)
    assert (stored.status, stored.score, stored.note) == ("sent", None, "")


def test_an_unknown_follow_up_is_404(operator, make):
    assert operator.post("/followups/999999/call", data={"outcome": "declined"}).status_code == 404
    assert operator.post("/followups/abc/call", data={"outcome": "declined"}).status_code == 404


def test_an_answered_follow_up_cannot_be_called_back(operator, make):
    follow_up = _follow_up(make, status="answered", score=5)
    response = operator.post(f"/followups/{follow_up.id}/call", data={"outcome": "reached", "score": "1"})
    assert response.status_code == 400
    assert _errors(response) == ["This follow-up has already been answered or closed."]
    assert make.get(FollowUp, follow_up.id).score == 5


def test_admins_may_record_calls(as_role, make):
    follow_up = _follow_up(make)
    client = as_role("admin")
    assert client.get("/followups").status_code == 200
    assert client.post(f"/followups/{follow_up.id}/call", data={"outcome": "declined"}).status_code == 302


@pytest.mark.parametrize("role", ["lawyer", "liaison"])
def test_other_roles_are_403(as_role, make, role):
    follow_up = _follow_up(make)
    client = as_role(role)
    assert client.get("/followups").status_code == 403
    assert client.post(f"/followups/{follow_up.id}/call", data={"outcome": "declined"}).status_code == 403
    assert make.get(FollowUp, follow_up.id).status == "sent"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/followups")
    assert response.status_code == 302 and "/login" in response.location


def test_the_page_form_carries_its_csrf_token(app_factory, make):
    """With CSRF on, the row's form posts with the page's hidden token; without it the post is refused."""
    follow_up = _follow_up(make)
    user = make.user("operator", locale="en")
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert login(client, user.username).status_code == 400  # the login form needs its token too
    assert client.post("/login", data={"username": user.username, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    page = client.get("/followups").get_data(as_text=True)
    token = page.split('<input type="hidden" name="csrf_token" value="')[1].split('"')[0]
    assert client.post(f"/followups/{follow_up.id}/call", data={"outcome": "declined"}).status_code == 400
    assert client.post(f"/followups/{follow_up.id}/call", data={"outcome": "declined",
                                                               "csrf_token": token}).status_code == 302


def test_the_list_is_newest_due_first_filtered_paged_and_its_forms_open_on_demand(operator, make):
    """The most recently due follow-up comes first; filters by survey state narrow the list (bad ones are 400);
    20 rows a page; each row's form is folded; and the form as it opens saves without error (no answer)."""
    older = _follow_up(make, phone="+8613800000001", ago=timedelta(days=5))
    newer = _follow_up(make, phone="+8613800000002", ago=timedelta(hours=50))
    unsent = _follow_up(make, phone="+8613800000003", status="pending", ago=timedelta(hours=3))
    page = operator.get("/followups", headers={"Accept-Language": "en"}).get_data(as_text=True)
    order = [page.index(f'id="follow-up-{item.id}"') for item in (unsent, newer, older)]
    assert order == sorted(order)
    assert page.count("<details>") == 3 and "<details open" not in page
    only_unsent = operator.get("/followups?survey=not_sent").get_data(as_text=True)
    assert f'id="follow-up-{unsent.id}"' in only_unsent and f'id="follow-up-{newer.id}"' not in only_unsent
    assert operator.get("/followups?survey=maybe").status_code == 400
    assert operator.get("/followups?kind=astrology").status_code == 400
    form = page.split(f'id="follow-up-{newer.id}"')[1].split("</form>")[0]
    default = form.split('name="outcome"')[1].split(" selected")[0].rsplit('value="', 1)[1].split('"')[0]
    response = operator.post(f"/followups/{newer.id}/call", data={"outcome": default, "score": "", "note": ""})
    assert default == "no_answer" and response.status_code == 302
    for n in range(22):
        _follow_up(make, phone=f"+86138000001{n:02d}")
    listed = operator.get("/followups").get_data(as_text=True)
    assert listed.count('class="follow-up-call"') == 20 and "page=2" in listed


def test_work_order_numbers_link_to_their_contact(operator, make, app):
    """The follow-up list and the service log show the work order's number, linked to the contact."""
    from hotline.models import Contact

    follow_up = _follow_up(make)
    record = make.scalar(select(ServiceRecord).where(ServiceRecord.id == follow_up.service_record_id))
    contact = make.get(Contact, record.contact_id)
    link = f'<a href="/contacts/{contact.id}">{contact.reference}</a>'
    assert link in operator.get("/followups").get_data(as_text=True)
    admin = app.test_client()
    login(admin, make.user("admin").username)
    assert link in admin.get("/servicelog/").get_data(as_text=True)
