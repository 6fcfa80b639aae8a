"""The province's reference data: its 14 cities, the FTZ areas, default shift types and public holidays."""
from __future__ import annotations

import math
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import City, FtzArea, PublicHoliday, ShiftSuccession, ShiftType

# code, English, Chinese, latitude, longitude (city centres).
CITIES = (
    ("shenyang", "Shenyang", "沈阳", 41.8057, 123.4315),
    ("dalian", "Dalian", "大连", 38.9140, 121.6147),
    ("anshan", "Anshan", "鞍山", 41.1087, 122.9946),
    ("fushun", "Fushun", "抚顺", 41.8808, 123.9573),
    ("benxi", "Benxi", "本溪", 41.2979, 123.7665),
    ("dandong", "Dandong", "丹东", 40.1290, 124.3545),
    ("jinzhou", "Jinzhou", "锦州", 41.0951, 121.1270),
    ("yingkou", "Yingkou", "营口", 40.6670, 122.2350),
    ("fuxin", "Fuxin", "阜新", 42.0217, 121.6700),
    ("liaoyang", "Liaoyang", "辽阳", 41.2694, 123.1724),
    ("panjin", "Panjin", "盘锦", 41.1199, 122.0707),
    ("tieling", "Tieling", "铁岭", 42.2863, 123.8443),
    ("chaoyang", "Chaoyang", "朝阳", 41.5735, 120.4509),
    ("huludao", "Huludao", "葫芦岛", 40.7110, 120.8369),
)

FTZ_AREAS = (
    ("shenyang", "Shenyang Area", "沈阳片区", "shenyang"),
    ("dalian", "Dalian Area", "大连片区", "dalian"),
    ("yingkou", "Yingkou Area", "营口片区", "yingkou"),
)

# code, English, Chinese, kind, start, end, minutes, minimum rest after (hours), unpopular.
SHIFT_TYPES = (
    ("AM", "Hotline morning", "热线上午班", "hotline", time(8, 30), time(12, 0), 210, 0, False),
    ("PM", "Hotline afternoon", "热线下午班", "hotline", time(13, 0), time(17, 30), 270, 0, False),
    ("EVE", "Hotline evening", "热线晚班", "hotline", time(17, 30), time(21, 0), 210, 0, True),
    ("NIGHT", "Night on-call", "夜间值守", "oncall", time(21, 0), time(8, 30), 690, 11, True),
    ("VIDEO", "Video consultations", "视频咨询", "video", time(9, 0), time(12, 0), 180, 0, False),
    ("PHONE", "Phone consultations", "电话咨询", "phone", time(14, 0), time(17, 0), 180, 0, False),
)

# After a night on call, no morning duty the next day (the night ends at 08:30).
FORBIDDEN_SUCCESSIONS = (("NIGHT", "AM"), ("NIGHT", "VIDEO"), ("NIGHT", "PM"))

HOLIDAYS = (
    (date(2026, 10, 1), "National Day", "国庆节"),
    (date(2026, 10, 2), "National Day", "国庆节"),
    (date(2026, 10, 3), "National Day", "国庆节"),
    (date(2027, 1, 1), "New Year's Day", "元旦"),
    (date(2027, 2, 6), "Spring Festival", "春节"),
    (date(2027, 2, 7), "Spring Festival", "春节"),
    (date(2027, 2, 8), "Spring Festival", "春节"),
    (date(2027, 4, 5), "Qingming Festival", "清明节"),
    (date(2027, 5, 1), "Labour Day", "劳动节"),
)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _neighbours(code: str, count: int = 3) -> str:
    """The nearest other cities, nearest first, as comma-separated codes."""
    here = next((lat, lon) for c, _en, _zh, lat, lon in CITIES if c == code)
    others = sorted(
        (distance_km(here, (lat, lon)), other) for other, _en, _zh, lat, lon in CITIES if other != code
    )
    return ",".join(other for _distance, other in others[:count])


def ensure(session: Session) -> None:
    """Insert whatever reference data is missing; existing rows are left as they are."""
    cities = {city.code: city for city in session.scalars(select(City))}
    for code, name_en, name_zh, lat, lon in CITIES:
        if code not in cities:
            cities[code] = City(
                code=code, name_en=name_en, name_zh=name_zh, latitude=lat, longitude=lon, neighbours=_neighbours(code)
            )
            session.add(cities[code])
    session.flush()
    areas = {area.code for area in session.scalars(select(FtzArea))}
    for code, name_en, name_zh, city_code in FTZ_AREAS:
        if code not in areas:
            session.add(FtzArea(code=code, name_en=name_en, name_zh=name_zh, city_id=cities[city_code].id))
    types = {shift_type.code: shift_type for shift_type in session.scalars(select(ShiftType))}
    for code, name_en, name_zh, kind, starts, ends, minutes, rest, unpopular in SHIFT_TYPES:
        if code not in types:
            types[code] = ShiftType(
                code=code, name_en=name_en, name_zh=name_zh, kind=kind, starts=starts, ends=ends,
                minutes=minutes, min_rest_hours=rest, unpopular=unpopular,
            )
            session.add(types[code])
    session.flush()
    existing = set(session.execute(select(ShiftSuccession.preceding_id, ShiftSuccession.following_id)).all())
    for before, after in FORBIDDEN_SUCCESSIONS:
        pair = (types[before].id, types[after].id)
        if pair not in existing:
            session.add(ShiftSuccession(preceding_id=pair[0], following_id=pair[1]))
    holidays = set(session.scalars(select(PublicHoliday.day)))
    for day, name_en, name_zh in HOLIDAYS:
        if day not in holidays:
            session.add(PublicHoliday(day=day, name_en=name_en, name_zh=name_zh))
    session.flush()
