"""Headless runs: a policy titrates N virtual patients; the result feeds the debrief.

Patient dynamics are stepped for all patients at once (:class:`VirtualPatients`);
Python work per patient happens only at that patient's check times. Checks and
decisions take effect on the engine's block grid (1 min by default): a check asked for
at 7.5 min happens at 8 min.

A large population spreads its policies over several processes (:attr:`RunConfig.workers`): the patients, the
noise and the stepping stay in this process, and at each check a helper process answers for its share of the due
patients (patient ``i`` belongs to process ``i % processes``). Each patient's policy sees the same observations in
the same order either way, so the results are identical to a one-process run, bit for bit.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection

import numpy as np

from norepi_gui.core.protocol import Population, Protocol, load_protocol
from norepi_gui.core.titration.model import PatientInfo, Target
from norepi_gui.core.titration.targets import choose_target
from norepi_gui.sim.actions import (
    ActionRecord,
    EscalationDue,
    ExpectedAction,
    ForbiddenAction,
    LimitAlert,
    PromptRecord,
)
from norepi_gui.sim.cases import Cohort
from norepi_gui.sim.debrief import MAP_FLOOR_MMHG, Debrief, debrief
from norepi_gui.sim.engine import Setting, SimConfig, VirtualPatients
from norepi_gui.sim.events import Event, scenario_tag
from norepi_gui.sim.patient import PatientParams, default_population, sample_patients
from norepi_gui.sim.policy import Decision, Observation, PatientContext, Policy, PolicyFactory
from norepi_gui.sim.scenario import Scenario

_EPS = 1e-9


@dataclass(frozen=True)
class LimitRules:
    """Limits the runner checks when a dose is set. The protocol file will own these.

    Defaults: maximum 1 mcg/kg/min (MSF guide [S]); peripheral or IO only below
    0.5 mcg/kg/min and for up to 24 h [seed 004]; peripheral cap 15 mcg/min (Yerke 2024
    [V/S]).
    """

    max_ne_mcg_per_kg_per_min: float = 1.0
    peripheral_max_mcg_per_kg_per_min: float = 0.5
    peripheral_max_mcg_per_min: float = 15.0
    peripheral_max_hours: float = 24.0


@dataclass(frozen=True)
class RunConfig:
    sim: SimConfig = field(default_factory=SimConfig)
    limits: LimitRules = field(default_factory=LimitRules)
    # Vasopressin is due when NE >= this and MAP is below target (clinical reference,
    # "Escalation": threshold = protocol setting, default 0.25 [S]).
    vasopressin_due_ne_mcg_per_kg_per_min: float = 0.25
    # The protocol whose target rules (TGT-*) set the band every policy is told and scored on
    # (None: the shipped default, as the advisor policy uses).
    protocol: Protocol | None = None
    # Processes that run the policies: 1 = all in this process; None = automatic (one per CPU, at most
    # MAX_PROCESSES, and only for populations of SPLIT_MIN_PATIENTS or more). Splitting needs the "fork" start
    # method (Linux); elsewhere the run stays in one process. Results are identical whatever the number; the
    # policy objects of patients answered in a helper process are used there, not in the caller's process.
    workers: int | None = None


@dataclass
class PatientLog:
    actions: list[ActionRecord] = field(default_factory=list)
    prompts: list[PromptRecord] = field(default_factory=list)
    escalations_due: list[EscalationDue] = field(default_factory=list)
    limit_alerts: list[LimitAlert] = field(default_factory=list)
    ne_doses: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class RunResult:
    sim: VirtualPatients
    logs: list[PatientLog]
    duration_min: float
    debrief_target_mmhg: float  # the band's lower edge: the target
    expected_actions: tuple[ExpectedAction, ...]
    scenario_name: str | None
    debrief_band_high_mmhg: float | None = None  # None: target + the debrief's default width
    target_reason: str = ""
    forbidden_actions: tuple[ForbiddenAction, ...] = ()
    floor_mmhg: float = MAP_FLOOR_MMHG

    def event_times(self, i: int) -> dict[str, float]:
        """When each named event first acted on patient ``i`` (key action windows open then)."""
        out: dict[str, float] = {}
        for fired in self.sim.fired:
            if fired.patients is None or i in fired.patients:
                out.setdefault(fired.event.name, fired.time_min)
        return out

    def debrief(self, i: int) -> Debrief:
        log = self.logs[i]
        t = np.asarray(self.sim.trace.t_min)
        return debrief(
            t,
            self.sim.rec_true_map[i].astype(np.float64),
            target_mmhg=self.debrief_target_mmhg,
            band_low_mmhg=self.debrief_target_mmhg,
            band_high_mmhg=self.debrief_band_high_mmhg,
            end_min=self.duration_min,
            actions=log.actions,
            prompts=log.prompts,
            escalations_due=log.escalations_due,
            limit_alerts=log.limit_alerts,
            ne_doses=log.ne_doses,
            weight_kg=float(self.sim.p.weight_kg[i]),
            expected_actions=self.expected_actions,
            forbidden_actions=self.forbidden_actions,
            floor_mmhg=self.floor_mmhg,
            event_times=self.event_times(i),
        )

    def debriefs(self) -> list[Debrief]:
        return [self.debrief(i) for i in range(self.sim.n)]


def build_patients(
    scenario: Scenario | None, n: int, rng: np.random.Generator, cohort: Cohort | None = None
) -> tuple[PatientParams, Setting, tuple[Event, ...]]:
    """Patients, shared setting and scheduled events for a scenario, a cohort or the default population."""
    if cohort is not None:
        return cohort.build(n, rng), cohort.setting, ()
    if scenario is None:  # the ward: hourly blood samples with a flush, and now and then a damped trace
        return default_population(n, rng), Setting(routine_line_care=True), ()
    return sample_patients(scenario.patient_spec(), n, rng), scenario.setting(), scenario.events


def patient_context(scenario: Scenario | None) -> PatientContext:
    """The patient history a nurse knows, from the scenario (default population: adult, arterial line)."""
    if scenario is None:
        return PatientContext()
    pt = scenario.patient
    return PatientContext(
        population=pt.population,
        age_years=pt.age_years,
        chronic_hypertension=pt.chronic_hypertension,
        baseline_sbp_mmhg=pt.baseline_sbp_mmhg if pt.chronic_hypertension else None,
        cardiac_dysfunction=pt.cardiac_dysfunction,
        ards=pt.ards,
        intra_abdominal_hypertension=pt.intra_abdominal_hypertension,
        arterial_line=pt.monitoring == "arterial",
        # A child's MAP target is always written in the order (no single default applies).
        explicit_target_map_mmhg=scenario.target_map_mmhg if pt.population == "pediatric" else None,
    )


def target_band(context: PatientContext, protocol: Protocol | None = None) -> Target:
    """The MAP target band the titration engine derives for this patient (rules TGT-*).

    Every policy is told this target and every debrief of a headless run is scored on this band, so the advisor,
    ``fixed`` and ``none`` are compared on the target the advisor works to: 65-75 by default, 60-65 at age >= 65,
    80-85 in chronic hypertension, a child's written target + 10 (values from the protocol file).
    """
    info = PatientInfo(
        weight_kg=70.0,  # the target rules do not depend on weight
        population=Population(context.population),
        age_years=context.age_years,
        chronic_hypertension=context.chronic_hypertension,
        baseline_sbp_mmhg=context.baseline_sbp_mmhg,
        target_map_mmhg=context.explicit_target_map_mmhg,
    )
    return choose_target(info, protocol if protocol is not None else load_protocol())


SPLIT_MIN_PATIENTS = 200  # below this, starting a helper process costs more than it saves
MAX_PROCESSES = 8  # the stepping stays in one process: more helpers would mostly wait for it


def can_split_processes() -> bool:
    """Whether a run can spread its policies over processes here (helpers are forked: Linux only)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def process_count(workers: int | None, patients: int) -> int:
    """How many processes answer the policies of a run of ``patients`` (see :attr:`RunConfig.workers`)."""
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1 or None, got {workers}")
    if not can_split_processes():
        return 1
    if workers is None:
        if patients < SPLIT_MIN_PATIENTS:
            return 1
        workers = min(_cpus(), MAX_PROCESSES)
    return max(1, min(workers, patients))


@dataclass(frozen=True)
class _Batch:
    """The due patients' rows at one check: what a process needs to build their observations."""

    time_min: float
    patients: list[int]
    rows: list[list[float]]
    pump: list[bool]
    site: list[bool]
    line: str
    line_hours: float
    concentration_mcg_per_ml: float
    band_width_mmhg: float = 10.0

    def part(self, k: int, processes: int) -> _Batch:
        """The rows of the patients that process ``k`` answers (patient ``i`` -> process ``i % processes``)."""
        keep = [j for j, i in enumerate(self.patients) if i % processes == k]
        return _Batch(
            self.time_min,
            [self.patients[j] for j in keep],
            [self.rows[j] for j in keep],
            [self.pump[j] for j in keep],
            [self.site[j] for j in keep],
            self.line,
            self.line_hours,
            self.concentration_mcg_per_ml,
            self.band_width_mmhg,
        )

    def observations(self, context: PatientContext) -> list[Observation]:
        t = self.time_min
        out = []
        for j, i in enumerate(self.patients):
            r = self.rows[j]
            out.append(
                Observation(
                    patient=i,
                    time_min=t,
                    map_mmhg=r[0],
                    sbp_mmhg=r[1],
                    dbp_mmhg=r[2],
                    hr_bpm=r[3],
                    measured_at_min=r[4],
                    lactate_mmol_per_l=r[5],
                    lactate_at_min=r[6],
                    urine_ml_per_kg_per_h=r[7],
                    ne_mcg_per_kg_per_min=r[8],
                    vasopressin_u_per_min=r[9],
                    epinephrine_mcg_per_kg_per_min=r[10],
                    dobutamine_mcg_per_kg_per_min=r[11],
                    minutes_since_ne_change=r[12],
                    target_map_mmhg=r[13],
                    weight_kg=r[14],
                    line=self.line,
                    line_hours=self.line_hours,
                    concentration_mcg_per_ml=self.concentration_mcg_per_ml,
                    bag_remaining_ml=r[15],
                    pump_running=self.pump[j],
                    site_alert=self.site[j],
                    context=context,
                    band_width_mmhg=self.band_width_mmhg,
                    hydrocortisone_mg_per_day=r[16],
                )
            )
        return out


def _decide(policies: Sequence[Policy], batch: _Batch, context: PatientContext) -> list[Decision]:
    return [policies[obs.patient].decide(obs) for obs in batch.observations(context)]


def _helper_main(conn: Connection, policies: Sequence[Policy], context: PatientContext) -> None:
    """A helper process: answer each batch with its patients' decisions until told to stop (None)."""
    try:
        while (batch := conn.recv()) is not None:
            try:
                reply: tuple[str, object] = ("ok", _decide(policies, batch, context))
            except Exception as exc:  # the caller re-raises it
                reply = ("error", exc)
            try:
                conn.send(reply)
            except Exception as exc:  # an exception that cannot be pickled: send its text
                conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        conn.close()


class _Helpers:
    """Helper processes 1..k-1 of a split run (process 0 is the caller's); forked, so they share the policies."""

    def __init__(self, processes: int, policies: Sequence[Policy], context: PatientContext) -> None:
        ctx = multiprocessing.get_context("fork")
        self.processes = processes
        self.conns: list[Connection] = []
        self.procs: list[multiprocessing.process.BaseProcess] = []
        self.waiting: list[bool] = []
        for _ in range(1, processes):
            here, there = ctx.Pipe()
            proc = ctx.Process(target=_helper_main, args=(there, policies, context), daemon=True)
            proc.start()
            there.close()
            self.conns.append(here)
            self.procs.append(proc)
            self.waiting.append(False)

    def send(self, parts: Sequence[_Batch]) -> None:
        """Send helper ``k`` (1..) its part ``parts[k - 1]``."""
        for k, (conn, part) in enumerate(zip(self.conns, parts, strict=True)):
            conn.send(part)
            self.waiting[k] = True

    def receive(self) -> list[list[Decision]]:
        out: list[list[Decision]] = []
        error: BaseException | None = None
        for k, conn in enumerate(self.conns):
            status, payload = conn.recv()
            self.waiting[k] = False
            if status == "error":
                error = error or (payload if isinstance(payload, BaseException) else RuntimeError(str(payload)))
            else:
                out.append(payload)
        if error is not None:
            raise error
        return out

    def close(self) -> None:
        for k, conn in enumerate(self.conns):
            try:
                if self.waiting[k]:
                    conn.recv()  # a pending answer: read it so the helper is not stuck writing it
                conn.send(None)
            except (OSError, EOFError):
                pass
            conn.close()
        for proc in self.procs:
            proc.join(timeout=5.0)
            if proc.is_alive():
                proc.terminate()
                proc.join()


class _Run:
    def __init__(
        self,
        sim: VirtualPatients,
        policies: list[Policy],
        cfg: RunConfig,
        context: PatientContext | None = None,
        target_mmhg: float | None = None,
        processes: int = 1,
        band_width_mmhg: float = 10.0,
    ) -> None:
        self.context = context or PatientContext()
        self.sim = sim
        self.policies = policies
        self.cfg = cfg
        self.processes = processes
        self.band_width_mmhg = band_width_mmhg
        self.helpers = _Helpers(processes, policies, self.context) if processes > 1 else None
        n = sim.n
        self.logs = [PatientLog() for _ in range(n)]
        self.next_check = np.zeros(n)
        self.pending_at = np.full(n, math.inf)
        self.pending: dict[int, Decision] = {}
        self.target = np.full(n, sim.setting.target_map_mmhg if target_mmhg is None else target_mmhg)
        start = -math.inf if sim.setting.at_steady_state else 0.0
        self.last_ne_change = np.full(n, start)
        self.vaso_due = np.zeros(n, dtype=bool)
        self.line_alerted = np.zeros(n, dtype=bool)
        for i, log in enumerate(self.logs):
            log.ne_doses.append((0.0, float(sim.ne[i])))

    def batch(self, due: np.ndarray, t: float) -> _Batch:
        """The rows of the due patients at ``t``: every column stacked at once, then the due patients taken."""
        s = self.sim
        cols = [
            s.meas_map,
            s.meas_sbp,
            s.meas_dbp,
            s.meas_hr,
            s.meas_time_min,
            s.lactate_lab,
            s.lactate_lab_time_min,
            s.urine_last_hour,
            s.ne,
            s.vasopressin,
            s.epinephrine,
            s.dobutamine,
            t - self.last_ne_change,
            self.target,
            s.p.weight_kg,
            s.bag_remaining_ml,
            s.hydrocortisone,
        ]
        rows = np.array(cols, dtype=np.float64)[:, due].T.tolist()  # one copy of every column, then the due ones
        return _Batch(
            time_min=t,
            patients=due.tolist(),
            rows=rows,
            pump=s.pump_running[due].tolist(),
            site=s.site_alert[due].tolist(),
            line=s.setting.line,
            line_hours=s.setting.line_hours_at_start + t / 60.0,
            concentration_mcg_per_ml=s.setting.concentration_mcg_per_ml,
            band_width_mmhg=self.band_width_mmhg,
        )

    def check(self, t: float) -> None:
        due = np.flatnonzero(self.next_check <= t + _EPS)
        if due.size == 0:
            return
        batch = self.batch(due, t)
        if self.helpers is None:
            self._record(t, batch.patients, _decide(self.policies, batch, self.context))
            return
        parts = [batch.part(k, self.processes) for k in range(self.processes)]
        self.helpers.send(parts[1:])
        # This process answers and records its share while the helpers work on theirs. Each patient's records
        # are its own, so the order across patients changes nothing.
        self._record(t, parts[0].patients, _decide(self.policies, parts[0], self.context))
        for part, answers in zip(parts[1:], self.helpers.receive(), strict=True):
            self._record(t, part.patients, answers)

    def _record(self, t: float, patients: Sequence[int], decisions: Sequence[Decision]) -> None:
        for i, d in zip(patients, decisions, strict=True):
            log = self.logs[i]
            log.prompts.append(PromptRecord(t, t + d.reaction_delay_min))
            for kind in d.escalations_advised:
                if not any(e.kind == kind for e in log.escalations_due):
                    log.escalations_due.append(EscalationDue(t, kind))
            self.next_check[i] = t + d.next_check_in_min
            self.pending[i] = d
            self.pending_at[i] = t + d.reaction_delay_min

    def close(self) -> None:
        if self.helpers is not None:
            self.helpers.close()
            self.helpers = None

    def apply_pending(self, t: float) -> None:
        for i in np.flatnonzero(self.pending_at <= t + _EPS).tolist():
            self.pending_at[i] = math.inf
            self._apply(i, self.pending.pop(i), t)

    def _dose_change(self, i: int, t: float, drug: str, new: float | None, names: tuple[str, str, str]) -> None:
        if new is None:  # the usual case: nothing to look up
            return
        old = float(getattr(self.sim, drug)[i])
        if abs(new - old) < 1e-12:
            return
        add, change, stop = names
        kind = add if old <= 0.0 else stop if new <= 0.0 else change
        self.sim.set_doses(i, **{drug: new})
        self.logs[i].actions.append(ActionRecord(t, kind, new))

    def _apply(self, i: int, d: Decision, t: float) -> None:
        sim, log = self.sim, self.logs[i]
        new_ne = d.ne_mcg_per_kg_per_min
        old_ne = float(sim.ne[i])
        if new_ne is not None and abs(new_ne - old_ne) > 1e-12:
            kind = (
                "START_NE"
                if old_ne <= 0.0
                else "STOP_NE"
                if new_ne <= 0.0
                else "INCREASE_NE"
                if new_ne > old_ne
                else "DECREASE_NE"
            )
            sim.set_doses(i, ne=new_ne)
            log.actions.append(ActionRecord(t, kind, new_ne))
            log.ne_doses.append((t, new_ne))
            self.last_ne_change[i] = t
            self._limits(i, t, new_ne)
        self._dose_change(
            i, t, "vasopressin", d.vasopressin_u_per_min, ("ADD_VASOPRESSIN", "CHANGE_VASOPRESSIN", "STOP_VASOPRESSIN")
        )
        self._dose_change(
            i,
            t,
            "epinephrine",
            d.epinephrine_mcg_per_kg_per_min,
            ("ADD_EPINEPHRINE", "CHANGE_EPINEPHRINE", "STOP_EPINEPHRINE"),
        )
        self._dose_change(
            i,
            t,
            "dobutamine",
            d.dobutamine_mcg_per_kg_per_min,
            ("ADD_DOBUTAMINE", "CHANGE_DOBUTAMINE", "STOP_DOBUTAMINE"),
        )
        self._dose_change(
            i,
            t,
            "hydrocortisone",
            d.hydrocortisone_mg_per_day,
            ("ADD_HYDROCORTISONE", "CHANGE_HYDROCORTISONE", "STOP_HYDROCORTISONE"),
        )
        if d.target_map_mmhg is not None and abs(d.target_map_mmhg - self.target[i]) > 1e-9:
            kind = "RAISE_TARGET" if d.target_map_mmhg > self.target[i] else "LOWER_TARGET"
            self.target[i] = d.target_map_mmhg
            log.actions.append(ActionRecord(t, kind, d.target_map_mmhg))
        if d.fluid_bolus_ml > 0.0:
            sim.give_fluid(i, d.fluid_bolus_ml)
            log.actions.append(ActionRecord(t, "FLUID_BOLUS", d.fluid_bolus_ml))
        if d.change_bag:
            sim.change_bag(i)
            log.actions.append(ActionRecord(t, "CHANGE_BAG"))
        if d.resite_line:
            sim.resite_line(i)
            log.actions.append(ActionRecord(t, "RESITE_LINE"))
        if d.flush_line:
            sim.flush_line(i)
            log.actions.append(ActionRecord(t, "FLUSH_LINE"))
        for kind in d.other_actions:
            log.actions.append(ActionRecord(t, kind))

    def _limits(self, i: int, t: float, dose: float) -> None:
        lim, s, log = self.cfg.limits, self.sim.setting, self.logs[i]
        if dose > lim.max_ne_mcg_per_kg_per_min + 1e-12:
            detail = f"{dose:g} > {lim.max_ne_mcg_per_kg_per_min:g} mcg/kg/min"
            log.limit_alerts.append(LimitAlert(t, "MAX_DOSE", detail))
        if s.line in ("peripheral", "io") and dose >= lim.peripheral_max_mcg_per_kg_per_min - 1e-12:
            log.limit_alerts.append(LimitAlert(t, "PERIPHERAL_DOSE", f"{dose:g} mcg/kg/min via {s.line}"))
        mcg_min = dose * float(self.sim.p.weight_kg[i])
        if s.line == "peripheral" and mcg_min > lim.peripheral_max_mcg_per_min + 1e-9:
            detail = f"{mcg_min:.1f} > {lim.peripheral_max_mcg_per_min:g} mcg/min"
            log.limit_alerts.append(LimitAlert(t, "PERIPHERAL_CAP", detail))

    def block_rules(self, t: float) -> None:
        """Vectorised checks every block: vasopressin due, line duration."""
        s = self.sim
        due = (
            (~self.vaso_due)
            & (s.ne >= self.cfg.vasopressin_due_ne_mcg_per_kg_per_min - 1e-12)
            & (s.true_map < self.target)
            & (s.vasopressin <= 0.0)
        )
        for i in np.flatnonzero(due).tolist():
            self.vaso_due[i] = True
            log = self.logs[i]
            if not any(e.kind == "ADD_VASOPRESSIN" for e in log.escalations_due):
                log.escalations_due.append(EscalationDue(t, "ADD_VASOPRESSIN"))
        max_hours = self.cfg.limits.peripheral_max_hours
        if (
            s.setting.line in ("peripheral", "io")
            and not self.line_alerted.all()
            and s.setting.line_hours_at_start + t / 60.0 > max_hours
        ):
            for i in np.flatnonzero(~self.line_alerted).tolist():
                alert = LimitAlert(t, "LINE_DURATION", f"{s.setting.line} line > {max_hours:g} h")
                self.logs[i].limit_alerts.append(alert)
            self.line_alerted[:] = True


def run_headless(
    policy: PolicyFactory,
    *,
    scenario: Scenario | None = None,
    hours: float | None = None,
    seed: int = 0,
    patients: int = 1,
    config: RunConfig | None = None,
    cohort: Cohort | None = None,
) -> RunResult:
    """Run ``patients`` virtual patients for ``hours`` (default: the scenario's duration, else 24 h).

    ``cohort`` (:mod:`norepi_gui.sim.cases`) replaces the scenario or the default population, with its own
    measurement settings when it has them.
    """
    if scenario is not None and cohort is not None:
        raise ValueError("run_headless: give a scenario or a cohort, not both")
    cfg = config or RunConfig()
    if cohort is not None and cohort.sim is not None:
        cfg = replace(cfg, sim=cohort.sim)
    if hours is None:
        hours = scenario.duration_h if scenario is not None else 24.0
    if not hours > 0.0:
        raise ValueError(f"hours must be > 0, got {hours}")
    if patients < 1:
        raise ValueError(f"patients must be >= 1, got {patients}")
    params_rng, noise_rng = np.random.default_rng(seed).spawn(2)
    params, setting, events = build_patients(scenario, patients, params_rng, cohort)
    duration = hours * 60.0
    sim = VirtualPatients(params, setting, noise_rng, cfg.sim, expected_minutes=duration)
    for index, ev in enumerate(events):
        sim.schedule(ev, tag=scenario_tag(index))
    context = patient_context(scenario)
    band = target_band(context, cfg.protocol)
    policies = [policy() for _ in range(patients)]
    width = band.upper_mmhg - band.map_mmhg
    run = _Run(sim, policies, cfg, context, band.map_mmhg, process_count(cfg.workers, patients), width)
    n_blocks = math.ceil(duration / sim.block_min - _EPS)
    end = n_blocks * sim.block_min
    try:
        while sim.time_min < end - _EPS:
            t = sim.time_min
            run.check(t)
            run.apply_pending(t)
            run.block_rules(t)
            # Step every patient together up to the next check or decision anyone has.
            nxt = min(float(run.next_check.min()), float(run.pending_at.min()), end)
            sim.advance_blocks(max(1, math.ceil((nxt - t) / sim.block_min - _EPS)))
    finally:
        run.close()
    return RunResult(
        sim=sim,
        logs=run.logs,
        duration_min=n_blocks * sim.block_min,
        debrief_target_mmhg=band.map_mmhg,
        expected_actions=scenario.expected_actions if scenario is not None else (),
        scenario_name=scenario.name if scenario is not None else None,
        debrief_band_high_mmhg=band.upper_mmhg,
        target_reason=band.reason,
        forbidden_actions=scenario.forbidden_actions if scenario is not None else (),
        floor_mmhg=scenario.floor_map_mmhg if scenario is not None else MAP_FLOOR_MMHG,
    )


POLICY_NAMES: tuple[str, ...] = ("advisor", "fixed", "none", "reference")


def policy_factory(name: str) -> PolicyFactory:
    """The named policy: ``none``, ``fixed``, ``reference`` or ``advisor``.

    Raises AdvisorUnavailableError for ``advisor`` when its protocol cannot be loaded.
    """
    from norepi_gui.sim.policy import FixedStepPolicy, NonePolicy
    from norepi_gui.sim.reference import ReferencePolicy
    from norepi_gui.sim.titration_advisor import engine_advisor_factory

    if name == "none":
        return NonePolicy
    if name == "fixed":
        return FixedStepPolicy
    if name == "reference":
        return ReferencePolicy
    if name == "advisor":
        return engine_advisor_factory()
    raise ValueError(f"policy {name!r}: accepted {', '.join(POLICY_NAMES)}")
