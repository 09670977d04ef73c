"""Start-up of the command line: ``slaflow bpmn check FILE`` against the bare interpreter, same run."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bench.targets import check

pytestmark = pytest.mark.bench
ROOT = Path(__file__).resolve().parents[2]


def _seconds(argv) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def test_bpmn_check_starts_fast():
    check_cmd = [str(Path(sys.executable).parent / "slaflow"), "bpmn", "check", "bpmn/complaint/complaint.bpmn"]
    bare_cmd = [sys.executable, "-c", "pass"]
    bare, full = [], []
    for i in range(12):  # alternated, the first pair dropped (cold file cache)
        pair = (bare_cmd, check_cmd) if i % 2 else (check_cmd, bare_cmd)
        first, second = (_seconds(argv) for argv in pair)
        if i:
            (bare if pair[0] is bare_cmd else full).append(first)
            (full if pair[1] is check_cmd else bare).append(second)
    b, f = statistics.median(bare), statistics.median(full)
    print(f"\nCommand line start-up: python -c pass {b * 1000:.0f} ms; slaflow bpmn check FILE {f * 1000:.0f} ms "
          f"({f / b:.1f}x)")
    check("slaflow bpmn check start-up, median", f, 0.5, " s")
