"""The vectorised virtual-patient engine: N patients stepped together, Qt-free.

Time advances in *blocks* (default 60 s) of *samples* (default 1 s). Doses, events and
actions take effect at block boundaries; inside a block every infusion is constant, so
plasma and effect-site concentrations are computed exactly (two exponentials, see
``pkpd.propagate``) for all samples and all patients at once. Slow quantities (disease
MAP0, event offsets, vasopressin and dobutamine effects, volume, physiological
fluctuation) are evaluated at both ends of the block and interpolated linearly inside;
lactate and urine output are updated once per block with an exact first-order step
driven by the block's mean perfusion.

Measurement (model assumptions, docs/simulator.md): an arterial line reports MAP every
``art_line_every_s`` seconds with white noise ``art_noise_mmhg``; a cuff reads every
``cuff_interval_min`` with ``cuff_noise_mmhg``. The true MAP carries a slow physiological
fluctuation (Ornstein-Uhlenbeck, ``phys_sd_mmhg``, ``phys_tau_min``). Oualha's 14 %
proportional residual error lumps model misfit across hours and children; applied as
white noise to each 5 s reading it would make a displayed MAP of 65 jump by +/-9 mmHg,
which an undamped arterial line does not do, so it is not used per reading.

Random numbers are drawn in fixed shapes every block whatever the policy does, so a seed
gives the same patients and the same noise bit for bit, and two policies compared with
one seed see the same patients (common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from norepi_gui.sim import physiology as phys
from norepi_gui.sim.events import (
    AF_ARTERIAL_SHARE,
    DAMPING_EVERY_MIN,
    DAMPING_MIN,
    DEFAULT_FLUSH_MIN,
    FLUSH_READING_MMHG,
    RESOLVE_TAU_MIN,
    Event,
    Trigger,
)
from norepi_gui.sim.patient import PatientParams, baseline_map0
from norepi_gui.sim.physiology import clip
from norepi_gui.sim.pkpd import FloatArray, lag_kernel

LineType = Literal["central", "peripheral", "io"]
Monitoring = Literal["arterial", "cuff"]
IndexLike = int | npt.NDArray[np.intp] | slice

_EPS = 1e-9


@dataclass(frozen=True)
class Setting:
    """What every patient of a run shares: line, monitoring, bag and starting doses."""

    population: Literal["adult", "pediatric"] = "adult"
    line: LineType = "central"
    line_hours_at_start: float = 0.0
    monitoring: Monitoring = "arterial"
    cuff_interval_min: float = 15.0
    concentration_mcg_per_ml: float = 16.0
    bag_volume_ml: float = 250.0
    bag_remaining_ml: float = 250.0
    start_ne_mcg_per_kg_per_min: float = 0.1
    start_vasopressin_u_per_min: float = 0.0
    start_epinephrine_mcg_per_kg_per_min: float = 0.0
    start_dobutamine_mcg_per_kg_per_min: float = 0.0
    start_hydrocortisone_mg_per_day: float = 0.0
    at_steady_state: bool = False
    target_map_mmhg: float = 65.0
    # Hourly blood samples with a flush, and occasional damping, on the arterial line (events.DAMPING_*).
    routine_line_care: bool = False


@dataclass(frozen=True)
class SimConfig:
    """Numerical and measurement settings (model assumptions, docs/simulator.md)."""

    dt_s: float = 1.0
    block_s: float = 60.0
    record_every_s: float = 10.0
    record_measured: bool = False
    art_line_every_s: float = 5.0
    art_noise_mmhg: float = 1.5
    cuff_noise_mmhg: float = 5.0
    phys_sd_mmhg: float = 3.0
    phys_tau_min: float = 5.0
    lactate_lab_every_min: float = 60.0
    max_chunk_blocks: int = 15
    damped_pp_factor: float = 0.35
    damped_map_offset_mmhg: float = -3.0

    def __post_init__(self) -> None:
        b = self.block_s / self.dt_s
        r = self.record_every_s / self.dt_s
        m = self.art_line_every_s / self.dt_s
        for name, v in (("block_s/dt_s", b), ("record_every_s/dt_s", r), ("art_line_every_s/dt_s", m)):
            if v < 1 or abs(v - round(v)) > 1e-9:
                raise ValueError(f"SimConfig {name} must be a whole number >= 1, got {v}")
        if self.max_chunk_blocks < 1:
            raise ValueError("SimConfig max_chunk_blocks must be >= 1")
        if round(b) % round(r) or round(b) % round(m):
            raise ValueError("SimConfig block_s must be a multiple of record_every_s and art_line_every_s")


#: Events that stop norepinephrine delivery while they last.
_INTERRUPTIONS = ("pump_stop", "line_disconnection", "changeover_gap")
#: Events that act on MAP as a drop (a ramp, then recovery or not), resolvable one kind at a time.
_DROP_KINDS = ("map_drop", "sedation_bolus", "sepsis_worsening", "anaphylaxis", "atrial_fibrillation")


@dataclass(frozen=True)
class Fired:
    """An event that took effect at ``time_min`` for ``patients`` (None: all); ``source`` is ``scheduled``,
    ``triggered`` (its condition was met) or ``injected`` (an instructor, now); ``tag`` names a scheduled one."""

    time_min: float
    event: Event
    patients: tuple[int, ...] | None
    source: str
    tag: str = ""


@dataclass
class _Armed:
    """A conditional event waiting for its condition, per patient."""

    event: Event
    trigger: Trigger
    waiting: npt.NDArray[np.bool_]  # patients it may still fire for
    run_min: FloatArray  # minutes the condition has held without a break
    tag: str


class _Growable:
    """A (rows, capacity) float32 buffer that doubles when full."""

    def __init__(self, rows: int, capacity: int) -> None:
        self.data = np.empty((rows, max(capacity, 1)), dtype=np.float32)
        self.size = 0

    def append(self, cols: FloatArray) -> None:
        k = cols.shape[1]
        if self.size + k > self.data.shape[1]:
            new = np.empty((self.data.shape[0], max(2 * self.data.shape[1], self.size + k)), np.float32)
            new[:, : self.size] = self.data[:, : self.size]
            self.data = new
        self.data[:, self.size : self.size + k] = cols
        self.size += k

    def view(self) -> npt.NDArray[np.float32]:
        return self.data[:, : self.size]


@dataclass
class Trace:
    """Times of the recorded series (minutes); the values live on :class:`VirtualPatients`."""

    record_every_min: float
    block_min: float
    measure_every_min: float
    samples: int = 0
    blocks: int = 0
    measurements: int = 0

    @property
    def t_min(self) -> FloatArray:
        """Times of ``rec_true_map`` columns."""
        return np.arange(self.samples, dtype=np.float64) * self.record_every_min

    @property
    def block_t_min(self) -> FloatArray:
        """Times of ``rec_hr``, ``rec_lactate``, ``rec_urine``, ``rec_perfusion`` columns (block ends)."""
        return (np.arange(self.blocks, dtype=np.float64) + 1.0) * self.block_min

    @property
    def meas_t_min(self) -> FloatArray:
        """Times of ``rec_measured_map`` and ``rec_measured_hr`` columns (arterial line)."""
        return np.arange(self.measurements, dtype=np.float64) * self.measure_every_min


class VirtualPatients:
    """N virtual patients stepped together.

    Doses are per patient: norepinephrine, epinephrine and dobutamine in mcg/kg/min,
    vasopressin in U/min, hydrocortisone in mg/day. Setters take an index (int, index array or slice) and apply at
    the next block. ``advance_block`` moves time by one block; ``advance_blocks(k)``
    by up to ``k`` blocks in one vectorised step (fewer when an event, the bag running out
    or ``max_chunk_blocks`` intervenes; it returns how many).
    """

    def __init__(
        self,
        params: PatientParams,
        setting: Setting,
        rng: np.random.Generator,
        config: SimConfig | None = None,
        *,
        expected_minutes: float = 24 * 60.0,
    ) -> None:
        self.p = params
        self.setting = setting
        self.cfg = config or SimConfig()
        self.rng = rng
        n = params.n
        self.n = n
        cfg = self.cfg
        self.samples_per_block = round(cfg.block_s / cfg.dt_s)
        self.block_min = cfg.block_s / 60.0
        self.dt_min = cfg.dt_s / 60.0
        self.time_min = 0.0
        b = self.samples_per_block
        self._record_step = round(cfg.record_every_s / cfg.dt_s)
        self._meas_step = round(cfg.art_line_every_s / cfg.dt_s)
        self._block_index = 0
        self._frac = (np.arange(b, dtype=np.float64) / b)[None, None, :]
        self._meas_cols = np.arange(0, b, self._meas_step)

        # Exact-update kernels over the longest chunk, columns tau = 0, dt, ..., K*B*dt;
        # constant for a run because the parameters are.
        kmax = cfg.max_chunk_blocks
        tau = (np.arange(kmax * b + 1, dtype=np.float64) * self.dt_min)[None, :]
        k = (params.clearance_l_per_min / params.volume_l)[:, None]
        ke0 = params.ke0_per_min[:, None]
        self._ee = np.exp(-ke0 * tau)
        self._g = lag_kernel(k, ke0, tau)
        self._ek_b = np.exp(-k * tau[:, ::b])
        self._ee_b = self._ee[:, ::b].copy()
        self._g_b = self._g[:, ::b].copy()

        # Vasopressin acts per kg in a child (physiology.VASOPRESSIN_REFERENCE_KG); an adult's is a flat dose.
        self._vaso_scale = (
            phys.VASOPRESSIN_REFERENCE_KG / params.weight_kg if setting.population == "pediatric" else np.ones(n)
        )
        self.c_endo = params.endogenous_mcg_per_min / params.clearance_l_per_min
        self.e_endo = params.dmap_mmhg * self.c_endo / (self.c_endo + params.ec50_mcg_per_l)

        # Doses and delivery.
        self.ne = np.full(n, setting.start_ne_mcg_per_kg_per_min)
        self.vasopressin = np.full(n, setting.start_vasopressin_u_per_min)
        self.epinephrine = np.full(n, setting.start_epinephrine_mcg_per_kg_per_min)
        self.dobutamine = np.full(n, setting.start_dobutamine_mcg_per_kg_per_min)
        self.hydrocortisone = np.full(n, setting.start_hydrocortisone_mg_per_day)
        self.bag_remaining_ml = np.full(n, setting.bag_remaining_ml)
        self.ne_delivered_fraction = np.ones(n)
        self.site_alert = np.zeros(n, dtype=bool)
        self.pump_running = np.ones(n, dtype=bool)
        # Teaching events: delivery stopped until a time (per cause), a pump running at a multiple of its order,
        # atrial fibrillation's heart rate and scattered readings.
        self.interrupted_until = {kind: np.full(n, -math.inf) for kind in _INTERRUPTIONS}
        self.pump_factor_until = np.full(n, -math.inf)
        self.pump_factor = np.ones(n)
        self.af_until = np.full(n, -math.inf)
        self.af_hr_bpm = np.zeros(n)
        self.af_noise_mmhg = np.zeros(n)
        self._any_events = False  # any teaching event acted yet (keeps the plain path free of its costs)

        # Concentration states: catecholamine total (NE + epi + endogenous) and epi alone.
        if setting.at_steady_state:
            r_ne = self.ne * params.weight_kg
            r_epi = self.epinephrine * params.weight_kg
            self.c = (r_ne + r_epi + params.endogenous_mcg_per_min) / params.clearance_l_per_min
            self.c_epi = r_epi / params.clearance_l_per_min
            self.vaso_lagged = self.vasopressin.copy()
            self.dob_lagged = self.dobutamine.copy()
            self.hc_delay = self._hc_target()
        else:
            self.hc_delay = np.zeros(n)
            self.c = self.c_endo.copy()
            self.c_epi = np.zeros(n)
            self.vaso_lagged = np.zeros(n)
            self.dob_lagged = np.zeros(n)
        self.ce = self.c.copy()
        self.ce_epi = self.c_epi.copy()
        self.hc_effect = self.hc_delay.copy()  # hydrocortisone: delay stage, then effect (0-1)

        # Volume (mL/kg), events, artefacts.
        self.deficit = np.zeros(n)
        self.expansion = np.zeros(n)
        self.bleed_rate = np.zeros(n)  # mL/kg/min
        self.bleed_until = np.zeros(n)
        self.fluid_rate = np.zeros(n)  # mL/kg/min while a bolus runs
        self.fluid_from = np.zeros(n)
        self.fluid_until = np.zeros(n)
        self.fluid_given = np.zeros(n)  # mL/kg given during the run (responsiveness, overload)
        self._drop_amp = np.zeros((n, 0))
        self._drop_t0 = np.zeros(0)
        self._drop_rate = np.zeros(0)
        self._drop_ramp = np.zeros(0)
        self._drop_kind: list[str] = []
        self._drop_resolved = np.zeros((n, 0))  # per patient: when each drop was resolved (inf: not yet)
        self.damped_from = np.full(n, -math.inf)
        self.damped_until = np.full(n, -math.inf)
        # Routine line care draws from its own stream, so turning it on leaves the other noise as it was.
        self._care_rng = rng.spawn(1)[0] if setting.routine_line_care and setting.monitoring == "arterial" else None
        self.flush_from = np.full(n, -math.inf)
        self.flush_until = np.full(n, -math.inf)
        self._events: list[tuple[Event, IndexLike, str]] = []
        self._armed: list[_Armed] = []
        self.fired: list[Fired] = []
        self._artefacts_until = -math.inf

        # Slow states.
        self.phys_noise = rng.standard_normal(n) * cfg.phys_sd_mmhg
        self.lactate = params.lactate_mmol_per_l.copy()
        self.urine_rate = params.urine_ml_per_kg_per_h.copy()
        blocks_per_hour = max(1, round(60.0 / self.block_min))
        self._urine_ring = np.tile((self.urine_rate * self.block_min / 60.0)[:, None], (1, blocks_per_hour))
        self._ring_pos = 0
        self.perfusion = np.ones(n)

        # Latest observations.
        beta = phys.epinephrine_beta(self.ce_epi)
        slow = self._slow(
            np.zeros(1),
            self.vaso_lagged[:, None],
            self.dob_lagged[:, None],
            self.deficit[:, None],
            self.expansion[:, None],
            beta[:, None],
            self.phys_noise[:, None],
        )[:, 0]
        map_now = slow + self._emax(self.ce, self._ec50(self.hc_effect))
        self.true_map = map_now
        self.meas_map = map_now + rng.standard_normal(n) * self._meas_sd()
        self.meas_time_min = np.zeros(n)
        self.hr_base = self._hr_base(beta, self.dob_lagged, self.deficit)
        self.hr = phys.heart_rate(map_now, self.hr_base, params.autoreg_map_mmhg)
        self.meas_hr = np.round(self.hr)
        self.lactate_lab = np.round(self.lactate, 1)
        self.lactate_lab_time_min = np.zeros(n)
        self._next_lab_min = cfg.lactate_lab_every_min
        self._next_cuff_min = setting.cuff_interval_min

        # Recording.
        n_rec = int(expected_minutes * 60.0 / cfg.record_every_s) + 1
        n_blk = int(expected_minutes / self.block_min) + 1
        self.trace = Trace(cfg.record_every_s / 60.0, self.block_min, cfg.art_line_every_s / 60.0)
        self._rec_map = _Growable(n, n_rec)
        self._rec_hr = _Growable(n, n_blk)
        self._rec_lactate = _Growable(n, n_blk)
        self._rec_urine = _Growable(n, n_blk)
        self._rec_perfusion = _Growable(n, n_blk)
        n_meas = n_rec if cfg.record_measured else 1
        self._rec_meas = _Growable(n, n_meas)
        self._rec_meas_hr = _Growable(n, n_meas)

    # ------------------------------------------------------------------ recorded views
    @property
    def rec_true_map(self) -> npt.NDArray[np.float32]:
        return self._rec_map.view()

    @property
    def rec_hr(self) -> npt.NDArray[np.float32]:
        return self._rec_hr.view()

    @property
    def rec_lactate(self) -> npt.NDArray[np.float32]:
        return self._rec_lactate.view()

    @property
    def rec_urine(self) -> npt.NDArray[np.float32]:
        return self._rec_urine.view()

    @property
    def rec_perfusion(self) -> npt.NDArray[np.float32]:
        return self._rec_perfusion.view()

    @property
    def rec_measured_map(self) -> npt.NDArray[np.float32]:
        return self._rec_meas.view()

    @property
    def rec_measured_hr(self) -> npt.NDArray[np.float32]:
        return self._rec_meas_hr.view()

    # ------------------------------------------------------------------ derived values
    @property
    def pulse_pressure(self) -> FloatArray:
        pp = self.p.pulse_pressure_mmhg
        return np.where(self._damped(self.time_min), pp * self.cfg.damped_pp_factor, pp)

    @property
    def meas_sbp(self) -> FloatArray:
        return np.asarray(self.meas_map + 2.0 / 3.0 * self.pulse_pressure)

    @property
    def meas_dbp(self) -> FloatArray:
        return np.asarray(self.meas_map - 1.0 / 3.0 * self.pulse_pressure)

    @property
    def urine_last_hour(self) -> FloatArray:
        """Urine output over the last hour, mL/kg/h (what the nurse reads off the bag)."""
        return np.asarray(self._urine_ring.sum(axis=1) * 60.0 / (self._urine_ring.shape[1] * self.block_min))

    def nee(self) -> FloatArray:
        """Norepinephrine equivalent, mcg/kg/min (Goradia 2021 [S]): NE + epi + vasopressin x 2.5."""
        return np.asarray(self.ne + self.epinephrine + 2.5 * self.vasopressin)

    # ------------------------------------------------------------------ actions
    def set_doses(
        self,
        idx: IndexLike,
        *,
        ne: float | None = None,
        vasopressin: float | None = None,
        epinephrine: float | None = None,
        dobutamine: float | None = None,
        hydrocortisone: float | None = None,
    ) -> None:
        for name, value in (
            ("ne", ne),
            ("vasopressin", vasopressin),
            ("epinephrine", epinephrine),
            ("dobutamine", dobutamine),
            ("hydrocortisone", hydrocortisone),
        ):
            if value is None:
                continue
            if not (value >= 0.0 and math.isfinite(value)):
                raise ValueError(f"{name} dose must be a finite number >= 0, got {value}")
            getattr(self, name)[idx] = value

    def give_fluid(self, idx: IndexLike, volume_ml: float, duration_min: float | None = None) -> None:
        """Start a bolus of ``volume_ml`` over ``duration_min`` (default: at 500 mL per 15 min) from now.

        It first refills any bleeding deficit; the rest expands the circulation as far as the patient still
        responds to fluid (``physiology.fluid_responsiveness``), for a while. A bolus given while another runs
        follows it: what was left and the new volume run until the new one's time has passed after the old.
        """
        if not (volume_ml >= 0.0 and math.isfinite(volume_ml)):
            raise ValueError(f"fluid volume_ml must be a finite number >= 0, got {volume_ml}")
        minutes = volume_ml / phys.BOLUS_ML_PER_MIN if duration_min is None else duration_min
        if not (minutes > 0.0 and math.isfinite(minutes)):
            raise ValueError(f"fluid duration_min must be a finite number > 0, got {duration_min}")
        if volume_ml == 0.0:
            return
        running = np.maximum(self.fluid_until[idx] - self.time_min, 0.0)
        ml_kg = self.fluid_rate[idx] * running + volume_ml / self.p.weight_kg[idx]
        self.fluid_rate[idx] = ml_kg / (running + minutes)
        self.fluid_from[idx] = self.time_min
        self.fluid_until[idx] = self.time_min + running + minutes

    def change_bag(self, idx: IndexLike) -> None:
        self.bag_remaining_ml[idx] = self.setting.bag_volume_ml

    def resite_line(self, idx: IndexLike) -> None:
        self.ne_delivered_fraction[idx] = 1.0
        self.site_alert[idx] = False

    def flush_line(self, idx: IndexLike) -> None:
        """Flushing clears a damped trace (and shows a flush artefact)."""
        self.damped_until[idx] = -math.inf
        self.damped_from[idx] = -math.inf
        self.flush_from[idx] = self.time_min
        self.flush_until[idx] = self.time_min + 10.0 / 60.0
        self._artefacts_until = max(self._artefacts_until, self.time_min + 10.0 / 60.0)

    def schedule(self, event: Event, patients: IndexLike | None = None, *, tag: str = "") -> None:
        """Queue an event (scenario or instructor); it fires in the block containing ``at_min``, or, when it has a
        trigger (``event.when``), for each patient in the block its condition is first met."""
        idx: IndexLike = slice(None) if patients is None else patients
        if event.when is not None:
            waiting = np.zeros(self.n, dtype=bool)
            waiting[idx] = True
            self._armed.append(_Armed(event, event.when, waiting, np.zeros(self.n), tag))
            return
        self._events.append((event, idx, tag))
        self._events.sort(key=lambda e: e[0].at_min)

    def pending(self) -> list[tuple[Event, str]]:
        """Scheduled events still to fire and armed ones still waiting for a patient, with their tags."""
        return [(e, tag) for e, _i, tag in self._events] + [(a.event, a.tag) for a in self._armed
                                                            if bool(a.waiting.any())]

    def unschedule(self, tag: str) -> Event | None:
        """Take a scheduled or armed event off the list (it will not fire); the event, or None if not pending."""
        for i, (ev, _idx, t) in enumerate(self._events):
            if t == tag:
                del self._events[i]
                return ev
        for i, armed in enumerate(self._armed):
            if armed.tag == tag:
                del self._armed[i]
                return armed.event
        return None

    def inject(self, event: Event, patients: IndexLike | None = None, *, tag: str = "") -> None:
        """Instructor injection: fire an event now, whatever its ``at_min`` (a pending one with ``tag`` is taken
        off the schedule first, so it never fires twice)."""
        if tag:
            self.unschedule(tag)
        now = replace(event, at_min=self.time_min, when=None)
        self._fire(now, slice(None) if patients is None else patients, "injected", tag)

    def _fire(self, ev: Event, idx: IndexLike, source: str, tag: str = "") -> None:
        self._apply_event(ev, idx)
        every = isinstance(idx, slice) and idx == slice(None)
        who = None if every else tuple(int(i) for i in np.atleast_1d(np.arange(self.n)[idx]))
        self.fired.append(Fired(ev.at_min, ev, who, source, tag))

    def resolve(self, kind: str, idx: IndexLike | None = None) -> None:
        """End an event of ``kind`` now (the instructor's "Resolve", or the trainee's fix): a pressure drop fades
        (RESOLVE_TAU_MIN), bleeding stops, delivery resumes, the pump runs at its order, the rhythm returns."""
        i: IndexLike = slice(None) if idx is None else idx
        now = self.time_min
        if kind in _DROP_KINDS:
            rows = np.atleast_1d(np.arange(self.n)[i])
            for d in (d for d, k in enumerate(self._drop_kind) if k == kind):
                self._drop_resolved[rows, d] = np.minimum(self._drop_resolved[rows, d], now)
        if kind == "bleeding":
            self.bleed_until[i] = np.minimum(self.bleed_until[i], now)
        elif kind == "extravasation":
            self.resite_line(i)
        elif kind == "damped_line":
            self.damped_until[i] = -math.inf
            self.damped_from[i] = -math.inf
        elif kind in _INTERRUPTIONS:
            self.interrupted_until[kind][i] = np.minimum(self.interrupted_until[kind][i], now)
        elif kind == "pump_tenfold":
            self.pump_factor_until[i] = np.minimum(self.pump_factor_until[i], now)
        elif kind == "atrial_fibrillation":
            self.af_until[i] = np.minimum(self.af_until[i], now)

    def active(self, i: int) -> list[str]:
        """The kinds of teaching event acting on patient ``i`` now (what "Resolve" can end)."""
        t = self.time_min + _EPS
        out: list[str] = []
        if self._drop_t0.size:
            for d, kind in enumerate(self._drop_kind):
                if kind != "atrial_fibrillation" and self._drop_amp[i, d] != 0.0 and self._drop_t0[d] <= t \
                        and self._drop_resolved[i, d] > t and kind not in out:
                    out.append(kind)
        if self.bleed_until[i] > t and self.bleed_rate[i] > 0.0:
            out.append("bleeding")
        if self.site_alert[i]:
            out.append("extravasation")
        if self.damped_until[i] > t and self.damped_from[i] <= t:
            out.append("damped_line")
        out += [kind for kind in _INTERRUPTIONS if self.interrupted_until[kind][i] > t]
        if self.pump_factor_until[i] > t:
            out.append("pump_tenfold")
        if self.af_until[i] > t:
            out.append("atrial_fibrillation")
        return out

    def _add_drop(self, ev: Event, idx: IndexLike, mmhg: float, until: float = math.inf) -> None:
        amp = np.zeros((self.n, 1))
        amp[idx, 0] = mmhg
        self._drop_amp = np.concatenate([self._drop_amp, amp], axis=1)
        self._drop_t0 = np.append(self._drop_t0, ev.at_min)
        rate = 0.0 if math.isinf(ev.recovery_tau_min) else 1.0 / ev.recovery_tau_min
        self._drop_rate = np.append(self._drop_rate, rate)
        self._drop_ramp = np.append(self._drop_ramp, ev.ramp_min)
        self._drop_kind.append(ev.kind)
        self._drop_resolved = np.concatenate([self._drop_resolved, np.full((self.n, 1), until)], axis=1)

    def _apply_event(self, ev: Event, idx: IndexLike) -> None:
        self._any_events = True
        if ev.kind in ("map_drop", "sedation_bolus", "sepsis_worsening", "anaphylaxis"):
            self._add_drop(ev, idx, ev.mmhg)
        elif ev.kind in _INTERRUPTIONS:
            self.interrupted_until[ev.kind][idx] = ev.at_min + ev.duration_min
            if ev.kind == "changeover_gap":  # the bag or syringe is changed: the new one runs once the gap ends
                self.bag_remaining_ml[idx] = self.setting.bag_volume_ml
        elif ev.kind == "pump_tenfold":
            self.pump_factor_until[idx] = ev.at_min + ev.duration_min
            self.pump_factor[idx] = ev.factor
        elif ev.kind == "flush_bolus":
            # The line's dead space pushed in within seconds: an intravenous bolus into the central volume.
            mcg = ev.volume_ml * self.setting.concentration_mcg_per_ml * (self.ne[idx] > 0.0)
            self.c[idx] = self.c[idx] + mcg / self.p.volume_l[idx]
        elif ev.kind == "atrial_fibrillation":
            until = ev.at_min + ev.duration_min
            self.af_until[idx] = until
            self.af_hr_bpm[idx] = ev.hr_bpm
            self.af_noise_mmhg[idx] = ev.noise_mmhg
            self._add_drop(replace(ev, ramp_min=0.0, recovery_tau_min=math.inf), idx, ev.mmhg, until)
        elif ev.kind == "bleeding":
            self.bleed_rate[idx] = ev.ml_per_min / self.p.weight_kg[idx]
            self.bleed_until[idx] = ev.at_min + ev.duration_min
        elif ev.kind == "extravasation":
            self.ne_delivered_fraction[idx] = ev.fraction
            self.site_alert[idx] = True
        elif ev.kind == "damped_line":
            self.damped_from[idx] = -math.inf
            self.damped_until[idx] = ev.at_min + ev.duration_min
            self._artefacts_until = max(self._artefacts_until, ev.at_min + ev.duration_min)
        elif ev.kind == "flush":
            dur = ev.duration_min if math.isfinite(ev.duration_min) else 10.0 / 60.0
            self.flush_from[idx] = ev.at_min
            self.flush_until[idx] = ev.at_min + dur
            self._artefacts_until = max(self._artefacts_until, ev.at_min + dur)
        elif ev.kind == "bag_empty":
            self.bag_remaining_ml[idx] = 0.0

    # ------------------------------------------------------------------ model pieces
    def _emax(self, ce: FloatArray, ec50: FloatArray) -> FloatArray:
        return np.asarray(self.p.dmap_mmhg * ce / (ce + ec50))

    def _hc_target(self) -> FloatArray:
        """Hydrocortisone's full effect for the running dose (0-1)."""
        return np.asarray(np.minimum(self.hydrocortisone / phys.HYDROCORTISONE_FULL_MG_PER_DAY, 1.0))

    def _ec50(self, hc_effect: FloatArray) -> FloatArray:
        """Catecholamine EC50 with hydrocortisone's restored sensitivity; ``hc_effect`` (N,) or (N, T)."""
        ec50 = self.p.ec50_mcg_per_l if hc_effect.ndim == 1 else self.p.ec50_mcg_per_l[:, None]
        return np.asarray(ec50 / (1.0 + phys.HYDROCORTISONE_SENSITIVITY_GAIN * hc_effect))

    def hydrocortisone_effect(self) -> FloatArray:
        """How far hydrocortisone has restored the vascular response now (0-1 of its full effect)."""
        return self.hc_effect.copy()

    def _drops(self, t: FloatArray) -> FloatArray:
        """Sum of event MAP drops at times ``t`` (T,), shape (N, T): each ramps in over its ``ramp_min``, then
        recovers with its time constant (or stays), and fades with RESOLVE_TAU_MIN once resolved."""
        if self._drop_t0.size == 0:
            return np.zeros((self.n, t.size))
        since = t[None, :] - self._drop_t0[:, None]
        ramp = self._drop_ramp[:, None]
        rise = np.where(ramp > 0.0, np.clip(since / np.maximum(ramp, _EPS), 0.0, 1.0), since >= 0.0)
        w = rise * np.exp(-self._drop_rate[:, None] * np.maximum(since - ramp, 0.0))
        resolved = self._drop_resolved
        if not np.isfinite(resolved).any():
            return np.asarray(self._drop_amp @ w)
        after = t[None, None, :] - resolved[:, :, None]  # (N, D, T)
        fade = np.where(after > 0.0, np.exp(-np.maximum(after, 0.0) / RESOLVE_TAU_MIN), 1.0)
        return np.asarray(np.einsum("nd,dt,ndt->nt", self._drop_amp, w, fade))

    def _slow(
        self,
        t: FloatArray,
        vaso: FloatArray,
        dob: FloatArray,
        deficit: FloatArray,
        expansion: FloatArray,
        beta: FloatArray,
        noise: FloatArray,
    ) -> FloatArray:
        """Everything in MAP except NE/epinephrine vasoconstriction, at times ``t``: (N, T)."""
        p = self.p
        vol = phys.EXPANSION_MAX_MMHG * phys.expansion_fraction(expansion) - phys.DEFICIT_MMHG_PER_ML_KG * deficit
        dob_map = phys.dobutamine_mmhg(dob, p.cardiac_index[:, None])
        return np.asarray(
            baseline_map0(p, t)
            - self._drops(t)
            - self.e_endo[:, None]
            + vol
            + phys.vasopressin_mmhg(vaso * self._vaso_scale[:, None])
            + phys.EPINEPHRINE_INOTROPIC_MMHG * beta
            + dob_map
            + noise
        )

    def _hr_base(self, beta: FloatArray, dob: FloatArray, deficit: FloatArray) -> FloatArray:
        hr0 = self.p.hr_bpm if beta.ndim == 1 else self.p.hr_bpm[:, None]
        hr = (
            hr0
            + phys.EPINEPHRINE_HR_BPM * beta
            + phys.DOBUTAMINE_HR_BPM * dob / (dob + phys.DOBUTAMINE_HR_EC50)
            + phys.DEFICIT_HR_BPM_PER_ML_KG * deficit
        )
        if self._any_events:
            af = np.where(self.af_until > self.time_min + _EPS, self.af_hr_bpm, 0.0)
            hr = hr + (af if beta.ndim == 1 else af[:, None])
        return np.asarray(hr)

    def _cardiac_output(self, beta: FloatArray, dob: FloatArray, expansion: FloatArray) -> FloatArray:
        p = self.p
        two_d = beta.ndim == 2
        ci = p.cardiac_index[:, None] if two_d else p.cardiac_index
        gain = (
            1.0
            + phys.dobutamine_co(dob)
            + phys.EPINEPHRINE_CO_GAIN * beta
            + phys.EXPANSION_MAX_CO * phys.expansion_fraction(expansion)
        )
        return np.asarray(ci * gain)

    def cardiac_output(self) -> FloatArray:
        """Relative cardiac output now (1 = normal)."""
        return self._cardiac_output(phys.epinephrine_beta(self.ce_epi), self.dob_lagged, self.expansion)

    def _damped(self, t: float) -> npt.NDArray[np.bool_]:
        return np.asarray((self.damped_from <= t) & (self.damped_until > t))

    def _routine_care(self, t0: float, k: int) -> None:
        """Hourly sample flushes and random damping over the next ``k`` blocks (uniforms drawn block by block)."""
        if self._care_rng is None:
            return
        bm, n = self.block_min, self.n
        u = self._care_rng.random((k, 2, n))  # fixed shape per block: the same patients whatever the chunking
        every = self.cfg.lactate_lab_every_min
        for jj in range(k):
            start = t0 + jj * bm
            lab = math.ceil(start / every - _EPS) * every
            if lab < start + bm - _EPS:  # a new hour starts in this block: its sample's flush, at a random time
                at = lab + u[jj, 0] * (every - DEFAULT_FLUSH_MIN)
                self.flush_from, self.flush_until = at, at + DEFAULT_FLUSH_MIN
                self._artefacts_until = max(self._artefacts_until, lab + every)
            onset = (u[jj, 1] < bm / DAMPING_EVERY_MIN) & ~((self.damped_from <= start) & (self.damped_until > start))
            if onset.any():
                self.damped_from = np.where(onset, start, self.damped_from)
                self.damped_until = np.where(onset, start + DAMPING_MIN, self.damped_until)
                self._artefacts_until = max(self._artefacts_until, start + DAMPING_MIN)

    def _meas_sd(self) -> float:
        return self.cfg.art_noise_mmhg if self.setting.monitoring == "arterial" else self.cfg.cuff_noise_mmhg

    def _noise_sd(self, base: float, share: float) -> float | FloatArray:
        """Measurement noise SD: ``base``, widened per patient in atrial fibrillation (``share`` of its spread)."""
        if not self._any_events:
            return base
        extra = np.where(self.af_until > self.time_min + _EPS, self.af_noise_mmhg * share, 0.0)
        if not extra.any():
            return base
        return np.asarray(np.sqrt(base * base + extra * extra))

    def _delivery(self) -> FloatArray | float:
        """The pump's delivery factor now: 0 while stopped, disconnected or being changed; the error's factor."""
        if not self._any_events:
            return 1.0
        t = self.time_min + _EPS
        stopped = np.zeros(self.n, dtype=bool)
        for until in self.interrupted_until.values():
            stopped |= until > t
        factor = np.where(self.pump_factor_until > t, self.pump_factor, 1.0)
        return np.asarray(np.where(stopped, 0.0, factor))

    def _next_change(self) -> float:
        """The next time an event's effect on delivery, rhythm or noise ends (chunks stop there)."""
        t = self.time_min + _EPS
        ends = [self.af_until, self.pump_factor_until, *self.interrupted_until.values()]
        later = [float(e[e > t].min()) for e in ends if bool((e > t).any())]
        later = [x for x in later if math.isfinite(x)]
        return min(later) if later else math.inf

    # ------------------------------------------------------------------ stepping
    def advance_to(self, t_min: float) -> None:
        """Advance whole blocks until ``t_min`` (rounded down to the block grid)."""
        while self.time_min + self.block_min <= t_min + _EPS:
            self.advance_blocks(max(1, math.floor((t_min - self.time_min) / self.block_min + _EPS)))

    def advance_block(self) -> None:
        self.advance_blocks(1)

    def _need_ml_per_block(self) -> FloatArray:
        need = self.ne * self.p.weight_kg / self.setting.concentration_mcg_per_ml * self.block_min
        return np.asarray(need * self._delivery())

    def _chunk(self, wanted: int) -> int:
        """Blocks that can be stepped together: no event inside, the bag not running out inside."""
        k = max(1, min(wanted, self.cfg.max_chunk_blocks))
        if self._events:
            ev_block = math.floor(self._events[0][0].at_min / self.block_min + _EPS)
            if ev_block > self._block_index:
                k = min(k, ev_block - self._block_index)
        if self._any_events and k > 1:
            change = self._next_change()
            if math.isfinite(change):
                k = min(k, max(1, math.ceil((change - self.time_min) / self.block_min - _EPS)))
        if self._armed and k > 1:
            k = min(k, self._armed_blocks())
        if k > 1:
            need = self._need_ml_per_block()
            running = (need > 0.0) & (self.bag_remaining_ml > 0.0)
            if running.any():
                full = int(np.floor(np.min(self.bag_remaining_ml[running] / need[running]) + 1e-9))
                k = min(k, max(full, 1))
        return k

    def advance_blocks(self, wanted: int = 1) -> int:
        """Advance up to ``wanted`` blocks at once; returns the number advanced."""
        p, cfg, b, n = self.p, self.cfg, self.samples_per_block, self.n
        bm = self.block_min
        t0 = self.time_min
        while self._events and self._events[0][0].at_min < t0 + bm - _EPS:
            ev, idx, tag = self._events.pop(0)
            self._fire(ev, idx, "scheduled", tag)
        k = self._chunk(wanted)
        self._routine_care(t0, k)
        kb = k * b
        j = np.arange(k + 1, dtype=np.float64)
        tb = t0 + j * bm

        # Delivery over the chunk (a partial block only when k == 1).
        w = p.weight_kg
        need = self._need_ml_per_block() * k
        bag_frac = np.where(need > 0.0, clip(self.bag_remaining_ml / np.maximum(need, _EPS), 0.0, 1.0), 1.0)
        self.bag_remaining_ml = np.maximum(self.bag_remaining_ml - need, 0.0)
        self.pump_running = (self.ne <= 0.0) | (self.bag_remaining_ml > 0.0)
        r_ne = self.ne * w * bag_frac * self.ne_delivered_fraction * self._delivery()
        r_epi = self.epinephrine * w

        # Catecholamine concentration: exact for every sample; epinephrine alone at boundaries.
        cl = p.clearance_l_per_min
        css = (r_ne + r_epi + p.endogenous_mcg_per_min) / cl
        dc = self.c - css
        dce = self.ce - css
        ce_s = css[:, None] + dce[:, None] * self._ee[:, :kb] + dc[:, None] * self._g[:, :kb]
        ek_b, ee_b, g_b = self._ek_b[:, : k + 1], self._ee_b[:, : k + 1], self._g_b[:, : k + 1]
        c_end = css + dc * ek_b[:, -1]
        ce_end = css + dce * ee_b[:, -1] + dc * g_b[:, -1]
        css_e = r_epi / cl
        ce_epi_b = css_e[:, None] + (self.ce_epi - css_e)[:, None] * ee_b + (self.c_epi - css_e)[:, None] * g_b
        c_epi_end = css_e + (self.c_epi - css_e) * ek_b[:, -1]

        # Slow states at the k + 1 block boundaries (exact first-order updates).
        av = math.exp(-bm / phys.VASOPRESSIN_LAG_MIN) ** j
        vaso_b = self.vasopressin[:, None] + (self.vaso_lagged - self.vasopressin)[:, None] * av
        ad = math.exp(-bm / phys.DOBUTAMINE_LAG_MIN) ** j
        dob_b = self.dobutamine[:, None] + (self.dob_lagged - self.dobutamine)[:, None] * ad
        bleeding = np.minimum(np.maximum(self.bleed_until - t0, 0.0)[:, None], (j * bm)[None, :])
        def_b = self.deficit[:, None] + self.bleed_rate[:, None] * bleeding
        exp_b = self.expansion[:, None] * (math.exp(-bm / phys.EXPANSION_DECAY_MIN) ** j)
        given_b = np.broadcast_to(self.fluid_given[:, None], (n, k + 1))
        if np.any(self.fluid_until > t0):
            def_b, exp_b, given_b = self._fluid_blocks(def_b, t0, k)
        m = self._meas_cols.size
        draws = self.rng.standard_normal((k, n * (1 + m)))
        a = math.exp(-bm / cfg.phys_tau_min)
        s = math.sqrt(1.0 - a * a) * cfg.phys_sd_mmhg
        z_b = np.empty((n, k + 1))
        z_b[:, 0] = self.phys_noise
        for jj in range(k):
            z_b[:, jj + 1] = a * z_b[:, jj] + s * draws[jj, :n]
        beta_b = phys.epinephrine_beta(ce_epi_b)
        slow_b = self._slow(tb, vaso_b, dob_b, def_b, exp_b, beta_b, z_b)

        # Hydrocortisone: two equal first-order stages, exact at block boundaries; its EC50 holds per block.
        hc_target = self._hc_target()
        hc_active = bool(np.any(hc_target > 0.0) or np.any(self.hc_delay > 1e-12) or np.any(self.hc_effect > 1e-12))
        if hc_active:
            x = j * bm / phys.HYDROCORTISONE_TAU_MIN
            ex = np.exp(-x)[None, :]
            d1 = (self.hc_delay - hc_target)[:, None]
            hc_delay_b = hc_target[:, None] + d1 * ex
            hc_b = hc_target[:, None] + (self.hc_effect - hc_target)[:, None] * ex + d1 * x[None, :] * ex
            ec50: FloatArray = np.repeat(self._ec50(hc_b[:, :-1]), b, axis=1)
        else:
            ec50 = p.ec50_mcg_per_l[:, None]

        # True MAP for every sample: slow part interpolated within blocks + Emax.
        emax = p.dmap_mmhg[:, None] * ce_s / (ce_s + ec50)
        map_s = slow_b[:, :-1, None] + np.diff(slow_b, axis=1)[:, :, None] * self._frac + emax.reshape(n, k, b)

        # Perfusion, lactate and urine, block by block.
        perf = phys.perfusion(
            map_s.mean(axis=2),
            p.autoreg_map_mmhg[:, None],
            self._cardiac_output(beta_b[:, 1:], dob_b[:, 1:], exp_b[:, 1:]),
            self.nee()[:, None],
            phys.overload_penalty(given_b[:, 1:]),
        )
        lt = phys.lactate_target(perf, beta_b[:, 1:])
        ut = phys.urine_target(perf)
        a_rise = math.exp(-bm / phys.LACTATE_RISE_TAU_MIN)
        a_fall = math.exp(-bm / phys.LACTATE_FALL_TAU_MIN)
        a_urine = math.exp(-bm / phys.URINE_TAU_MIN)
        lac, uri = self.lactate, self.urine_rate
        lac_rec = np.empty((n, k))
        uri_rec = np.empty((n, k))
        ring = self._urine_ring.shape[1]
        for jj in range(k):
            ltj = lt[:, jj]
            lac = ltj + (lac - ltj) * np.where(ltj > lac, a_rise, a_fall)
            uri = ut[:, jj] + (uri - ut[:, jj]) * a_urine
            lac_rec[:, jj] = lac
            uri_rec[:, jj] = uri
            self._urine_ring[:, self._ring_pos] = uri * (bm / 60.0)
            self._ring_pos = (self._ring_pos + 1) % ring
            if tb[jj + 1] >= self._next_lab_min - _EPS:
                self.lactate_lab = np.round(lac, 1)
                self.lactate_lab_time_min = np.full(n, tb[jj + 1])
                self._next_lab_min += cfg.lactate_lab_every_min

        # Heart rate and measurement.
        hr_base_b = self._hr_base(beta_b[:, 1:], dob_b[:, 1:], def_b[:, 1:])
        last_col = b - 1 if self.setting.monitoring == "cuff" else int(self._meas_cols[-1])
        hr_blocks = phys.heart_rate(map_s[:, :, last_col], hr_base_b, p.autoreg_map_mmhg[:, None])
        noise = draws[:, n:].reshape(k, n, m)
        if self.setting.monitoring == "cuff":
            self._measure_cuff(map_s, hr_base_b, noise, t0, tb[-1])
        else:
            self._measure_arterial(map_s, hr_base_b, hr_blocks, noise, tb)

        if self._armed:
            self._check_armed(map_s.mean(axis=2), tb)

        # Record.
        flat = map_s.reshape(n, kb)
        self._rec_map.append(flat[:, :: self._record_step])
        self.trace.samples += kb // self._record_step
        self._rec_hr.append(hr_blocks)
        self._rec_lactate.append(lac_rec)
        self._rec_urine.append(uri_rec)
        self._rec_perfusion.append(perf)
        self.trace.blocks += k

        # Commit the new state.
        self.c, self.ce, self.c_epi, self.ce_epi = c_end, ce_end, c_epi_end, ce_epi_b[:, -1].copy()
        self.vaso_lagged = vaso_b[:, -1].copy()
        self.dob_lagged = dob_b[:, -1].copy()
        if hc_active:
            self.hc_delay, self.hc_effect = hc_delay_b[:, -1].copy(), hc_b[:, -1].copy()
        self.deficit = def_b[:, -1].copy()
        self.expansion = exp_b[:, -1].copy()
        self.fluid_given = given_b[:, -1].copy()
        self.phys_noise = z_b[:, -1].copy()
        self.lactate, self.urine_rate = lac, uri
        self.perfusion = perf[:, -1].copy()
        self.hr_base = hr_base_b[:, -1].copy()
        self.hr = hr_blocks[:, -1].copy()
        self.true_map = flat[:, -1].copy()
        self._block_index += k
        self.time_min = self._block_index * bm
        return k

    def _armed_blocks(self) -> int:
        """Blocks that can pass before any armed condition could be met (so a trigger fires at a block end)."""
        bm, least = self.block_min, math.inf
        for a in self._armed:
            if not a.waiting.any():
                continue
            left = max(a.trigger.for_min - float(a.run_min[a.waiting].max()), a.trigger.after_min - self.time_min)
            least = min(least, left)
        return max(1, math.floor(least / bm + _EPS)) if math.isfinite(least) else self.cfg.max_chunk_blocks

    def _check_armed(self, block_map: FloatArray, tb: FloatArray) -> None:
        """Count how long each armed condition has held (block means of the true MAP); fire where it is met."""
        bm, k = self.block_min, block_map.shape[1]
        for a in list(self._armed):
            trig = a.trigger
            cond = block_map < trig.map_below if trig.map_below is not None else block_map > (trig.map_above or 0.0)
            run = a.run_min.copy()
            met = np.zeros(self.n, dtype=bool)
            for jj in range(k):
                run = np.where(cond[:, jj], run + bm, 0.0)
                met |= a.waiting & (run >= trig.for_min - _EPS) & (tb[jj + 1] >= trig.after_min - _EPS)
            a.run_min = run
            if met.any():
                who = np.flatnonzero(met)
                a.waiting[who] = False
                self._fire(replace(a.event, at_min=float(tb[-1]), when=None), who, "triggered", a.tag)
            if not a.waiting.any():
                self._armed.remove(a)

    def _fluid_blocks(self, def_b: FloatArray, t0: float, k: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Deficit, expansion and fluid given at the k + 1 block boundaries while a bolus runs.

        Block by block: the block's share of the bolus refills the deficit first; the rest expands the circulation
        by the responsiveness left before the block, entering at a constant rate (an exact first-order step).
        """
        p, bm, n = self.p, self.block_min, self.n
        a = math.exp(-bm / phys.EXPANSION_DECAY_MIN)
        deficit, expansion, given = def_b[:, 0].copy(), self.expansion.copy(), self.fluid_given.copy()
        out_def, out_exp, out_given = np.empty((n, k + 1)), np.empty((n, k + 1)), np.empty((n, k + 1))
        out_def[:, 0], out_exp[:, 0], out_given[:, 0] = deficit, expansion, given
        for jj in range(k):
            lo, hi = t0 + jj * bm, t0 + (jj + 1) * bm
            volume = self.fluid_rate * np.maximum(np.minimum(self.fluid_until, hi) - np.maximum(self.fluid_from, lo), 0)
            deficit = deficit + (def_b[:, jj + 1] - def_b[:, jj])  # bleeding in this block
            refill = np.minimum(volume, deficit)
            deficit = deficit - refill
            effective = (volume - refill) * phys.fluid_responsiveness(p.fluid_responsive, given)
            expansion = expansion * a + effective / bm * phys.EXPANSION_DECAY_MIN * (1.0 - a)
            given = given + volume
            out_def[:, jj + 1], out_exp[:, jj + 1], out_given[:, jj + 1] = deficit, expansion, given
        return out_def, out_exp, out_given

    def _measure_arterial(
        self, map_s: FloatArray, hr_base_b: FloatArray, hr_blocks: FloatArray, noise: FloatArray, tb: FloatArray
    ) -> None:
        cfg, n = self.cfg, self.n
        k = map_s.shape[1]
        cols = self._meas_cols
        t_cols = (tb[:-1, None] + cols[None, :] * self.dt_min).ravel()
        if cfg.record_measured:
            true_m = map_s[:, :, cols]
            sd = self._noise_sd(cfg.art_noise_mmhg, AF_ARTERIAL_SHARE)
            sd_b = sd[:, None, None] if isinstance(sd, np.ndarray) else sd
            meas = (true_m + noise.transpose(1, 0, 2) * sd_b).reshape(n, k * cols.size)
            meas = self._artefacts(meas, t_cols)
            self._rec_meas.append(meas)
            hr_m = phys.heart_rate(true_m, hr_base_b[:, :, None], self.p.autoreg_map_mmhg[:, None, None])
            self._rec_meas_hr.append(hr_m.reshape(n, k * cols.size))
            self.trace.measurements += k * cols.size
            last = meas[:, -1]
        else:
            last = map_s[:, -1, cols[-1]] + noise[-1, :, -1] * self._noise_sd(cfg.art_noise_mmhg, AF_ARTERIAL_SHARE)
            last = self._artefacts(last[:, None], t_cols[-1:])[:, 0]
        self.meas_map = np.asarray(last)
        self.meas_time_min = np.full(n, t_cols[-1])
        self.meas_hr = np.round(hr_blocks[:, -1])

    def _measure_cuff(
        self, map_s: FloatArray, hr_base_b: FloatArray, noise: FloatArray, t0: float, t_end: float
    ) -> None:
        b = self.samples_per_block
        k = map_s.shape[1]
        while self._next_cuff_min < t_end - _EPS:
            sample = min(k * b - 1, max(0, round((self._next_cuff_min - t0) / self.dt_min)))
            jb, col = divmod(sample, b)
            true = map_s[:, jb, col]
            self.meas_map = true + noise[jb, :, 0] * self._noise_sd(self.cfg.cuff_noise_mmhg, 1.0)
            self.meas_time_min = np.full(self.n, t0 + sample * self.dt_min)
            self.meas_hr = np.round(phys.heart_rate(true, hr_base_b[:, jb], self.p.autoreg_map_mmhg))
            self._next_cuff_min += self.setting.cuff_interval_min

    def _artefacts(self, meas: FloatArray, t_cols: FloatArray) -> FloatArray:
        """Damped trace reads low; a fast flush shows the flush pressure."""
        if self._artefacts_until <= t_cols[0]:
            return meas
        damped = (self.damped_from[:, None] <= t_cols[None, :]) & (self.damped_until[:, None] > t_cols[None, :])
        flushing = (self.flush_from[:, None] <= t_cols[None, :]) & (t_cols[None, :] < self.flush_until[:, None])
        if damped.any():
            meas = np.where(damped, meas + self.cfg.damped_map_offset_mmhg, meas)
        if flushing.any():
            meas = np.where(flushing, FLUSH_READING_MMHG, meas)
        return np.asarray(meas)
