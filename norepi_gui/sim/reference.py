"""The ``reference`` policy: a proportional-integral (PI) controller, the kind closed-loop vasopressor systems use.

It is the strong peer the advisor is measured against (issue 13), not a clinical rule of the application. Closed-loop
norepinephrine systems keep MAP within +/-5 mmHg of target 80-92 % of the time (clinical-reference "Closed-loop
titration results": Joosten 2019, 2021; post-surgical ICU 2023); like them it aims at one number, the band's middle,
and moves the dose at every check in proportion to the error and its accumulated sum.

The controller, every ``interval_min`` (5 min, the shortest prompt interval of seeds 000/004):

* error ``e = middle - measured MAP`` (mmHg);
* velocity (incremental) form, which cannot wind up: ``du = kp (e - e_prev) + ki interval e`` (mcg/kg/min);
* the change is limited to ``max_up`` / ``max_down`` per check and the dose to ``[0, max_dose]``; the controller keeps
  its exact output and programs the pump only when the output differs from the running dose by at least
  ``resolution`` (a pump is set in steps, and a change below that would be an interruption for nothing); the
  remainder is carried, so the integral action is not lost;
* gains scale with the running dose (``dose_scaled``): a step of a given size moves MAP much more at 0.05 than at 0.5
  mcg/kg/min on the Emax curve, so the same mmHg of error asks for a change proportional to the dose, with
  ``min_scale_dose`` as the floor near zero.

Around the controller, the same protocol steps every team takes, so that refractory patients are not left to an
impossible task: vasopressin 0.03 U/min when norepinephrine reaches the protocol threshold (0.25 mcg/kg/min) with MAP
below target [seed 000, 001; protocol ``escalation.vasopressin_*``], stopped once norepinephrine is back below
``vasopressin_off_below`` with MAP in or above the band; hydrocortisone 200 mg/day once norepinephrine has run at
0.25 or more for 4 h [U, SSC 2021; protocol ``escalation.hydrocortisone_*``]; an empty bag is replaced. The gains
and limits below were tuned on the default population with a tuning seed that the benchmarks do not use
(``docs/simulator.md``, "The reference policy").
"""

from __future__ import annotations

from dataclasses import dataclass

from norepi_gui.sim.policy import Decision, Observation

# Tuned values (docs/simulator.md, "The reference policy"); units mcg/kg/min per mmHg (kp) and per mmHg per minute
# (ki) at a running dose of REFERENCE_DOSE.
DEFAULT_KP = 0.002
DEFAULT_KI = 0.0008
REFERENCE_DOSE = 0.1


@dataclass
class ReferencePolicy:
    """PI controller on norepinephrine aiming at the band's middle (see the module docstring)."""

    kp: float = DEFAULT_KP
    ki: float = DEFAULT_KI
    interval_min: float = 5.0
    max_dose: float = 1.0  # MSF guide [S], the runner's LimitRules maximum
    max_up: float = 0.05  # per check: the MSF guide's increment [S]
    max_down: float = 0.05
    resolution: float = 0.01
    dose_scaled: bool = True
    min_scale_dose: float = 0.05
    vasopressin_u_per_min: float = 0.03
    vasopressin_on_at: float = 0.25
    vasopressin_off_below: float = 0.1
    hydrocortisone_at: float = 0.25
    hydrocortisone_after_min: float = 240.0
    hydrocortisone_mg_per_day: float = 200.0

    def __post_init__(self) -> None:
        self._prev_error: float | None = None
        self._output: float | None = None
        self._high_since: float | None = None

    def decide(self, obs: Observation) -> Decision:
        middle = obs.target_map_mmhg + obs.band_width_mmhg / 2.0
        error = middle - obs.map_mmhg
        running = obs.ne_mcg_per_kg_per_min
        out = running if self._output is None or abs(self._output - running) > self.resolution else self._output
        prev = error if self._prev_error is None else self._prev_error
        self._prev_error = error
        scale = max(running, self.min_scale_dose) / REFERENCE_DOSE if self.dose_scaled else 1.0
        du = scale * (self.kp * (error - prev) + self.ki * self.interval_min * error)
        out = min(max(out + min(max(du, -self.max_down), self.max_up), 0.0), self.max_dose)
        self._output = out
        new: float | None = None
        if abs(out - running) >= self.resolution - 1e-9:
            new = round(round(out / self.resolution) * self.resolution, 6)
            if abs(new - running) < 1e-12:
                new = None

        dose_after = running if new is None else new
        vaso: float | None = None
        below_target = obs.map_mmhg < obs.target_map_mmhg
        if obs.vasopressin_u_per_min <= 0.0 and running >= self.vasopressin_on_at - 1e-9 and below_target:
            vaso = self.vasopressin_u_per_min
        elif (
            obs.vasopressin_u_per_min > 0.0
            and dose_after < self.vasopressin_off_below - 1e-9
            and obs.map_mmhg >= obs.target_map_mmhg
        ):
            vaso = 0.0

        return Decision(
            next_check_in_min=self.interval_min,
            ne_mcg_per_kg_per_min=new,
            vasopressin_u_per_min=vaso,
            hydrocortisone_mg_per_day=self._hydrocortisone(obs),
            change_bag=obs.bag_remaining_ml <= 0.0,
        )

    def _hydrocortisone(self, obs: Observation) -> float | None:
        """200 mg/day once norepinephrine has been at 0.25 or more for 4 h (SSC 2021 [U])."""
        if obs.ne_mcg_per_kg_per_min >= self.hydrocortisone_at - 1e-9:
            self._high_since = obs.time_min if self._high_since is None else self._high_since
        else:
            self._high_since = None
        if (
            obs.hydrocortisone_mg_per_day <= 0.0
            and self._high_since is not None
            and obs.time_min - self._high_since >= self.hydrocortisone_after_min - 1e-9
        ):
            return self.hydrocortisone_mg_per_day
        return None
