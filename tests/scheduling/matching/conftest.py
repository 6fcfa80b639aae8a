"""Fixtures for the matching tests: the independent checker and builders of tiny problems."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from scheduling.common import SolverSettings
from scheduling.matching.problem import City, Lawyer, MatchingProblem, Project, Weights

_spec = importlib.util.spec_from_file_location("matching_checker", Path(__file__).with_name("checker.py"))
matching_checker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(matching_checker)

CITIES = {
    "shenyang": City("shenyang", 41.80, 123.43),
    "dalian": City("dalian", 38.91, 121.61),
    "yingkou": City("yingkou", 40.67, 122.24),
}
FAST = SolverSettings(time_limit=10.0, workers=2, seed=0)


def lawyer(id, firm, city="shenyang", areas=None, languages=("zh",), hours=100.0, max_projects=10, **more):
    """A lawyer with sensible defaults: company law at the top level, Mandarin."""
    return Lawyer(id=id, city=city, firm=firm, areas=areas or {"company": 5}, languages=tuple(languages),
                  hours=hours, max_projects=max_projects, **more)


def project(id, city="shenyang", areas=("company",), languages=("zh",), hours=4.0, **more):
    """A project with sensible defaults: company law, Mandarin, four hours a month."""
    return Project(id=id, city=city, areas=tuple(areas), languages=tuple(languages), hours=hours, **more)


def problem(projects, lawyers, **more):
    """A problem over the three test cities."""
    more.setdefault("weights", Weights())
    return MatchingProblem(cities=CITIES, projects=tuple(projects), lawyers=tuple(lawyers), **more)


@pytest.fixture
def checker():
    """The independent checker module."""
    return matching_checker


@pytest.fixture
def build():
    """Builders for tiny problems and the fast test settings."""
    return SimpleNamespace(lawyer=lawyer, project=project, problem=problem, settings=FAST)


@pytest.fixture
def gap_dir() -> Path:
    """The GAP benchmark files the tests read, kept in the repository (tests/data/gap)."""
    return Path(__file__).resolve().parents[2] / "data" / "gap"
