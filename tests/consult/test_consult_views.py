"""The liaison portal, the consultation pages, the lawyer's list, feeds and batch allocation, via the test client."""
from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from hotline.models import Attachment, Booking, ConsultationSlot, CounselRequest, Job, OutboxMessage, ServiceRecord
from tests.conftest import login
from tests.consult.conftest import second_request


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def window_form(world, **extra) -> dict:
    day = world.block_start.date().isoformat()
    data = {"project_id": str(world.project.id), "legal_area": "company", "urgency": "high", "mode": "video",
            "windows-0-day": day, "windows-0-starts": "08:30", "windows-0-ends": "12:00",
            "description": "Employment contracts for 40 new staff"}
    return data | extra


def test_a_liaison_requests_counsel_with_a_file_and_sees_own_counsel_first(app, world, make):
    client = signed_in(app, world.liaison)
    assert "Dalian Port Logistics Park" in client.get("/consult/").get_data(as_text=True)
    pdf = (io.BytesIO(b"%PDF-1.4 lease"), "lease.pdf")
    response = client.post("/consult/requests/new", data=window_form(world, files=[pdf]),
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    from hotline.models import RequestWindow

    request = make.scalar(select(CounselRequest).where(CounselRequest.description.like("Employment%")))
    windows = make.scalars(select(RequestWindow).where(RequestWindow.request_id == request.id))
    assert (request.urgency, request.mode, len(windows)) == ("high", "video", 1)
    assert windows[0].starts_at == world.block_start - timedelta(minutes=30)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.index("Qian Own") < page.index("Sun Other") and "lease.pdf" in page
    attachment = make.scalar(select(Attachment))
    download = client.get(f"/consult/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 lease"
    assert "attachment; filename=lease.pdf" in download.headers["Content-Disposition"]
    download.close()
    assert signed_in(app, make.user("liaison")).get(f"/consult/attachments/{attachment.id}").status_code == 404


def test_bad_request_forms_are_refused_with_the_reason_and_nothing_is_kept(app, world, make):
    client = signed_in(app, world.liaison)
    before = make.scalar(select(func.count(CounselRequest.id)))
    no_window = window_form(world, **{"windows-0-day": "", "windows-0-starts": "", "windows-0-ends": ""})
    assert client.post("/consult/requests/new", data=no_window).status_code == 400
    backwards = window_form(world, **{"windows-0-ends": "08:00"})
    assert "after the start" in client.post("/consult/requests/new", data=backwards).get_data(as_text=True)
    fake = (io.BytesIO(b"MZ\x90\x00 not a pdf"), "contract.pdf")
    response = client.post("/consult/requests/new", data=window_form(world, files=[fake]),
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "does not match its type" in response.get_data(as_text=True)
    exe = (io.BytesIO(b"MZ"), "setup.exe")
    assert client.post("/consult/requests/new", data=window_form(world, files=[exe]),
                       content_type="multipart/form-data").status_code == 400
    not_mine = window_form(world, project_id=str(make.project().id))
    assert client.post("/consult/requests/new", data=not_mine).status_code == 400
    assert make.scalar(select(func.count(CounselRequest.id))) == before
    assert make.scalar(select(func.count(Attachment.id))) == 0


def test_booking_from_the_request_page_then_the_lawyer_sees_it(app, world, make):
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    client = signed_in(app, world.liaison)
    response = client.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": slot_id})
    assert response.status_code == 302
    booking = make.scalar(select(Booking))
    assert response.headers["Location"].endswith(f"/consult/bookings/{booking.id}")
    lawyer = signed_in(app, world.lawyer_user)
    listing = lawyer.get("/consult/my").get_data(as_text=True)
    assert "Dalian Port Logistics Park" in listing and f"/consult/bookings/{booking.id}" in listing
    page = lawyer.get(f"/consult/bookings/{booking.id}").get_data(as_text=True)
    assert "Contract review for the port lease" in page and "Video is not set up on this server" in page


def test_a_second_liaison_gets_409_and_a_clear_message_for_a_taken_slot(app, world, make):
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    assert signed_in(app, world.liaison).post(f"/consult/requests/{world.request.id}/book",
                                              data={"slot_id": slot_id}).status_code == 302
    other, request = second_request(make, world)
    response = signed_in(app, other).post(f"/consult/requests/{request.id}/book", data={"slot_id": slot_id})
    assert response.status_code == 409 and "just been taken" in response.get_data(as_text=True)
    assert make.scalar(select(func.count(Booking.id))) == 1


def test_other_users_cannot_see_or_touch_a_request_or_booking(app, world, make):
    other, _request = second_request(make, world)
    intruder = signed_in(app, other)
    assert intruder.get(f"/consult/requests/{world.request.id}").status_code == 404
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    assert intruder.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": slot_id}).status_code == 404
    assert intruder.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": "x"}).status_code == 404
    signed_in(app, world.liaison).post(f"/consult/requests/{world.request.id}/book", data={"slot_id": slot_id})
    booking = make.scalar(select(Booking))
    assert intruder.get(f"/consult/bookings/{booking.id}").status_code == 404
    stranger = signed_in(app, make.user("lawyer"))
    assert stranger.get(f"/consult/bookings/{booking.id}").status_code == 404
    assert signed_in(app, world.liaison).post(f"/consult/requests/{world.request.id}/book",
                                              data={"slot_id": "abc"}).status_code == 400


def test_cancel_within_two_hours_is_refused_with_the_reason(app, world, make):
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    client = signed_in(app, world.liaison)
    client.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": slot_id})
    booking = make.scalar(select(Booking))
    soon = world.block_start.astimezone(booking.starts_at.tzinfo) - booking.starts_at  # zero: same moment
    from hotline.models.types import utcnow

    make.update(Booking, booking.id, starts_at=utcnow() + timedelta(hours=1) + soon,
                ends_at=utcnow() + timedelta(hours=1, minutes=30))
    page = client.get(f"/consult/bookings/{booking.id}").get_data(as_text=True)
    assert "within two hours" in page
    response = client.post(f"/consult/bookings/{booking.id}/cancel", data={"reason": "cannot come"})
    assert response.status_code == 409 and "within two hours" in response.get_data(as_text=True)
    assert make.get(Booking, booking.id).status == "booked"
    assert client.post(f"/consult/bookings/{booking.id}/cancel", data={"reason": ""}).status_code == 400


def test_cancel_and_reschedule_through_the_pages(app, world, make):
    first = world.slot_ids[(world.own.id, world.block_start)]
    later = world.slot_ids[(world.own.id, world.block_start + timedelta(minutes=40))]
    client = signed_in(app, world.liaison)
    client.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": first})
    booking = make.scalar(select(Booking))
    moved = client.post(f"/consult/bookings/{booking.id}/reschedule", data={"slot_id": later})
    assert moved.status_code == 302
    new = make.scalar(select(Booking).where(Booking.status == "booked"))
    assert new.slot_id == later and make.get(ConsultationSlot, first).status == "open"
    assert client.post(f"/consult/bookings/{new.id}/cancel", data={"reason": "postponed"}).status_code == 302
    assert make.get(Booking, new.id).status == "cancelled"
    assert make.get(CounselRequest, world.request.id).status == "pending"


def test_the_lawyer_records_the_outcome_and_the_liaison_rates_it(app, world, make):
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    liaison = signed_in(app, world.liaison)
    liaison.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": slot_id})
    booking = make.scalar(select(Booking))
    lawyer = signed_in(app, world.lawyer_user)
    early = lawyer.post(f"/consult/bookings/{booking.id}/outcome", data={"status": "completed", "outcome": "x"})
    assert early.status_code == 409
    from hotline.models.types import utcnow

    make.update(Booking, booking.id, starts_at=utcnow() - timedelta(minutes=20), ends_at=utcnow() + timedelta(minutes=10))
    assert lawyer.post(f"/consult/bookings/{booking.id}/outcome", data={"status": "completed", "outcome": ""}).status_code == 400
    done = lawyer.post(f"/consult/bookings/{booking.id}/outcome",
                       data={"status": "completed", "outcome": "Advised on the lease renewal."})
    assert done.status_code == 302
    record = make.scalar(select(ServiceRecord).where(ServiceRecord.booking_id == booking.id))
    assert record.outcome == "Advised on the lease renewal." and record.kind == "video_consult"
    assert liaison.post(f"/consult/bookings/{booking.id}/rating", data={"score": "9"}).status_code == 400
    assert liaison.post(f"/consult/bookings/{booking.id}/rating", data={"score": "4", "note": "helpful"}).status_code == 302
    history = liaison.get(f"/consult/projects/{world.project.id}").get_data(as_text=True)
    assert "Advised on the lease renewal." in history and "<td>4</td>" in history
    assert signed_in(app, make.user("liaison")).get(f"/consult/projects/{world.project.id}").status_code == 404


def test_feeds_carry_the_consultation_for_the_lawyer_and_the_liaison(app, world, make):
    from hotline.models import Lawyer, User

    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    liaison = signed_in(app, world.liaison)
    liaison.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": slot_id})
    booking = make.scalar(select(Booking))
    liaison.post("/consult/feed", data={"action": "new"})
    token = make.get(User, world.liaison.id).ical_token
    body = app.test_client().get(f"/calendar/consultations/{token}.ics").get_data(as_text=True)
    assert f"UID:booking-{booking.id}@12348.liaoning" in body and "Qian Own" in body
    make.update(Lawyer, world.own.id, ical_token="lawyer-feed-token")
    lawyer_feed = app.test_client().get("/calendar/lawyer-feed-token.ics").get_data(as_text=True)
    assert f"UID:booking-{booking.id}@12348.liaoning" in lawyer_feed and "Dalian Port Logistics Park" in lawyer_feed
    assert app.test_client().get("/calendar/consultations/nope.ics").status_code == 404


def test_a_coordinator_allocates_pending_requests_and_publishes(app, world, make):
    _other, urgent = second_request(make, world, urgency="critical")
    admin = signed_in(app, make.user("admin", locale="en"))
    assert "2 requests waiting" in admin.get("/consult/allocation").get_data(as_text=True)
    response = admin.post("/consult/allocation/run", data={"time_limit": "5"})
    assert response.status_code == 302
    job = make.scalar(select(Job).where(Job.kind == "booking_allocate"))
    assert job.status == "succeeded", job.error
    review = admin.get(f"/consult/allocation/{job.id}").get_data(as_text=True)
    assert "Dalian Port Logistics Park" in review and "own counsel" in review
    assert admin.post(f"/consult/allocation/{job.id}/publish").status_code == 302
    bookings = make.scalars(select(Booking).where(Booking.status == "booked"))
    assert {b.request_id for b in bookings} == {world.request.id, urgent.id}
    assert {b.lawyer_id for b in bookings} == {world.own.id}  # both get the project's own counsel
    assert admin.post(f"/consult/allocation/{job.id}/publish").status_code == 303
    assert make.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.purpose == "consult_booking")) == 4
    assert admin.post("/consult/allocation/run", data={"time_limit": "abc"}).status_code == 303


def test_unicode_digit_ids_in_forms_are_400(app, world, make):
    """A slot, a project or a period given as "²" is refused like any malformed id: 400 or 404, never 500."""
    liaison = signed_in(app, world.liaison)
    assert liaison.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": "²"}).status_code == 400
    assert liaison.get("/consult/requests/new?project=²").status_code == 200
    assert make.scalar(select(func.count(Booking.id))) == 0


def test_a_window_in_year_9999_is_refused_by_the_request_form(app, world, make):
    """The request form bounds each window's day; nothing is kept."""
    liaison = signed_in(app, world.liaison)
    before = make.scalar(select(func.count(CounselRequest.id)))
    response = liaison.post("/consult/requests/new", data={
        "project_id": world.project.id, "legal_area": "company", "urgency": "normal", "mode": "video",
        "description": "x", "windows-0-day": "9999-12-31", "windows-0-starts": "09:00", "windows-0-ends": "10:00"})
    assert response.status_code == 400 and "2000-01-01" in response.get_data(as_text=True)
    assert make.scalar(select(func.count(CounselRequest.id))) == before


def test_one_request_with_a_window_out_of_range_never_stops_the_allocation(app, world, make):
    """A stored request windowed on 9999-12-31 (written before forms bounded dates) is left out of the run and
    reported with the reason; every other request is still allocated, and the job's page links to the review."""
    from datetime import datetime, timezone

    from hotline.models import RequestWindow  # noqa: F401  (the factory's model)

    bad = make.counsel_request(project=world.project, liaison=world.liaison, legal_area="company", mode="video")
    make.request_window(request=bad, starts_at=datetime(9999, 12, 31, 1, tzinfo=timezone.utc),
                        ends_at=datetime(9999, 12, 31, 3, tzinfo=timezone.utc))
    admin = signed_in(app, make.user("admin", locale="en"))
    admin.post("/consult/allocation/run", data={"time_limit": "5"})
    job = make.scalar(select(Job).where(Job.kind == "booking_allocate"))
    assert job.status == "succeeded", job.error
    job_page = admin.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f"/consult/allocation/{job.id}" in job_page and 'data-testid="review-link"' in job_page
    review = admin.get(f"/consult/allocation/{job.id}").get_data(as_text=True)
    assert "outside the dates the system accepts" in review and f"#{bad.id}" in review
    admin.post(f"/consult/allocation/{job.id}/publish")
    assert {b.request_id for b in make.scalars(select(Booking).where(Booking.status == "booked"))} == {world.request.id}


def test_a_failed_job_offers_the_way_back_not_a_review_that_is_not_there(app, world, make):
    """A batch that failed has no result: its page shows the error and a link back, never a link to a 404."""
    admin = signed_in(app, make.user("admin", locale="en"))
    job = make._add(Job(kind="booking_allocate", status="failed", params_json="{}", error="boom"))
    page = admin.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'data-testid="review-link"' not in page and 'data-testid="back-link"' in page
    assert admin.get(f"/consult/allocation/{job.id}").status_code == 404


def test_pages_say_only_what_happened_to_the_text_messages(app_factory, world, make):
    """Without Twilio credentials the booking's confirmation says the SMS wait in the outbox; with them, that they
    are on their way. Never that someone "has been sent" a message the server cannot send."""
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    for config, expected in (({}, "wait in the outbox"),
                             ({"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t",
                               "TWILIO_FROM_NUMBER": "+862412348"}, "on their way")):
        client = app_factory(**config).test_client()
        login(client, world.liaison.username)
        page = client.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": slot_id},
                           follow_redirects=True).get_data(as_text=True)
        assert expected in page and "been sent a text" not in page
        booking = make.scalar(select(Booking).where(Booking.status == "booked"))
        client.post(f"/consult/bookings/{booking.id}/cancel", data={"reason": "change of plan"})


def test_liaisons_never_see_a_lawyers_private_number(app, world, make):
    """Consultation calls are bridged: the liaison's pages name their counsel without the lawyer's mobile."""
    client = signed_in(app, world.liaison)
    for path in ("/", "/consult/", f"/consult/requests/{world.request.id}"):
        page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert world.own.phone not in page and world.own.phone[3:] not in page, path


def test_a_bad_time_in_a_window_is_refused_in_the_readers_language(app, world, make):
    """WTForms' own message for a bad time inside a window (a nested form) is Chinese on a Chinese page."""
    liaison = signed_in(app, world.liaison)
    liaison.post("/language/zh_Hans")
    response = liaison.post("/consult/requests/new", data=window_form(world, **{"windows-0-starts": "25:99"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "不是有效的时间值" in page and "Not a valid time value" not in page
