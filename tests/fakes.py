"""A fake of Twilio's HTTP layer: records each REST request the real client would send."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from twilio.http import HttpClient
from twilio.http.response import Response


@dataclass
class FakeTwilioHttp(HttpClient):
    """Answers like Twilio's API; `fail_with` makes every request fail with that HTTP status."""

    requests: list[dict] = field(default_factory=list)
    fail_with: int | None = None

    def __post_init__(self):
        import logging

        super().__init__(logging.getLogger("tests.fake_twilio"), is_async=False)

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        """Record the request and answer with a plausible resource."""
        self.requests.append({"method": method, "uri": uri, "data": dict(data or {}), "auth": auth})
        if self.fail_with:
            return Response(self.fail_with, json.dumps({"code": 20500, "message": "Twilio is down", "status": self.fail_with}))
        kind = "SM" if uri.endswith("/Messages.json") else "CA"
        sid = f"{kind}{len(self.requests):032d}"
        return Response(201, json.dumps({"sid": sid, "status": "queued", "to": (data or {}).get("To")}))
