"""``python -m scheduling assign``: gap files, --problem, json problems, and bad input (exit 2, file:line)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scheduling import engines
from scheduling.cli import main

SINGLE = "2 3\n1 2 3\n3 2 1\n1 1 1\n1 1 1\n2 2\n"
MULTI = "2\n" + SINGLE + "1 2\n5 6\n1 1\n2\n"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def only_assign(monkeypatch):
    """Test the assign command alone (the roster command is another engine's)."""
    monkeypatch.setattr(engines, "REGISTRARS", [engines._assign])


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_gap_file(tmp_path, capsys, checker):
    path = tmp_path / "single.txt"
    path.write_text(SINGLE)
    status, out, _ = run(capsys, "assign", str(path), "--time-limit", "5")
    result = json.loads(out)
    assert status == 0 and result["status"] == "OPTIMAL"
    assert set(result) == {"status", "objective", "bound", "wall_s", "assignment"}
    feasible, cost = checker.check_gap(*checker.parse_gap(SINGLE), result["assignment"])
    assert feasible and cost == result["objective"] == 4


def test_problem_option_and_out_file(tmp_path, capsys, checker):
    path, out_file = tmp_path / "multi.txt", tmp_path / "out.json"
    path.write_text(MULTI)
    status, out, _ = run(capsys, "assign", str(path), "--problem", "2", "--format", "gap",
                         "--time-limit", "5", "--workers", "1", "--out", str(out_file))
    result = json.loads(out_file.read_text())
    assert status == 0 and out == ""
    assert result["assignment"] == [0, 0] and result["objective"] == 11


def test_orlib_problem(gap_dir, capsys, checker):
    path = gap_dir / "orlib" / "gap1.txt"
    status, out, _ = run(capsys, "assign", str(path), "--problem", "3", "--time-limit", "5")
    result = json.loads(out)
    feasible, cost = checker.check_gap(*checker.parse_gap(path.read_text(), 3), result["assignment"])
    assert status == 0 and feasible and cost == result["objective"] == 256


@pytest.mark.parametrize("text, problem, where, words", [
    ("2 3\n1 2 3\n3 2 z\n1 1 1\n1 1 1\n2 2\n", None, ":3:", "whole number"),
    (MULTI, "3", ":1:", "2 problems"),
    ("2\n2 3\n1 2 3\n", None, ":3:", "file ends"),
])
def test_bad_gap_input_exits_2_naming_file_and_line(tmp_path, capsys, text, problem, where, words):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    args = ["assign", str(path)] + (["--problem", problem] if problem else [])
    status, out, err = run(capsys, *args)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and f"{path}{where}" in err and words in err


def test_missing_file_exits_2(tmp_path, capsys):
    status, _, err = run(capsys, "assign", str(tmp_path / "none.txt"))
    assert status == 2 and "none.txt" in err


@pytest.mark.parametrize("args", [["--time-limit", "0"], ["--workers", "x"], ["--problem", "0"]])
def test_bad_options_exit_2(tmp_path, capsys, args):
    path = tmp_path / "single.txt"
    path.write_text(SINGLE)
    with pytest.raises(SystemExit) as stop:
        main(["assign", str(path)] + args)
    assert stop.value.code == 2


PROBLEM_JSON = {
    "weights": {"travel": 1, "expertise": 10},
    "cities": [{"id": "shenyang", "lat": 41.8, "lon": 123.43}, {"id": "dalian", "lat": 38.91, "lon": 121.61}],
    "lawyers": [
        {"id": "L1", "city": "shenyang", "firm": "F1", "areas": {"company": 5}, "languages": ["zh"]},
        {"id": "L2", "city": "dalian", "firm": "F2", "areas": {"company": 4, "ip": 3}, "languages": ["zh", "en"]},
        {"id": "L3", "city": "dalian", "firm": "F3", "areas": {"company": 3}, "languages": ["zh", "en"]},
    ],
    "projects": [
        {"id": "P1", "city": "shenyang", "areas": ["company"], "languages": ["zh"], "hours": 4, "priority": 3},
        {"id": "P2", "city": "dalian", "areas": ["company"], "languages": ["zh", "en"], "hours": 2},
        {"id": "P3", "city": "dalian", "areas": ["tax"], "languages": ["zh"]},
    ],
}


def test_json_problem(tmp_path, capsys):
    path = tmp_path / "province.json"
    path.write_text(json.dumps(PROBLEM_JSON, indent=2))
    status, out, _ = run(capsys, "assign", str(path), "--time-limit", "5")
    result = json.loads(out)
    assert status == 0 and result["status"] == "OPTIMAL"
    assert set(result["matching"]) == {"P1", "P2"}
    assert result["matching"]["P2"] == {"primary": "L2", "backup": "L3"} or result["matching"]["P2"]["backup"] == "L2"
    assert result["unmatched"][0]["project"] == "P3" and "tax" in result["unmatched"][0]["reason"]
    assert result["bound"] <= result["objective"] + 1e-6


@pytest.mark.parametrize("change, words", [
    (lambda d: d["lawyers"][1].update(city="paris"), "unknown city"),
    (lambda d: d["projects"][2].pop("areas"), "no 'areas'"),
    (lambda d: d["projects"][1].update(priority=9), "'priority'"),
    (lambda d: d["lawyers"][2]["areas"].update(company=7), "levels"),
])
def test_bad_json_exits_2_naming_the_line(tmp_path, capsys, change, words):
    data = json.loads(json.dumps(PROBLEM_JSON))
    change(data)
    text = json.dumps(data, indent=2)
    path = tmp_path / "bad.json"
    path.write_text(text)
    status, out, err = run(capsys, "assign", str(path))
    assert status == 2 and out == "" and words in err
    line = int(err.split(f"{path}:")[1].split(":")[0])
    assert '"id"' in text.splitlines()[line - 1]


def test_broken_json_syntax(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "cities": [\n  }\n')
    status, _, err = run(capsys, "assign", str(path))
    assert status == 2 and f"{path}:3:" in err


def test_problem_option_rejected_for_json(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(PROBLEM_JSON))
    status, _, err = run(capsys, "assign", str(path), "--problem", "1")
    assert status == 2 and "gap files" in err


def test_module_entry_point(tmp_path):
    path = tmp_path / "single.txt"
    path.write_text(SINGLE)
    done = subprocess.run([sys.executable, "-m", "scheduling", "assign", str(path), "--time-limit", "5"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["assignment"] == [0, 0, 1]
