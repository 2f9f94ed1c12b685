"""Benchmark: the virtual patient's speed, and the quality of advisor vs fixed vs none on the default population.

Goals (simulator issue #5): one patient x 24 h under 0.5 s; 1000 patients x 24 h under 20 s on 2 cores, for every
policy, the advisor included (a population of 200 or more spreads its policies over one process per CPU, see
``RunConfig.workers``). Quality: followed at its own prompt times, the advisor keeps true MAP in the target band
>= 80 % of the time and at most half the fixed protocol's time below the band.
Prints the figures and writes them to docs/benchmarks.md, section "Simulator"; asserts nothing. Wall times depend on
what else the machine runs: each population line also gives the CPU time of this process and of its helpers.

Run:  .venv/bin/python bench/bench_sim.py [--patients 1000] [--quality-patients 200] [--seed 1] [--runs 5]
"""

from __future__ import annotations

import argparse
import gc
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
from bench_infusion import write_section  # noqa: E402

from norepi_gui.sim.debrief import Debrief  # noqa: E402
from norepi_gui.sim.engine import SimConfig  # noqa: E402
from norepi_gui.sim.policy import Decision, FixedStepPolicy, Observation, PolicyFactory  # noqa: E402
from norepi_gui.sim.runner import RunConfig, RunResult, policy_factory, process_count, run_headless  # noqa: E402

HOURS = 24.0


class StaggeredPolicy(FixedStepPolicy):
    """Worst case for chunking: each patient checks on its own 5-15 min interval."""

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


def one_patient(policy: PolicyFactory) -> RunResult:
    cfg = RunConfig(sim=SimConfig(dt_s=1.0, record_every_s=1.0))
    return run_headless(policy, hours=HOURS, seed=1, patients=1, config=cfg)


def helpers_cpu() -> float:
    """CPU seconds used so far by finished child processes (the runner's helper processes)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def mean(debriefs: list[Debrief], name: str) -> float:
    return float(np.mean([getattr(d, name) for d in debriefs]))


def quality_table(results: dict[str, list[Debrief]]) -> list[str]:
    rows = [
        ("time in band %", "time_in_band_pct"),
        ("time below band %", "time_below_band_pct"),
        ("time below target - 5 %", "time_below_target_minus_5_pct"),
        ("time MAP < 60 %", "time_map_below_60_pct"),
        ("time above band %", "time_above_band_pct"),
        ("prompts per patient", "prompts"),
        ("escalations started", "escalations_made"),
        ("max NE dose, mcg/kg/min", "max_dose_mcg_per_kg_per_min"),
        ("NE total, mg", "total_mg"),
    ]
    names = list(results)
    lines = ["| metric (mean over patients) | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for label, field in rows:
        cells = []
        for name in names:
            vals = np.array([getattr(d, field) for d in results[name]], dtype=float)
            cell = f"{vals.mean():.1f}" if field != "max_dose_mcg_per_kg_per_min" else f"{vals.mean():.2f}"
            if field == "time_in_band_pct":
                p10, p90 = np.percentile(vals, [10, 90])
                cell += f" (p10 {p10:.0f}, p90 {p90:.0f})"
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=1000, help="population size for the speed figures")
    ap.add_argument("--quality-patients", type=int, default=200, help="population size for the quality table")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-write", action="store_true", help="print only, leave docs/benchmarks.md alone")
    args = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"Machine: python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} logical CPUs, load average {load:.1f} at the start; {args.patients} patients run their "
        f"policies in {process_count(None, args.patients)} process(es).",
        "",
        "Speed (wall time; the advisor asks the titration engine at every prompt):",
        "",
    ]
    print(lines[0])
    policies: dict[str, PolicyFactory] = {name: policy_factory(name) for name in ("none", "fixed", "advisor")}
    run_headless(policies["advisor"], hours=1.0, seed=0)  # warm-up: imports, protocol, first allocations

    for name, factory in policies.items():
        med, best = timed(lambda f=factory: one_patient(f), args.runs)
        line = (f"- 1 patient x 24 h, dt 1 s, policy {name}: median {med * 1000:.0f} ms, best {best * 1000:.0f} ms "
                f"(goal < 500 ms)")
        print(line)
        lines.append(line)

    n = args.patients
    goal = 20.0  # seconds, every policy (issue #5)
    factories: dict[str, PolicyFactory] = {**policies, "staggered": StaggeredPolicy}
    for name in ("none", "fixed", "staggered", "advisor"):
        gc.collect()  # each run starts without the previous run's garbage
        cpu0, helpers0 = time.process_time(), helpers_cpu()
        t0 = time.perf_counter()
        result = run_headless(factories[name], hours=HOURS, seed=args.seed, patients=n)
        t_run = time.perf_counter() - t0
        t0 = time.perf_counter()
        result.debriefs()
        t_debrief = time.perf_counter() - t0
        cpu, helpers = time.process_time() - cpu0, helpers_cpu() - helpers0
        total = t_run + t_debrief
        what = "every patient on its own 5-15 min interval" if name == "staggered" else f"policy {name}"
        line = (f"- {n} patients x 24 h, {what}: run {t_run:.1f} s + debrief {t_debrief:.1f} s = {total:.1f} s "
                f"(goal < {goal:.0f} s: {'met' if total < goal else 'NOT met'}; CPU {cpu:.1f} s here + "
                f"{helpers:.1f} s in helper processes)")
        print(line)
        lines.append(line)
        del result  # the next run neither carries nor forks this one's traces

    q = args.quality_patients
    results = {}
    for name, factory in policies.items():
        results[name] = run_headless(factory, hours=HOURS, seed=args.seed, patients=q).debriefs()
    band = results["advisor"][0]
    table = quality_table({"advisor": results["advisor"], "fixed": results["fixed"], "none": results["none"]})
    in_band = mean(results["advisor"], "time_in_band_pct")
    below, below_fixed = mean(results["advisor"], "time_below_band_pct"), mean(results["fixed"], "time_below_band_pct")
    verdict = [
        f"- advisor time in band {in_band:.1f} % (goal >= 80 %: {'met' if in_band >= 80.0 else 'NOT met'})",
        f"- advisor time below band {below:.1f} % vs fixed {below_fixed:.1f} % (goal <= half: "
        f"{'met' if below <= below_fixed / 2.0 else 'NOT met'})",
    ]
    header = [
        "",
        f"Quality: default mixed septic-shock population, {q} patients x 24 h, seed {args.seed}; true MAP scored on "
        f"the band the engine derives ({band.band_low_mmhg:g}-{band.band_high_mmhg:g} mmHg); every policy meets the "
        "same patients and noise. `advisor` follows the engine after a 1 min reaction delay; `fixed` steps 0.05 "
        "every 15 min; `none` keeps the start dose.",
        "",
    ]
    print("\n".join(header + table + [""] + verdict))
    lines += header + table + [""] + verdict
    if not args.no_write:
        write_section(ROOT / "docs" / "benchmarks.md", "Simulator", lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
