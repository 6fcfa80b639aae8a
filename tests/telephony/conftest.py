"""Fixtures for webhook tests: signed requests and a lawyer roster on duty right now."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from hotline.models.types import utcnow

TOKEN = "test-auth-token"
BASE = "https://hotline.example.cn"


@pytest.fixture
def twilio_app(app_factory):
    """The app with Twilio credentials set."""
    return app_factory(TWILIO_ACCOUNT_SID="AC" + "0" * 32, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_FROM_NUMBER="+862412348",
                       PUBLIC_BASE_URL=BASE)


@pytest.fixture
def webhook(twilio_app):
    """webhook(path, params, query) posts a request signed exactly as Twilio signs it."""
    client = twilio_app.test_client()

    def post(path: str, params: dict, query: dict | None = None, signature: str | None = None):
        url = path + (f"?{urlencode(query)}" if query else "")
        sig = signature if signature is not None else RequestValidator(TOKEN).compute_signature(BASE + url, params)
        return client.post(url, data=params, headers={"X-Twilio-Signature": sig})

    return post


@pytest.fixture
def on_duty(make):
    """A published hotline shift running now: a labour seat, a Korean seat, and other lawyers on duty."""
    now = utcnow()
    shenyang = make.city(code="shenyang", name_en="Shenyang", neighbours="fushun")
    fushun = make.city(code="fushun", name_en="Fushun", neighbours="shenyang")
    dalian = make.city(code="dalian", name_en="Dalian")
    period = make.period(status="published", starts_on=(now - timedelta(days=1)).date(), ends_on=(now + timedelta(days=1)).date())
    kind = make.shift_type(kind="hotline")
    shift = make.shift(period=period, shift_type=kind, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    labour_seat = make.seat(shift=shift, legal_area="labour", seats=1)
    korean_seat = make.seat(shift=shift, language="ko", seats=1)
    general = make.seat(shift=shift, seats=3)
    lawyers = {
        "labour_seat": make.lawyer(areas=("labour",), city=dalian, phone="+8613900000001"),
        "korean": make.lawyer(areas=("labour", "company"), languages=("zh", "ko"), city=dalian, phone="+8613900000002"),
        "neighbour": make.lawyer(areas=("labour", "traffic"), city=fushun, phone="+8613900000003"),
        "same_city": make.lawyer(areas=("labour",), city=shenyang, phone="+8613900000004"),
        "other_area": make.lawyer(areas=("criminal",), city=shenyang, phone="+8613900000005"),
    }
    make.duty(shift=shift, lawyer=lawyers["labour_seat"], seat_id=labour_seat.id)
    make.duty(shift=shift, lawyer=lawyers["korean"], seat_id=korean_seat.id)
    for key in ("neighbour", "same_city", "other_area"):
        make.duty(shift=shift, lawyer=lawyers[key], seat_id=general.id)
    off_duty = make.lawyer(areas=("labour",), city=shenyang, phone="+8613900000009")
    return {"lawyers": lawyers, "off_duty": off_duty, "shenyang": shenyang, "shift": shift}
