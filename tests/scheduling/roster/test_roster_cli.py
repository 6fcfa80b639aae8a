"""``python -m scheduling roster``: JSON out; bad files and bad arguments give exit status 2 and one line."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import scheduling.engines
from scheduling.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def roster_only(monkeypatch):
    """Run the command line with the roster engine alone (the other engines are not under test here)."""
    monkeypatch.setattr(scheduling.engines, "REGISTRARS", [scheduling.engines._roster])


def test_good_curtois_file(small_text, tmp_path, capsys):
    path = tmp_path / "small.txt"
    path.write_text(small_text)
    assert main(["roster", str(path), "--time-limit", "5", "--workers", "1", "--seed", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "OPTIMAL"
    assert set(result["roster"]) == {"A", "B"} and len(result["roster"]["A"]) == 7
    assert {"status", "objective", "bound", "wall_s", "roster", "penalties"} <= set(result)


def test_json_file_to_out_file(tmp_path):
    path, out = tmp_path / "p.json", tmp_path / "out.json"
    path.write_text('{"days": 2, "shifts": [{"id": "D", "minutes": 60}], "staff": [{"id": "a"}],'
                    ' "covers": [{"day": 1, "shift": "D", "requirement": 1, "under_weight": 5}]}')
    assert main(["roster", str(path), "--out", str(out), "--time-limit", "5"]) == 0
    result = json.loads(out.read_text())
    assert result["roster"] == {"a": ["", "D"]} and result["objective"] == 0


def test_format_given_explicitly(small_text, tmp_path, capsys):
    path = tmp_path / "problem.data"
    path.write_text(small_text)
    assert main(["roster", str(path), "--format", "curtois", "--time-limit", "5"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "OPTIMAL"


def test_bad_file_names_file_and_line(small_text, tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_text(small_text.replace("B,2,L,3", "B,2,Q,3"))
    assert main(["roster", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {path}:17: unknown shift 'Q'"


def test_missing_file(tmp_path, capsys):
    assert main(["roster", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--time-limit", "0"], ["--workers", "two"], ["--seed", "-1"],
                                  ["--format", "xml"], ["--bogus"]])
def test_bad_arguments_exit_2(small_text, tmp_path, capsys, args):
    path = tmp_path / "small.txt"
    path.write_text(small_text)
    with pytest.raises(SystemExit) as stop:
        main(["roster", str(path), *args])
    assert stop.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.skipif(importlib.util.find_spec("scheduling.matching.cli") is None,
                    reason="the assign engine is not there yet, so python -m scheduling cannot start")
def test_python_dash_m(small_text, tmp_path):
    path = tmp_path / "small.txt"
    path.write_text(small_text)
    done = subprocess.run([sys.executable, "-m", "scheduling", "roster", str(path), "--time-limit", "5"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "OPTIMAL"
    bad = subprocess.run([sys.executable, "-m", "scheduling", "roster", str(path), "--workers", "0"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
