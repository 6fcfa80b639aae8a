"""GAP text readers: single and multi-problem files, --problem, and errors naming file and line."""
from __future__ import annotations

import pytest

from scheduling.cli import InputError
from scheduling.matching.gap import gap_problem_count, parse_gap, read_gap

SINGLE = "2 3\n1 2 3\n3 2 1\n1 1 1\n1 1 1\n2 2\n"
MULTI = "2\n" + SINGLE + "1 2\n5 6\n1 1\n2\n"


def test_single_problem_file():
    problem = parse_gap(SINGLE, "s.txt")
    assert (problem.agents, problem.jobs) == (2, 3)
    assert problem.costs == ((1, 2, 3), (3, 2, 1))
    assert problem.capacities == (2, 2)


def test_multi_problem_file_picks_problem_k():
    assert parse_gap(MULTI, "m.txt", 1).jobs == 3
    second = parse_gap(MULTI, "m.txt", 2)
    assert (second.agents, second.jobs, second.costs) == (1, 2, ((5, 6),))


@pytest.mark.parametrize("k", [0, 3])
def test_wrong_problem_number(k):
    with pytest.raises(InputError) as error:
        parse_gap(MULTI, "m.txt", k)
    assert "m.txt:1" in str(error.value) and "2 problems" in str(error.value)


def test_single_file_rejects_problem_two():
    with pytest.raises(InputError, match="one problem"):
        parse_gap(SINGLE, "s.txt", 2)


def test_bad_number_names_its_line():
    with pytest.raises(InputError) as error:
        parse_gap("2 3\n1 2 3\n3 x 1\n1 1 1\n1 1 1\n2 2\n", "bad.txt")
    assert str(error.value).startswith("bad.txt:3:") and "'x'" in str(error.value)


def test_truncated_file_is_an_error():
    with pytest.raises(InputError) as error:
        parse_gap("2\n2 3\n1 2 3\n3 2 1\n", "short.txt")
    assert str(error.value).startswith("short.txt:4:") and "file ends" in str(error.value)


def test_negative_capacity_is_an_error():
    with pytest.raises(InputError, match="capacity"):
        parse_gap("2\n" + "2 3\n1 2 3\n3 2 1\n1 1 1\n1 1 1\n2 -2\n" * 2, "neg.txt")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("\n")
    with pytest.raises(InputError, match="no numbers"):
        read_gap(str(path))


def test_orlib_and_yagiura_files_read(gap_dir):
    assert gap_problem_count(str(gap_dir / "orlib" / "gapa.txt")) == 6
    problem = read_gap(str(gap_dir / "orlib" / "gapd.txt"), 6)
    assert (problem.agents, problem.jobs) == (20, 200)
    assert read_gap(str(gap_dir / "yagiura" / "e05100.txt")).agents == 5
