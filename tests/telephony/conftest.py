"""Fixtures for webhook tests: signed requests and a lawyer roster on duty right now."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator


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
