"""Private calendar feeds answer only while their holder may still sign in and still has the role they were made for."""
from __future__ import annotations

import pytest

from hotline.models import Lawyer, User


@pytest.fixture
def lawyer_feed(make):
    """A lawyer with a sign-in account and a feed address; returns (lawyer, user, url)."""
    user = make.user("lawyer")
    lawyer = make.lawyer(user_id=user.id, ical_token="lawyer-token-1")
    return lawyer, user, "/calendar/lawyer-token-1.ics"


def test_the_lawyer_feed_answers_for_an_active_lawyer(client, lawyer_feed):
    response = client.get(lawyer_feed[2])
    assert response.status_code == 200 and response.mimetype == "text/calendar"


@pytest.mark.parametrize("change", ["account_inactive", "lawyer_inactive", "account_unlinked", "account_not_lawyer"])
def test_the_lawyer_feed_stops_when_the_lawyer_or_the_account_stops(client, make, lawyer_feed, change):
    lawyer, user, url = lawyer_feed
    if change == "account_inactive":
        make.update(User, user.id, active=False)
    elif change == "lawyer_inactive":
        make.update(Lawyer, lawyer.id, active=False)
    elif change == "account_unlinked":
        make.update(Lawyer, lawyer.id, user_id=None)
    else:
        make.update(User, user.id, role="operator")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("change, status", [(None, 200), ({"active": False}, 404), ({"role": "operator"}, 404)])
def test_the_liaison_feed_stops_when_the_account_stops_being_an_active_liaisons(client, make, change, status):
    user = make.user("liaison", ical_token="liaison-token-1")
    if change:
        make.update(User, user.id, **change)
    assert client.get("/calendar/consultations/liaison-token-1.ics").status_code == status


def test_feed_tokens_that_are_too_long_or_empty_find_nobody(client, make):
    make.user("liaison", ical_token="x" * 64)
    assert client.get(f"/calendar/consultations/{'x' * 64}.ics").status_code == 200
    assert client.get(f"/calendar/consultations/{'x' * 65}.ics").status_code == 404
    assert client.get(f"/calendar/{'x' * 65}.ics").status_code == 404
