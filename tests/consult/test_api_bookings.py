"""The booking API acts only for the liaisons a client was created for."""
from __future__ import annotations

from sqlalchemy import func, select

from hotline.models import Booking
from tests.consult.conftest import second_request

HEADERS = {"Authorization": "Bearer platform"}


def test_a_client_books_only_for_its_own_liaisons(app, world, make):
    """Slots and bookings of another liaison's request are 403; the client's own liaison's request is booked."""
    other_liaison, other_request = second_request(make, world)
    make.api_client(token="platform", scopes="bookings", liaisons=[world.liaison])
    client = app.test_client()
    slot_id = world.slot_ids[(world.own.id, world.block_start)]

    assert client.get(f"/api/v1/requests/{other_request.id}/slots", headers=HEADERS).status_code == 403
    refused = client.post("/api/v1/bookings", json={"request_id": other_request.id, "slot_id": slot_id},
                          headers=HEADERS)
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    assert make.scalar(select(func.count(Booking.id))) == 0

    offers = client.get(f"/api/v1/requests/{world.request.id}/slots", headers=HEADERS).get_json()["slots"]
    assert slot_id in [offer["id"] for offer in offers]
    booked = client.post("/api/v1/bookings", json={"request_id": world.request.id, "slot_id": slot_id},
                         headers=HEADERS)
    assert booked.status_code == 201 and booked.get_json()["request_id"] == world.request.id


def test_a_deactivated_liaison_is_no_longer_acted_for(app, world, make):
    """When the liaison's account is deactivated, the client may no longer book for their requests."""
    from hotline.models import User

    make.api_client(token="platform", scopes="bookings", liaisons=[world.liaison])
    make.update(User, world.liaison.id, active=False)
    response = app.test_client().get(f"/api/v1/requests/{world.request.id}/slots", headers=HEADERS)
    assert response.status_code == 403
