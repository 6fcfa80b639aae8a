"""A fake of Twilio's HTTP layer: records each REST request the real client would send."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from twilio.http import HttpClient
from twilio.http.response import Response

VIDEO_ROOMS = "https://video.twilio.com/v1/Rooms"


@dataclass
class FakeTwilioHttp(HttpClient):
    """Answers like Twilio's API; `fail_with` makes every request fail with that HTTP status.

    Video rooms are remembered by unique name: creating one twice answers Twilio's "room exists" error (53113),
    and fetching one by name answers with its RM... sid.
    """

    requests: list[dict] = field(default_factory=list)
    fail_with: int | None = None
    rooms: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        import logging

        super().__init__(logging.getLogger("tests.fake_twilio"), is_async=False)

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        """Record the request and answer with a plausible resource."""
        self.requests.append({"method": method, "uri": uri, "data": dict(data or {}), "auth": auth})
        if self.fail_with:
            return Response(self.fail_with, json.dumps({"code": 20500, "message": "Twilio is down", "status": self.fail_with}))
        if uri.startswith(VIDEO_ROOMS):
            return self._room(method, uri, dict(data or {}))
        kind = "SM" if uri.endswith("/Messages.json") else "CA"
        sid = f"{kind}{len(self.requests):032d}"
        return Response(201, json.dumps({"sid": sid, "status": "queued", "to": (data or {}).get("To")}))

    def _room(self, method, uri, data):
        """Create a room (refusing a duplicate unique name) or fetch one by name or sid."""
        if method == "POST" and uri == VIDEO_ROOMS:
            name = data.get("UniqueName")
            if name in self.rooms:
                return Response(400, json.dumps({"code": 53113, "message": "Room exists", "status": 400}))
            sid = f"RM{len(self.requests):032d}"
            self.rooms[name or sid] = sid
            return Response(201, json.dumps({"sid": sid, "unique_name": name or sid, "status": "in-progress"}))
        key = uri.rsplit("/", 1)[-1]
        sid = self.rooms.get(key) or (key if key in self.rooms.values() else None)
        if sid is None:
            return Response(404, json.dumps({"code": 20404, "message": "The requested resource was not found",
                                             "status": 404}))
        name = next(n for n, s in self.rooms.items() if s == sid)
        return Response(200, json.dumps({"sid": sid, "unique_name": name, "status": "in-progress"}))
