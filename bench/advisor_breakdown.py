"""Where a policy's out-of-band time goes: split by whether norepinephrine was running, and by phase of the day.

Runs the default population under the advisor policy (or ``--policy reference|fixed|none``) and prints time in band,
below and above, with the out-of-band time split into "norepinephrine running" (what titration can reach) and "off"
(a recovered patient's own MAP), in-band time by hour band, and the workload (dose changes, reversals and prompts per
hour). Used to choose the titration rules (docs/simulator.md, "Advisor quality"); asserts nothing.

Run:  .venv/bin/python bench/advisor_breakdown.py [--policy advisor] [--patients 200] [--seed 1] [--hours 24]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from norepi_gui.sim.runner import policy_factory, run_headless  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policy", default="advisor", choices=("advisor", "reference", "fixed", "none"))
    ap.add_argument("--patients", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hours", type=float, default=24.0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    res = run_headless(policy_factory(args.policy), hours=args.hours, seed=args.seed, patients=args.patients)
    elapsed = time.perf_counter() - t0
    t = np.asarray(res.sim.trace.t_min)
    lo, hi = res.debrief_target_mmhg, res.debrief_band_high_mmhg
    assert hi is not None
    split = dict.fromkeys(("in band", "above, NE running", "above, NE off", "below, NE running", "below, NE off"), 0)
    maps = []
    for i in range(res.sim.n):
        m = res.sim.rec_true_map[i].astype(np.float64)
        maps.append(m)
        times, doses = zip(*res.logs[i].ne_doses, strict=True)
        on = np.asarray(doses)[np.searchsorted(np.asarray(times), t, side="right") - 1] > 0.0
        split["in band"] += int(np.sum((m >= lo) & (m <= hi)))
        split["above, NE running"] += int(np.sum((m > hi) & on))
        split["above, NE off"] += int(np.sum((m > hi) & ~on))
        split["below, NE running"] += int(np.sum((m < lo) & on))
        split["below, NE off"] += int(np.sum((m < lo) & ~on))
    total = sum(m.size for m in maps)
    prompts = np.mean([len(log.prompts) for log in res.logs])
    debriefs = res.debriefs()
    print(f"{args.policy}, {args.patients} patients x {args.hours:g} h, seed {args.seed}, band {lo:g}-{hi:g} mmHg "
          f"({elapsed:.1f} s); prompts per patient {prompts:.0f}")
    for label, name in (("dose changes per hour", "ne_changes_per_h"), ("reversals per hour", "reversals_per_h"),
                        ("prompts per hour", "prompts_per_h")):
        print(f"  {label:22s} {np.mean([getattr(d, name) for d in debriefs]):.2f}")
    for name, count in split.items():
        print(f"  {name:18s} {100.0 * count / total:5.1f} % of the time")
    allmap = np.stack(maps)
    for a, b in ((0, 30), (30, 60), (60, 120), (120, 360), (360, args.hours * 60)):
        x = allmap[:, (t >= a) & (t < b)]
        if x.size:
            print(f"  minutes {a:4.0f}-{b:4.0f}: in band {100 * np.mean((x >= lo) & (x <= hi)):5.1f} %, "
                  f"below {100 * np.mean(x < lo):5.1f} %, above {100 * np.mean(x > hi):5.1f} %")


if __name__ == "__main__":
    main()
