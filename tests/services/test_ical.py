"""iCalendar text: nothing a liaison, a coordinator or a lawyer types can add a line to someone's calendar feed."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hotline.services import ical
from tests.factories import NOW

HOSTILE = ["first\rDTSTART:19700101T000000Z", "first\r\nATTENDEE:mailto:x@example.cn", "first\nX-INJECTED:1",
           "\rBEGIN:VEVENT\rUID:evil\rEND:VEVENT", "a\x0bb\x0cc\x85d\u2028e\u2029f\x1cg", "nul\x00bell\x07del\x7f"]
PROPERTIES = {"BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME", "X-WR-TIMEZONE", "UID",
              "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"}
# What any reader might take for the end of a line.
BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def content_lines(body: str) -> list[str]:
    """The body's content lines after unfolding (RFC 5545 3.1); the body must use CRLF and nothing else."""
    assert body.endswith("\r\n")
    unfolded = re.sub("\r\n[ \t]", "", body)
    lines = unfolded[:-2].split("\r\n")
    for line in lines:
        assert not BREAKS.search(line) and not re.search("[\x00-\x08\x0e-\x1f\x7f]", line), repr(line)
    return lines


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _events(texts: list[str]) -> list[ical.Event]:
    return [ical.Event(f"booking-{n}@12348.liaoning", NOW, NOW + timedelta(minutes=30), f"12348: {text}", text)
            for n, text in enumerate(texts)]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_text_adds_a_property_line_to_the_feed(text):
    body = ical.feed(f"Owner {text}", [], NOW, bookings=_events([text]))
    lines = content_lines(body)
    assert {line.split(":", 1)[0] for line in lines} <= PROPERTIES
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    assert sum(line.startswith("UID:") for line in lines) == 1
    assert sum(line.startswith("DTSTART:") for line in lines) == 1


def test_text_values_keep_their_meaning_once_unescaped():
    body = ical.feed("Li; Na, \\x", [], NOW, bookings=_events(["one\rtwo\r\nthree\nfour; five, six\\ seven\tend"]))
    values = dict(line.split(":", 1) for line in content_lines(body) if line.startswith(("DESCRIPTION", "X-WR")))
    assert unescape(values["DESCRIPTION"]) == "one\ntwo\nthree\nfour; five, six\\ seven\tend"
    assert values["X-WR-CALNAME"] == "12348 值班 Li\\; Na\\, \\\\x"


def test_long_escaped_text_folds_into_lines_of_at_most_75_octets():
    body = ical.feed("x", [], NOW, bookings=_events(["合同\r审查;" * 60]))
    assert all(len(line.encode("utf-8")) <= 75 for line in body.split("\r\n"))
    description = next(line for line in content_lines(body) if line.startswith("DESCRIPTION:"))
    assert unescape(description.split(":", 1)[1]) == "合同\n审查;" * 60


def test_the_lawyer_feed_escapes_project_names_and_descriptions(client, make):
    user = make.user("lawyer")
    lawyer = make.lawyer(user_id=user.id, ical_token="feed-token-9", name="Qian\rX-LAWYER:1")
    project = make.project(name="Port\r\nX-PROJECT:1")
    request = make.counsel_request(project=project, description="Lease\rBEGIN:VEVENT\rSUMMARY:free money")
    make.booking(request=request, slot=make.slot(lawyer=lawyer))
    body = client.get("/calendar/feed-token-9.ics").get_data(as_text=True)
    lines = content_lines(body)
    assert {line.split(":", 1)[0] for line in lines} <= PROPERTIES
    assert lines.count("BEGIN:VEVENT") == 1 and sum(line.startswith("SUMMARY:") for line in lines) == 1
    assert "X-WR-CALNAME:12348 值班 Qian\\nX-LAWYER:1" in lines
    assert "SUMMARY:12348 视频咨询 / Video consultation: Port\\nX-PROJECT:1" in lines
