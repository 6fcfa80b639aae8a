"""The warm-up compiles every routine a solve calls, so a first solve does not compile in its time limit."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hotline.jobs import warm_solvers

ROOT = Path(__file__).resolve().parents[2]

# the compiled routines the solves enter from Python (the ones they call in turn compile with them)
ENTRIES = {
    "scheduling.matching.bound": ["ascend", "dual_value"],
    "scheduling.matching.anneal": ["anneal_steps"],
    "scheduling.matching.gap_local": ["tabu_search"],
    "scheduling.matching.gap_lagrange": ["ascend", "forced_values"],
    "scheduling.matching.gap_branch": ["branch_and_bound"],
    "scheduling.roster.person_dp_jit": ["day_by_day"],
    "scheduling.roster.labelling_jit": ["completion_tables", "dual_bound", "minute_tables", "label_search"],
}

CHECK = """
import importlib, json, sys
sys.path.insert(0, {root!r})
from scheduling.warm import warm_up
warm_up()
entries = {entries!r}
print(json.dumps({{f"{{m}}.{{f}}": len(getattr(importlib.import_module(m), f).signatures)
                   for m, names in entries.items() for f in names}}))
"""


def test_warm_up_compiles_every_entry_a_solve_calls():
    """In a fresh process (nothing compiled in memory yet), warm_up leaves each entry with a compiled signature."""
    code = CHECK.format(root=str(ROOT), entries=ENTRIES)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    compiled = json.loads(out.stdout.strip().splitlines()[-1])
    assert compiled and all(count >= 1 for count in compiled.values()), compiled


def test_the_app_warms_the_solvers_in_a_thread_that_ends():
    thread = warm_solvers()
    assert thread.daemon
    thread.join(timeout=300)
    assert not thread.is_alive()
