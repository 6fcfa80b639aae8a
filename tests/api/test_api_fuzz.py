"""Property-based: generated requests to every API operation never cause a 500."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.api.strategies import from_schema

from hotline.api import schema

TOKEN = "fuzz-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                           max_leaves=10)


@pytest.fixture
def api(app, make):
    make.api_client(token=TOKEN)
    make.city(code="shenyang")
    return app.test_client()


# Bodies the schema allows, with the two fields the schema cannot check (a real number, a known city) kept valid.
VALID_BODIES = st.tuples(
    from_schema(schema.CONTACT_IN),
    st.none() | st.sampled_from(["13800138000", "+86 139 0024 1234", "024-2345-6789"]),
    st.none() | st.just("shenyang"),
).map(lambda t: {k: v for k, v in (t[0] | {"caller_phone": t[1], "city": t[2]}).items() if v is not None})


@FAST
@given(body=VALID_BODIES)
def test_valid_contacts_are_accepted(api, body):
    """Any valid body is accepted: 201, or 200 when its external_id was seen before."""
    response = api.post("/api/v1/contacts", json=body, headers=AUTH)
    assert response.status_code in (200, 201), response.get_data(as_text=True)


@FAST
@given(body=JSON_VALUES)
def test_arbitrary_json_never_500(api, body):
    """Any JSON value at all gets a 4xx or a 2xx, never a 500."""
    response = api.post("/api/v1/contacts", json=body, headers=AUTH)
    assert response.status_code < 500


@FAST
@given(contact_id=st.integers(min_value=0, max_value=2**62), raw=st.text(max_size=30))
def test_contact_reads_never_500(api, contact_id, raw):
    """Reading any id, or any text where an id goes, is a 404/200, never a 500."""
    assert api.get(f"/api/v1/contacts/{contact_id}", headers=AUTH).status_code in (200, 404)
    assert api.get("/api/v1/contacts/" + raw.replace("/", ""), headers=AUTH).status_code < 500


@FAST
@given(params=st.dictionaries(st.sampled_from(["area", "language", "city", "other"]), st.text(max_size=40), max_size=4))
def test_on_duty_queries_never_500(api, params):
    """Any query string gets 200 or 400."""
    assert api.get("/api/v1/on-duty", query_string=params, headers=AUTH).status_code in (200, 400)
