"""A published consultation block tomorrow: two lawyers with video slots, a project, its liaison and a request.

The users here read English, so tests can match the messages.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest

from hotline.extensions import db
from hotline.models import ConsultationSlot, DutyPeriod
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.services import slots


@dataclass
class World:
    liaison: object
    lawyer_user: object
    own: object  # the project's primary counsel
    other: object
    project: object
    period: object
    request: object
    block_start: datetime
    slot_ids: dict  # (lawyer id, start) -> slot id


@pytest.fixture
def world(app, make) -> World:
    """Tomorrow 09:00-12:00 Beijing time both lawyers hold a video block; the request's window covers it."""
    tomorrow = (utcnow() + timedelta(days=1)).astimezone(PROVINCE_TZ).date()
    block_start = datetime.combine(tomorrow, time(9, 0), tzinfo=PROVINCE_TZ)
    liaison = make.user("liaison", phone="+8613911110000", name="Zhao Liaison", locale="en")
    lawyer_user = make.user("lawyer", name="Qian Lawyer", locale="en")
    own = make.lawyer(areas=("company", "labour"), name="Qian Own", phone="+8613922220001", user_id=lawyer_user.id)
    other = make.lawyer(areas=("company",), name="Sun Other", phone="+8613922220002")
    project = make.project(liaisons=[liaison], name="Dalian Port Logistics Park")
    make.counsel(project=project, lawyer=own, role="primary")
    period = make.period(starts_on=tomorrow, ends_on=tomorrow, status="published")
    video = make.shift_type(code="VIDEO", kind="video", starts=time(9, 0), ends=time(12, 0), minutes=180)
    shift = make.shift(period=period, shift_type=video, day=tomorrow)
    make.duty(shift=shift, lawyer=own)
    make.duty(shift=shift, lawyer=other)
    with app.app_context():
        slots.refresh_for_period(db.session, db.session.get(DutyPeriod, period.id), slots.SlotSettings())
        db.session.commit()
        ids = {(s.lawyer_id, s.starts_at): s.id for s in db.session.scalars(db.select(ConsultationSlot))}
    request = make.counsel_request(project=project, liaison=liaison, legal_area="company", mode="video",
                                   description="Contract review for the port lease")
    make.request_window(request=request, starts_at=block_start - timedelta(hours=1),
                        ends_at=block_start + timedelta(hours=4))
    return World(liaison, lawyer_user, own, other, project, period, request, block_start, ids)


def second_request(make, world: World, **over):
    """Another liaison's request for the same project and window."""
    liaison = make.user("liaison", phone="+8613911119999", locale="en")
    request = make.counsel_request(project=world.project, liaison=liaison, legal_area="company", mode="video", **over)
    make.request_window(request=request, starts_at=world.block_start - timedelta(hours=1),
                        ends_at=world.block_start + timedelta(hours=4))
    return liaison, request
