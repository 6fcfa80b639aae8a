"""Phone numbers never reach the application log."""
import logging

import pytest

from hotline import logs


@pytest.mark.parametrize("text", [
    "GET /contacts?q=%2B8613800138000 HTTP/1.1", "caller +8613800138000 waiting", "call 138 0013 8000 back",
    "number 13800138000", "landline 024-23456789",
    "+86 138 0013 8000", "+86-138-0013-8000", "+86 (138) 0013-8000", "0086 138 0013 8000", "138.0013.8000",
    "GET /contacts?q=%2B86+138+0013+8000 HTTP/1.1", "GET /contacts?q=%2B86%20138%200013%208000 HTTP/1.1",
    "q=138-0013-8000&page=2", "q=138%2D0013%2D8000", "(024) 2345 6789", "024 2345 6789", "+1 (202) 555-0199",
])
def test_numbers_are_masked(text):
    """Every way a number shows up in a log line is masked to its last digits."""
    redacted = logs.redact(text)
    digits = "".join(char for char in redacted if char.isdigit())
    assert "0013" not in digits and "2345678" not in digits and "555" not in digits and "***" in redacted


def test_work_order_numbers_and_times_are_kept():
    """Work-order numbers, dates and ids are not mistaken for phone numbers."""
    text = "closed 12348-20261127-000042 at 2026-11-27 10:00:00 in 132 ms, seq=13800"
    assert logs.redact(text) == text


def test_requests_are_logged_without_numbers(client, users, caplog):
    """A search by number does not leave the number in the server's log records."""
    from tests.conftest import login

    login(client, users["operator"].username)
    with caplog.at_level(logging.INFO):
        logging.getLogger("werkzeug").info('"%s" 200', "GET /contacts?q=13800138000 HTTP/1.1")
        client.get("/contacts?q=13800138000")
    assert "13800138000" not in caplog.text and "***8000" in caplog.text
