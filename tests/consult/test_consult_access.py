"""How long a lawyer may see a liaison's request: its files, its consultation page and its project's history."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hotline.extensions import db
from hotline.models import Booking
from hotline.services import consult
from tests.conftest import login


@pytest.fixture
def counsel_lawyer(make, world):
    """A lawyer who signs in and is not the project's counsel, so only a booking lets them see the request."""
    user = make.user("lawyer", name="Sun Other", locale="en")
    make.update(type(world.other), world.other.id, user_id=user.id)
    return user


def _file(app, make, world):
    """A PDF on the request, with its bytes where downloads read them."""
    item = make.attachment(request=world.request, filename="lease.pdf", sha256="b" * 64)
    folder = Path(app.config["ATTACHMENT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / item.sha256).write_bytes(b"%PDF-1.4 lease")
    return item


def _booking(make, world, lawyer, status: str) -> Booking:
    slot = make.slot(lawyer=lawyer, starts_at=world.block_start + timedelta(hours=1), status="booked")
    return make.booking(request=world.request, slot=slot, status=status)


def _client(app, user):
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def _sees(client, booking, attachment, project_id) -> tuple[int, int, int]:
    download = client.get(f"/consult/attachments/{attachment.id}")
    download.close()
    return (download.status_code, client.get(f"/consult/bookings/{booking.id}").status_code,
            client.get(f"/consult/projects/{project_id}").status_code)


@pytest.mark.parametrize("status, allowed", [("booked", True), ("completed", True), ("no_show", True),
                                             ("cancelled", False)])
def test_a_booking_lets_the_lawyer_see_the_request_unless_it_was_cancelled(app, make, world, counsel_lawyer,
                                                                           status, allowed):
    attachment = _file(app, make, world)
    booking = _booking(make, world, world.other, status)
    expected = (200, 200, 200) if allowed else (404, 404, 404)
    assert _sees(_client(app, counsel_lawyer), booking, attachment, world.project.id) == expected
    with app.app_context():
        assert consult.lawyer_may_see_request(db.session, world.other.id, world.request.id) is allowed
        assert consult.lawyer_may_see_project(db.session, world.other.id, world.project.id) is allowed


def test_a_cancellation_ends_the_lawyers_access_at_once(app, make, world, counsel_lawyer):
    attachment = _file(app, make, world)
    slot_id = world.slot_ids[(world.other.id, world.block_start)]
    liaison = _client(app, world.liaison)
    assert liaison.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": slot_id}).status_code == 302
    booking = make.scalar(db.select(Booking))
    lawyer = _client(app, counsel_lawyer)
    assert _sees(lawyer, booking, attachment, world.project.id) == (200, 200, 200)
    assert liaison.post(f"/consult/bookings/{booking.id}/cancel", data={"reason": "postponed"}).status_code == 302
    assert _sees(lawyer, booking, attachment, world.project.id) == (404, 404, 404)
    listing = lawyer.get("/consult/my").get_data(as_text=True)
    assert "Dalian Port Logistics Park" in listing and f"/consult/bookings/{booking.id}" not in listing


def test_moving_a_consultation_to_another_lawyer_moves_the_access(app, make, world, counsel_lawyer):
    attachment = _file(app, make, world)
    liaison = _client(app, world.liaison)
    first = world.slot_ids[(world.other.id, world.block_start)]
    assert liaison.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": first}).status_code == 302
    booking = make.scalar(db.select(Booking))
    later = world.slot_ids[(world.own.id, world.block_start + timedelta(minutes=40))]
    assert liaison.post(f"/consult/bookings/{booking.id}/reschedule", data={"slot_id": later}).status_code == 302
    moved = make.scalar(db.select(Booking).where(Booking.status == "booked"))
    assert _sees(_client(app, counsel_lawyer), booking, attachment, world.project.id) == (404, 404, 404)
    assert _sees(_client(app, world.lawyer_user), moved, attachment, world.project.id) == (200, 200, 200)


def test_counsel_sees_the_project_history_but_not_the_files_without_a_booking(app, make, world):
    attachment = _file(app, make, world)
    client = _client(app, world.lawyer_user)  # the project's primary counsel
    assert client.get(f"/consult/projects/{world.project.id}").status_code == 200
    download = client.get(f"/consult/attachments/{attachment.id}")
    download.close()
    assert download.status_code == 404
