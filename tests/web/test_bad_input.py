"""Bad input gets a clear 4xx, never a 500: JSON nested absurdly deep, dates outside any sensible range, page numbers
beyond the database's integers, blank checkbox values."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hotline.formkit import EARLIEST_DATE, latest_date, sensible_date
from hotline.models import Booking, Contact, DutyRequest, Unavailability
from hotline.paging import MAX_PAGE, page_number

EN = {"Accept-Language": "en"}
DEEP_ARRAY = "[" * 600 + "]" * 600
DEEP_OBJECT = '{"a":' * 600 + "1" + "}" * 600


@pytest.mark.parametrize("path", ["/api/v1/contacts", "/api/v1/bookings", "/telephony/voice/incoming", "/healthz",
                                  "/login"])
@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT])
def test_deeply_nested_json_is_400_for_anyone(client, path, body):
    """A 600-deep JSON body, unauthenticated, is refused with 400 and says why (JSON for API and webhooks)."""
    response = client.post(path, data=body, content_type="application/json", headers=EN)
    assert response.status_code == 400
    assert "nested too deeply" in response.get_data(as_text=True)
    if path.startswith(("/api/", "/telephony/")):
        assert response.get_json()["message"] == "The JSON body is nested too deeply."


def test_json_nesting_within_reason_is_still_read(app, make):
    """Ordinary nesting (and brackets inside strings) passes the depth check."""
    from hotline.errors import json_too_deep

    assert not json_too_deep(b'{"summary": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "a": [[1]]}')
    assert json_too_deep(DEEP_ARRAY.encode()) and json_too_deep(DEEP_OBJECT.encode())
    assert not json_too_deep(("[" * 32 + "]" * 32).encode()) and json_too_deep(("[" * 33 + "]" * 33).encode())


@pytest.mark.parametrize("raw, page", [(None, 1), ("", 1), ("0", 1), ("-3", 1), ("abc", 1), ("²", 1), ("7", 7),
                                       ("99999999999999999999", MAX_PAGE), (str(MAX_PAGE + 1), MAX_PAGE)])
def test_page_numbers_are_bounded(raw, page):
    """Any page number becomes one the database can count to."""
    assert page_number(raw) == page


@pytest.mark.parametrize("path", ["/admin/users", "/admin/lawyers", "/followups", "/admin/outbox/", "/servicelog/",
                                  "/stats/records/contacts"])
def test_a_huge_page_number_is_an_empty_page(as_role, path):
    """?page=99999999999999999999 shows an empty last page instead of failing."""
    response = as_role("admin").get(f"{path}?page=99999999999999999999")
    assert response.status_code == 200


def test_sensible_dates():
    """From 2000-01-01 to ten years after today, a leap day included."""
    today = date(2026, 12, 3)
    assert sensible_date(EARLIEST_DATE, today) and sensible_date(date(2036, 12, 3), today)
    assert not sensible_date(date(1999, 12, 31), today) and not sensible_date(date(2036, 12, 4), today)
    assert latest_date(date(2028, 2, 29)) == date(2038, 2, 28)


@pytest.mark.parametrize("first, last", [("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31"),
                                         ("0001-01-01", "0001-03-01"), ("2026-01-01", "9999-12-31")])
@pytest.mark.parametrize("path", ["/stats/", "/stats/report", "/stats/report.pdf", "/stats/export.csv",
                                  "/stats/export.xlsx", "/stats/records/contacts"])
def test_statistics_refuse_dates_out_of_range(as_role, path, first, last):
    """Statistics, the report, its PDF and the downloads answer 400 with the allowed range."""
    response = as_role("admin").get(f"{path}?first={first}&last={last}", headers=EN)
    assert response.status_code == 400
    assert "Choose a date from 2000-01-01" in response.get_data(as_text=True) or "at most a year" in \
        response.get_data(as_text=True)


@pytest.mark.parametrize("values", [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"},
                                    {"date_from": "1999-12-31", "date_to": "2000-01-02"}])
def test_contact_search_refuses_dates_out_of_range(as_role, values):
    """The contact search names the allowed range."""
    response = as_role("operator").post("/contacts", data=values, headers=EN)
    assert response.status_code == 400 and "Choose a date from 2000-01-01" in response.get_data(as_text=True)


def test_day_off_and_absence_refuse_dates_out_of_range(as_role, make, users):
    """A day off in 9999 or an absence running into it is refused, with the range, and nothing is filed."""
    make.lawyer(user_id=users["lawyer"].id)
    lawyer = as_role("lawyer")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for path, data in (("/my/requests/day-off", {"day": "9999-12-31"}),
                       ("/my/requests/absence", {"first": tomorrow, "last": "9999-12-31", "reason": "x"}),
                       ("/my/requests/absence", {"first": "0001-01-01", "last": tomorrow})):
        response = lawyer.post(path, data=data, headers=EN)
        assert response.status_code == 400 and "Enter a date from 2000-01-01" in response.get_data(as_text=True)
    assert make.scalar(select(func.count(DutyRequest.id))) == 0
    assert make.scalar(select(func.count(Unavailability.id))) == 0


def test_a_callback_due_in_year_9999_is_refused(as_role, make):
    """The callback time is bounded like every date."""
    contact = make.contact()
    response = as_role("operator").post(f"/contacts/{contact.id}/callback", data={"due": "9999-12-31T10:00"},
                                        headers=EN)
    assert response.status_code == 400 and "Choose a date from 2000-01-01" in response.get_data(as_text=True)


def test_a_blank_risk_flag_is_no_flag(as_role, make):
    """A blank checkbox value (as a script might send) records the contact without a flag instead of failing;
    an unknown flag is refused."""
    operator = as_role("operator")
    base = {"channel": "walk_in", "summary": "咨询", "urgency": "normal", "language": "zh"}
    assert operator.post("/contacts/new", data=base | {"risk_flags": ""}).status_code == 302
    assert operator.post("/contacts/new", data=base | {"risk_flags": ["", "bad_mood"]}).status_code == 400
    assert make.scalar(select(func.count(Contact.id))) == 1


def test_unicode_digits_are_no_ids():
    """"²" and "٣" pass str.isdigit and fail int(); an id has ASCII digits only, nine at most."""
    from hotline.formkit import whole_number

    assert [whole_number(v) for v in ("²", "٣", "1²", "", None, "-1", "1" * 10)] == [None] * 7
    assert whole_number("0") == 0 and whole_number("123456789") == 123456789


def test_unicode_digit_ids_in_swaps_and_replans_are_refused(as_role, make, users):
    """A swap naming duty "²" is a refused swap (400); a re-plan for period "²" is 404; nothing is filed."""
    make.lawyer(user_id=users["lawyer"].id)
    lawyer = as_role("lawyer")
    assert lawyer.post("/my/requests/swap", data={"mine": "²", "theirs": "1"}).status_code == 400
    assert lawyer.post("/my/requests/swap", data={"mine": "1", "theirs": "³"}).status_code == 400
    assert make.scalar(select(func.count(DutyRequest.id))) == 0
    absence = make.unavailability(lawyer=make.lawyer(), status="approved")
    assert as_role("admin").post(f"/duty/absences/{absence.id}/replan", data={"period_id": "²"}).status_code == 404


@pytest.mark.parametrize("role, path", [("operator", "/contacts/new"), ("admin", "/login"), ("operator", "/contacts"),
                                        ("lawyer", "/my/requests/day-off"), ("admin", "/admin/users/new"),
                                        ("liaison", "/consult/requests/new")])
@pytest.mark.parametrize("body", ["[1, 2]", '{"summary": {"a": 1}}', '{"channel": [1, {"x": 2}]}', '"x"', "3",
                                  '{"channel": "walk_in", "summary": "s", "urgency": "normal", "language": "zh"}'])
def test_json_posted_to_a_page_is_415(as_role, make, role, path, body):
    """Pages read form posts only; a JSON body (which Flask-WTF would otherwise take as the form, failing on a
    list or number) is refused with 415 and a clear message, and nothing is written."""
    response = as_role(role).post(path, data=body, content_type="application/json", headers=EN)
    assert response.status_code == 415
    assert "only the API at /api/v1 reads JSON" in response.get_data(as_text=True)
    assert make.scalar(select(func.count(Contact.id))) == 0


@pytest.mark.parametrize("path", ["/contacts?area=%ff", "/stats/?first=%ff%fe", "/admin/users?page=%ff",
                                  "/login?next=%ff", "/followups?page=%C0%80", "/contacts/%ff"])
def test_raw_bytes_that_are_not_utf8_in_a_url_are_no_500(as_role, path):
    """Percent-encoded bytes that decode to no text are read as replacement characters: the page answers (or 4xx)."""
    response = as_role("admin").get(path, headers=EN)
    assert response.status_code < 500


def test_triage_of_a_closed_contact_is_refused_and_changes_nothing(as_role, make):
    """Saving triage on a closed contact answers 400 with the reason; the contact keeps its triage."""
    contact = make.contact(status="closed", legal_area="labour")
    response = as_role("operator").post(f"/contacts/{contact.id}/triage",
                                        data={"legal_area": "traffic", "urgency": "normal", "language": "zh",
                                              "summary": "changed"}, headers=EN)
    assert response.status_code == 400
    assert make.get(Contact, contact.id).legal_area == "labour"
