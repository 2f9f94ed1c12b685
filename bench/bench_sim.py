"""Benchmark: the virtual patient, one patient and a population, 24 h at 1 s resolution.

Goals (simulator issue): one patient x 24 h under 0.5 s; 1000 patients x 24 h under 20 s on 2 cores.
The engine steps every patient together with exact exponential updates over intervals of constant
infusion; internal resolution is 1 s (SimConfig.dt_s). Prints figures; asserts nothing.

Run:  .venv/bin/python bench/bench_sim.py [--patients 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from norepi_gui.sim.engine import SimConfig  # noqa: E402
from norepi_gui.sim.policy import Decision, FixedStepPolicy, NonePolicy, Observation, PolicyFactory  # noqa: E402
from norepi_gui.sim.runner import RunConfig, RunResult, run_headless  # noqa: E402


class StaggeredPolicy(FixedStepPolicy):
    """Worst case for chunking: each patient checks on its own 5-15 min interval, as the advisor will."""

    def decide(self, obs: Observation) -> Decision:
        self.interval_min = 5.0 + obs.patient % 11
        return super().decide(obs)


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def one_patient(policy: PolicyFactory, record_every_s: float) -> RunResult:
    cfg = RunConfig(sim=SimConfig(dt_s=1.0, record_every_s=record_every_s))
    return run_headless(policy, hours=24.0, seed=1, patients=1, config=cfg)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} logical CPUs (the engine runs in one process)"
    )
    run_headless(NonePolicy, hours=1.0, seed=0)  # warm-up: imports, first allocations

    for name, policy in (("none", NonePolicy), ("fixed", FixedStepPolicy)):
        for rec in (1.0, 10.0):
            med, best = timed(lambda p=policy, r=rec: one_patient(p, r), args.runs)
            print(
                f"1 patient x 24 h, dt 1 s, policy {name:5s}, record every {rec:g} s: "
                f"median {med * 1000:.0f} ms, best {best * 1000:.0f} ms (goal < 500 ms)"
            )

    n = args.patients
    for name, policy in (("none", NonePolicy), ("fixed", FixedStepPolicy), ("staggered", StaggeredPolicy)):
        t0 = time.perf_counter()
        result = run_headless(policy, hours=24.0, seed=1, patients=n)
        t_run = time.perf_counter() - t0
        t0 = time.perf_counter()
        debriefs = result.debriefs()
        t_debrief = time.perf_counter() - t0
        in_band = np.mean([d.time_in_band_pct for d in debriefs])
        mb = result.sim.rec_true_map.nbytes / 1e6
        print(
            f"{n} patients x 24 h, dt 1 s, policy {name:9s}: run {t_run:.2f} s + debrief {t_debrief:.2f} s "
            f"= {t_run + t_debrief:.2f} s (goal < 20 s); true-MAP record {mb:.0f} MB; "
            f"mean time in band {in_band:.1f} %"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
