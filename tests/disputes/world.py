"""A small ledger for the dispatch, deadline-board and zero-report pages: two counties of one city (X with two
townships, Y with one), a county of another city, their committees, and a coordinator signed in for each."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from hotline.extensions import db
from hotline.services import disputes
from hotline.services.disputes import Party
from tests.conftest import login
from tests.factories import NOW


@pytest.fixture
def ledger_session(app):
    """A session of the test's own for writing the ledger, with no app context left pushed (a pushed one would be
    shared by the test client's requests, which would then never end their transactions)."""
    with app.app_context():
        engine = db.engine
    session = Session(engine, expire_on_commit=False)
    yield session
    session.close()


@pytest.fixture
def ledger(make):
    city = make.city(code="dalian", name_en="Dalian", name_zh="大连")
    other_city = make.city(code="anshan", name_en="Anshan", name_zh="鞍山")
    x = make.org_unit("county", city=city, name_zh="甲县", name_en="County X")
    x_town = make.org_unit("township", parent=x, name_zh="甲镇", name_en="Town X1")
    x_town2 = make.org_unit("township", parent=x, name_zh="乙镇", name_en="Town X2")
    x_village = make.org_unit("village", parent=x_town, name_zh="甲村", name_en="Village X1")
    y = make.org_unit("county", city=city, name_zh="丙县", name_en="County Y")
    y_town = make.org_unit("township", parent=y, name_zh="丙镇", name_en="Town Y1")
    y_village = make.org_unit("village", parent=y_town, name_zh="丙村", name_en="Village Y1")
    z = make.org_unit("county", city=other_city, name_zh="丁县", name_en="County Z")
    z_town = make.org_unit("township", parent=z, name_zh="丁镇", name_en="Town Z1")
    return {
        "city": city, "other_city": other_city, "x": x, "x_town": x_town, "x_town2": x_town2,
        "x_village": x_village, "y": y, "y_town": y_town, "y_village": y_village, "z": z, "z_town": z_town,
        "x_committee": make.committee(x_village, kind="village", level=0, name_zh="甲村调委会",
                                      name_en="Village X1 committee"),
        "x_key": make.committee(x, kind="county_key", level=2, senior=True, name_zh="甲县重大疑难调委会",
                                name_en="County X key committee"),
        "y_committee": make.committee(y_village, kind="village", level=0, name_zh="丙村调委会",
                                      name_en="Village Y1 committee"),
        "bureau_x": make.user("bureau", org_unit_id=x.id, city_id=city.id),
        "bureau_y": make.user("bureau", org_unit_id=y.id, city_id=city.id),
        "bureau_x_town": make.user("bureau", org_unit_id=x_town.id, city_id=city.id),
        "bureau_city": make.user("bureau", city_id=city.id),
        "city_admin": make.user("admin", city_id=city.id),
        "other_city_admin": make.user("admin", city_id=other_city.id),
        "province": make.user("admin"),
    }


def entry(session, unit, state="assessed", level="blue", at=NOW, **over):
    """A ledger entry at `unit`, walked to `state` (registered, accepted or assessed), committed."""
    values = dict(source="screening", found_at=at, org_unit=unit, dispute_type="neighbour",
                  summary="A wall between two yards", parties=[Party("张三", "+8613800000001"), Party("李四")], now=at)
    dispute = disputes.register(session, **(values | over))
    if state in ("accepted", "assessed"):
        disputes.act(session, dispute, "accept", now=at + timedelta(minutes=1))
    if state == "assessed":
        disputes.act(session, dispute, "assess", risk_level=level, now=at + timedelta(minutes=2))
    session.commit()
    return dispute


def signed_in(app, user, language: str = "en"):
    """A client signed in as `user`, reading `language` (English unless told)."""
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    client.post(f"/language/{language}")
    return client
