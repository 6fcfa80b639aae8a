"""Twenty liaisons book the same slot at the same moment: exactly one wins, the others hear 409, nothing else
changes. Runs on SQLite and, in CI, on PostgreSQL."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from hotline.models import Booking, ConsultationSlot, CounselRequest, OutboxMessage
from tests.consult.conftest import second_request

CONTENDERS = 20
TOKEN = "race-token"


def test_twenty_simultaneous_bookings_of_one_slot_make_one_booking(app, world, make):
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    contenders = [second_request(make, world) for _ in range(CONTENDERS)]
    request_ids = [request.id for _liaison, request in contenders]
    make.api_client(token=TOKEN, liaisons=[liaison for liaison, _request in contenders])
    start = threading.Barrier(CONTENDERS)
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def contender(request_id: int) -> None:
        client = app.test_client()
        start.wait()
        response = client.post("/api/v1/bookings", json={"request_id": request_id, "slot_id": slot_id},
                               headers={"Authorization": f"Bearer {TOKEN}"})
        with lock:
            answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=contender, args=(request_id,)) for request_id in request_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(status for status, _body in answers)
    assert statuses == [201] + [409] * (CONTENDERS - 1), answers
    assert all(body["error"] == "taken" for status, body in answers if status == 409)
    winner = next(body for status, body in answers if status == 201)
    assert make.scalar(select(func.count(Booking.id))) == 1
    assert make.get(ConsultationSlot, slot_id).status == "booked"
    statuses_of_requests = make.scalars(select(CounselRequest.status).where(CounselRequest.id.in_(request_ids)))
    assert sorted(statuses_of_requests) == ["booked"] + ["pending"] * (CONTENDERS - 1)
    assert make.get(CounselRequest, winner["request_id"]).status == "booked"
    # Only the winner's two confirmations were queued.
    assert make.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.purpose == "consult_booking")) == 2


def test_the_api_answers_bad_booking_input_with_4xx(app, world, make):
    make.api_client(token=TOKEN, liaisons=[world.liaison])
    client = app.test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    assert client.post("/api/v1/bookings", json={"request_id": world.request.id}, headers=headers).status_code == 400
    assert client.post("/api/v1/bookings", data="nope", headers=headers).status_code == 400
    assert client.post("/api/v1/bookings", json={"request_id": 2**40, "slot_id": 1}, headers=headers).status_code == 400
    assert client.post("/api/v1/bookings", json={"request_id": 999999, "slot_id": slot_id}, headers=headers).status_code == 404
    assert client.post("/api/v1/bookings", json={"request_id": world.request.id, "slot_id": 999999},
                       headers=headers).status_code == 404
    assert client.post("/api/v1/bookings", json={"request_id": world.request.id, "slot_id": slot_id}).status_code == 401
    offered = client.get(f"/api/v1/requests/{world.request.id}/slots", headers=headers).get_json()["slots"]
    assert offered[0]["id"] == slot_id and offered[0]["own_counsel"] == "primary"
    assert client.get("/api/v1/requests/999999/slots", headers=headers).status_code == 404
    booked = client.post("/api/v1/bookings", json={"request_id": world.request.id, "slot_id": slot_id}, headers=headers)
    assert booked.status_code == 201 and booked.get_json()["lawyer"] == "Qian Own"
    again = client.post("/api/v1/bookings", json={"request_id": world.request.id, "slot_id": slot_id}, headers=headers)
    assert again.status_code == 409
