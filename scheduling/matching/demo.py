"""A synthetic but realistic Liaoning instance: 14 cities, FTZ lawyers in firms, 2,885 key projects.

Used by the province benchmark and for demo data; the numbers (hours, levels, language shares) are plausible
guesses, not real statistics. Deterministic for a given seed.
"""
from __future__ import annotations

import random

from scheduling.matching.problem import City, Lawyer, MatchingProblem, Project

CITIES = {
    "shenyang": (41.80, 123.43), "dalian": (38.91, 121.61), "anshan": (41.11, 122.99),
    "fushun": (41.88, 123.96), "benxi": (41.29, 123.77), "dandong": (40.12, 124.38),
    "jinzhou": (41.10, 121.13), "yingkou": (40.67, 122.24), "fuxin": (42.02, 121.67),
    "liaoyang": (41.27, 123.17), "panjin": (41.12, 122.07), "tieling": (42.29, 123.84),
    "chaoyang": (41.57, 120.45), "huludao": (40.71, 120.84),
}
FTZ = {"shenyang": "shenyang", "dalian": "dalian", "yingkou": "yingkou"}
PROJECT_CITY_SHARE = {"shenyang": 28, "dalian": 34, "yingkou": 12, "anshan": 5, "jinzhou": 4, "dandong": 3,
                      "fushun": 2, "benxi": 2, "fuxin": 1, "liaoyang": 2, "panjin": 3, "tieling": 1,
                      "chaoyang": 1, "huludao": 2}
LAWYER_CITY_SHARE = {"shenyang": 40, "dalian": 38, "yingkou": 10, "anshan": 3, "jinzhou": 3, "dandong": 2,
                     "panjin": 2, "huludao": 2}
CORE_AREAS = ["company", "foreign_investment", "contracts", "construction", "ip", "finance", "labour",
              "land", "administrative"]
OTHER_AREAS = ["notarization", "mediation", "criminal", "consumer", "housing"]
SECTORS = ["equipment", "petrochemicals", "logistics", "electronics", "pharma", "automotive", "agrifood",
           "new_energy", "software", "shipbuilding"]
LANGUAGE_SHARE = {"en": (0.15, 0.5), "ja": (0.06, 0.2), "ko": (0.07, 0.2), "ru": (0.03, 0.12)}


def _pick(rng: random.Random, shares: dict[str, int]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def province_instance(seed: int = 0, projects: int = 2885, lawyers: int = 180, firms: int = 45) -> MatchingProblem:
    """The benchmark instance: every hard rule in play, capacities about 85% used."""
    rng = random.Random(seed)
    cities = {cid: City(cid, lat, lon, cid.title()) for cid, (lat, lon) in CITIES.items()}
    firm_city = {f"firm{f:02d}": _pick(rng, LAWYER_CITY_SHARE) for f in range(firms)}
    parties = [f"company{c:03d}" for c in range(600)]
    team = []
    for n in range(lawyers):
        firm = rng.choice(list(firm_city))
        city = firm_city[firm] if rng.random() < 0.9 else _pick(rng, LAWYER_CITY_SHARE)
        areas = {a: rng.randint(1, 5) for a in rng.sample(CORE_AREAS, rng.randint(4, 7))}
        areas.update({a: rng.randint(1, 4) for a in rng.sample(OTHER_AREAS, rng.randint(0, 2))})
        languages = ("zh",) + tuple(code for code, (_, share) in LANGUAGE_SHARE.items() if rng.random() < share)
        team.append(Lawyer(
            id=f"L{n:03d}", city=city, firm=firm, areas=areas, languages=languages,
            hours=float(rng.choice([80, 96, 112, 128, 144])), max_projects=rng.randint(30, 48),
            conflict_projects=frozenset(f"P{rng.randrange(projects):04d}" for _ in range(rng.randint(0, 4))),
            conflict_firms=frozenset(rng.sample(parties, rng.randint(0, 2))),
        ))
    jobs = []
    for n in range(projects):
        city = _pick(rng, PROJECT_CITY_SHARE)
        areas = tuple(rng.sample(CORE_AREAS, rng.choice([1, 2, 2, 3])))
        foreign = rng.choices(list(LANGUAGE_SHARE) + [""], [s for s, _ in LANGUAGE_SHARE.values()] + [0.69])[0]
        languages = ("zh", foreign) if foreign else ("zh",)
        jobs.append(Project(
            id=f"P{n:04d}", city=city, areas=areas, languages=languages,
            hours=float(rng.choice([2, 3, 4, 4, 5, 6, 8])), priority=rng.choice([1, 1, 2, 2, 3, 4, 5]),
            ftz_area=FTZ.get(city), sector=rng.choice(SECTORS), investment=float(rng.randint(1, 500) * 100),
            parties=tuple(rng.sample(parties, rng.randint(1, 3))),
        ))
    return MatchingProblem(cities=cities, projects=tuple(jobs), lawyers=tuple(team))
