"""One bedside session with every kind of entry a handover reports, and its figures computed by hand.

Times in UTC; the nurse's clock is Paris (UTC+1 in January): 08:00 UTC is 09:00 local. 70 kg, 16 mcg/mL, so
rate = dose x 70 x 60 / 16 = dose x 262.5 mL/h at the pump's 0.1 mL/h. Order: start 0.1, step 0.05 mcg/kg/min, one
change every 5 min, maximum 0.5, goal MAP 65-75, floor 60 (Dr Lee). Checks: medium after 2 min, high after 5.

  08:00  AB signs on (bed ICU 4); 70 kg, 4 mg/250 mL; norepinephrine 0.1 (26.3 mL/h); the order; MAP 58
         -> the engine says increase, the order holds it (last change 08:00, next at 08:05); check due 08:05
  08:06  MAP 62 (due 08:05: on time) -> increase to 0.15 (0.1 x e^0.4 = 0.149 -> 0.15), applied (39.4 mL/h)
  08:10  AB hands over to CD
  08:12  MAP 68 (due 08:11: on time) -> hold, due 08:17 (later corrected to 66 at 08:36 by CD)
  08:20  MAP 92 (due 08:17: 3 min, late) -> more than 25 above target (TIT-DOWN-FAR): decrease by 0.05, at most
         30 % of 0.15 = 0.045 -> 0.105, due 08:25
  08:26  not applied, "surgeon asks MAP above 75 until the drain is out" (due 08:25: on time); next due 08:31
  08:35  MAP 72 taken 08:34 (due 08:31: 3 min, late) -> hold, due 08:39
  08:37  MAP 95 recorded by mistake, deleted at 08:38 by CD
  08:40  vasopressin 0.03 U/min
  08:45  MAP 70 (due 08:39: 6 min, missed); 08:50 MAP 71; 08:55 MAP 69 (not due: no check)
  09:00  the report (10:00 in Paris)

MAP time 08:00-09:00 (each reading stands until the next): 58 for 6 min (below target and the floor), 62 for 6
(below), 66 for 8, 92 for 14 (above), 72 for 11, 70, 71 and 69 for 5 each: in band 8 + 11 + 15 = 34 of 60 min.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from norepi_gui.bedside.memory import MemoryStore
from norepi_gui.bedside.records import BagRecord, PatientRecord
from norepi_gui.bedside.session import BedsideSession
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.dosing import DoseRate, parse_concentration
from norepi_gui.core.infusion import InfusionRequest, summarise_infusion
from norepi_gui.core.order import TitrationOrder
from norepi_gui.core.protocol import LineType, load_protocol
from norepi_gui.core.titration import Reading
from norepi_gui.core.units import DoseBasis, Q

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
LABEL = "Mrs Example, MRN 4711"
ORDER = TitrationOrder(route=LineType.CENTRAL, start_dose=0.1, step=0.05, change_every_min=5.0, max_dose=0.5,
                       goal_map_low=65.0, goal_map_high=75.0, floor_map=60.0, prescriber="Dr Lee")
NOT_APPLIED = "surgeon asks MAP above 75 until the drain is out"


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def build() -> tuple[BedsideSession, ManualClock]:
    clock = ManualClock(T0)
    store = MemoryStore(clock)
    session = BedsideSession(lambda: store, clock, load_protocol(), confirm=lambda _t, _x: True)
    session.new_session(LABEL, nurse="AB", bed="ICU 4")
    session.set_patient(PatientRecord(weight_kg=70.0, weight_entered="70", line="central",
                                      line_inserted_at=T0 - timedelta(hours=20)))
    session.set_bag(BagRecord(concentration_mcg_per_ml=16.0, description="4 mg base in 250 mL = 16 mcg/mL base",
                              amount_entered="4 mg", volume_entered="250 mL", bag_volume_ml=250.0))
    request = InfusionRequest(concentration=parse_concentration("16 mcg/mL"), weight=Q(70.0, "kg"),
                              dose=DoseRate.per_kg(0.1))
    session.set_dose(summarise_infusion(request, session.protocol), DoseBasis.PER_KG)
    session.set_order(ORDER)

    def reading(minute: float, value: float, taken: float | None = None) -> None:
        clock.set(at(minute))
        session.record_reading(Reading(at=at(taken if taken is not None else minute), map_mmhg=value))

    reading(0, 58.0)
    reading(6, 62.0)
    session.apply_advice()
    clock.set(at(10))
    session.hand_over("CD")
    reading(12, 68.0)
    reading(20, 92.0)
    clock.set(at(26))
    session.answer_not_applied(NOT_APPLIED)
    reading(35, 72.0, taken=34)
    clock.set(at(36))
    corrected = next(r for r in session.state.readings if r.at == at(12))
    session.correct_reading(corrected.event_id, Reading(at=at(12), map_mmhg=66.0))
    reading(37, 95.0)
    clock.set(at(38))
    mistake = next(r for r in session.state.readings if r.at == at(37))
    session.delete_entry(mistake.event_id)
    clock.set(at(40))
    session.co_infusion("vasopressin", "start", 0.03, "U/min")
    reading(45, 70.0)
    reading(50, 71.0)
    reading(55, 69.0)
    clock.set(at(60))
    session.tick()
    return session, clock
