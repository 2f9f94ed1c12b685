"""The engine's remembered pump rates are the dosing core's: rounded rates equal, exact rates equal to rounding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from norepi_gui.core.dosing import DoseRate, parse_concentration, rate_for_dose, round_to_resolution
from norepi_gui.core.titration.engine import _fast_rates
from norepi_gui.core.units import Q

CONCENTRATIONS = {text: parse_concentration(text) for text in ("16 mcg/mL", "4 mg/250 mL", "64 mcg/mL", "0.1 mg/mL")}


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 3000), st.floats(0.5, 300.0, allow_nan=False), st.sampled_from(sorted(CONCENTRATIONS)),
       st.sampled_from([0.1, 0.01, 1.0]))
def test_fast_pump_rates_are_the_dosing_cores(dose_steps: int, weight: float, text: str, resolution: float) -> None:
    dose = dose_steps * 0.001  # doses on the engine's grid, 0.001-3 mcg/kg/min
    concentration = CONCENTRATIONS[text]
    core = rate_for_dose(DoseRate.per_kg(dose), concentration, Q(weight, "kg"))
    exact, rounded = _fast_rates(dose, weight, concentration, resolution)
    assert rounded == float(round_to_resolution(core, resolution).magnitude)
    assert abs(exact - float(core.magnitude)) <= 1e-12 * float(core.magnitude)


def test_a_half_step_is_rounded_up_as_the_dosing_core_does() -> None:
    # 0.1 mcg/kg/min x 70 kg x 60 / 16 mcg/mL = 26.25 mL/h exactly: half-up at 0.1 mL/h -> 26.3
    assert _fast_rates(0.1, 70.0, CONCENTRATIONS["16 mcg/mL"], 0.1)[1] == 26.3
