"""``python -m scheduling book``: a good batch prints the allocation; bad input exits 2 naming the file and line."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scheduling import engines
from scheduling.booking import TAKEN
from scheduling.cli import main

REPO = Path(__file__).resolve().parents[2]
BATCH = {
    "lawyers": [
        {"id": "L1", "areas": ["labour", "company"], "daily_cap": 2, "already_booked": {"2025-03-03": 1}},
        {"id": "L2", "areas": ["labour"], "daily_cap": 3},
    ],
    "slots": [
        {"id": "S1", "lawyer": "L1", "mode": "video", "day": "2025-03-03",
         "start": "2025-03-03T09:00:00+08:00", "end": "2025-03-03T09:30:00+08:00"},
        {"id": "S2", "lawyer": "L1", "mode": "video",
         "start": "2025-03-03T09:40:00+08:00", "end": "2025-03-03T10:10:00+08:00"},
        {"id": "S3", "lawyer": "L2", "mode": "phone",
         "start": "2025-03-03T06:00:00Z", "end": "2025-03-03T06:30:00Z"},
    ],
    "requests": [
        {"id": "R1", "area": "labour", "mode": "video", "priority": 4, "own_counsel": ["L1"],
         "windows": [["2025-03-03T09:00:00+08:00", "2025-03-03T12:00:00+08:00"]]},
        {"id": "R2", "area": "company", "mode": "video", "priority": 2,
         "windows": [["2025-03-03T09:00:00+08:00", "2025-03-03T12:00:00+08:00"]]},
        {"id": "R3", "area": "labour", "mode": "phone", "excluded": ["L1"],
         "windows": [["2025-03-03T14:00:00+08:00", "2025-03-03T15:00:00+08:00"],
                     ["2025-03-04T09:00:00+08:00", "2025-03-04T10:00:00+08:00"]]},
    ],
}


@pytest.fixture(autouse=True)
def only_book(monkeypatch):
    """Test the book command alone (the other commands are other engines')."""
    monkeypatch.setattr(engines, "REGISTRARS", [engines._book])


def dump(data) -> str:
    """The batch as JSON with each lawyer, slot and request on a line of its own."""
    if not isinstance(data, dict):
        return json.dumps(data)
    parts = []
    for key, value in data.items():
        if isinstance(value, list):
            items = ",\n".join("    " + json.dumps(item) for item in value)
            parts.append(f'  "{key}": [\n{items}\n  ]')
        else:
            parts.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def write(tmp_path, data, name="batch.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else dump(data), encoding="utf-8")
    return path


def test_good_batch(tmp_path, capsys):
    path = write(tmp_path, BATCH)
    status, out, err = run(capsys, "book", str(path), "--time-limit", "5", "--workers", "1", "--seed", "3")
    result = json.loads(out)
    assert status == 0 and err == ""
    assert {"status", "objective", "bound", "wall_s", "allocation", "unallocated"} <= set(result)
    assert result["status"] == "OPTIMAL" and result["objective"] == result["bound"] == (4 * 4 + 1) + 1 * 4
    # L1 has room for one more on Monday: R1 (priority 4, own counsel) gets it, R2 does not.
    # S3 starts at 06:00Z, 14:00 in the province: inside R3's first window.
    assert result["allocation"] == {"R1": "S1", "R3": "S3"}
    assert result["unallocated"] == {"R2": "suitable slots are taken or their lawyers have reached their daily cap"}


def test_out_file_and_whole_number_ids(tmp_path, capsys):
    data = copy.deepcopy(BATCH)
    data["requests"].append({"id": 7, "area": "labour", "mode": "phone", "priority": 2,
                             "windows": [["2025-03-03T14:00:00+08:00", "2025-03-03T14:30:00+08:00"]]})
    path, out_file = write(tmp_path, data), tmp_path / "out.json"
    status, out, _ = run(capsys, "book", str(path), "--out", str(out_file))
    result = json.loads(out_file.read_text())
    assert status == 0 and out == ""
    assert result["allocation"]["7"] == "S3" and result["unallocated"]["R3"] == TAKEN


def test_module_entry_point(tmp_path):
    path = write(tmp_path, BATCH)
    done = subprocess.run([sys.executable, "-m", "scheduling", "book", str(path)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["allocation"]["R1"] in ("S1", "S2")


def _line_of(text: str, ident: str) -> int:
    """The line holding the object with this id."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if f'"id": "{ident}"' in line)


@pytest.mark.parametrize("change, ident, words", [
    (lambda d: d["lawyers"][1].pop("daily_cap"), "L2", "lawyer 'L2' has no 'daily_cap'"),
    (lambda d: d["slots"][1].update(start="2025-03-03 nine"), "S2", "not an ISO 8601 date and time"),
    (lambda d: d["slots"][1].update(end="2025-03-03T10:10:00"), "S2", "has no UTC offset"),
    (lambda d: d["slots"][0].update(day="3/3/2025"), "S1", "not a date (YYYY-MM-DD)"),
    (lambda d: d["lawyers"][0].update(already_booked={"2025-02-30": 1}), "L1", "not a date"),
    (lambda d: d["slots"][2].update(lawyer="L9"), "S3", "unknown lawyer 'L9'"),
    (lambda d: d["slots"][1].update(start="2025-03-03T09:20:00+08:00"), "S2", "overlapping slots 'S1' and 'S2'"),
    (lambda d: d["slots"][1].update(end="2025-03-03T09:40:00+08:00"), "S2", "end must come after start"),
    (lambda d: d["slots"][1].update(mode="onsite"), "S2", "mode must be one of video, phone"),
    (lambda d: d["requests"][1].update(priority=0), "R2", "priority"),
    (lambda d: d["requests"][1].update(priority=True), "R2", "'priority' has a bad value"),
    (lambda d: d["requests"][2]["windows"][1].reverse(), "R3", "window 2: end must come after start"),
    (lambda d: d["requests"][2]["windows"].append(["2025-03-04T09:00:00+08:00"]), "R3", "[start, end] pair"),
    (lambda d: d["requests"][0].pop("windows"), "R1", "has no 'windows'"),
    (lambda d: d["requests"][0].update(own_counsel="L1"), "R1", "'own_counsel' has a bad value"),
    (lambda d: d["lawyers"][1].update(daily_cap=-2), "L2", "daily cap"),
    (lambda d: d["requests"].append(dict(d["requests"][0])), "R1", "request id 'R1' appears twice"),
])
def test_bad_batch_exits_2_naming_file_and_line(tmp_path, capsys, change, ident, words):
    data = copy.deepcopy(BATCH)
    change(data)
    path = write(tmp_path, data, "bad.json")
    status, out, err = run(capsys, "book", str(path))
    assert status == 2 and out == "" and err.count("\n") == 1
    assert f"{path}:{_line_of(path.read_text(), ident)}:" in err and words in err


@pytest.mark.parametrize("text, where, words", [
    ('{\n  "lawyers": [\n  }\n', ":3:", "not valid JSON"),
    ("[1, 2]", ":1:", "one JSON object"),
    ('{"lawyers": [], "slots": []}', ":1:", "missing 'requests'"),
    ('{"lawyers": [], "slots": [1], "requests": []}', ":1:", "'slots' must be a list of objects"),
])
def test_malformed_file_exits_2(tmp_path, capsys, text, where, words):
    path = write(tmp_path, text, "bad.json")
    status, out, err = run(capsys, "book", str(path))
    assert status == 2 and out == "" and err.count("\n") == 1
    assert f"{path}{where}" in err and words in err


def test_missing_and_binary_files_exit_2(tmp_path, capsys):
    status, _, err = run(capsys, "book", str(tmp_path / "none.json"))
    assert status == 2 and "none.json" in err and err.count("\n") == 1
    path = tmp_path / "binary.json"
    path.write_bytes(b"\xff\xfe\x00{")
    status, _, err = run(capsys, "book", str(path))
    assert status == 2 and f"{path}: not a UTF-8 text file" in err


@pytest.mark.parametrize("args", [["--time-limit", "0"], ["--workers", "x"], ["--seed", "-1"]])
def test_bad_options_exit_2(tmp_path, capsys, args):
    path = write(tmp_path, BATCH)
    with pytest.raises(SystemExit) as stop:
        main(["book", str(path)] + args)
    assert stop.value.code == 2
