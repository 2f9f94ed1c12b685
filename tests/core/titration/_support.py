"""Small builders for titration tests: readings at minutes from T0, and one call to advise()."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from norepi_gui.core.dosing import parse_concentration
from norepi_gui.core.protocol import Protocol, load_protocol
from norepi_gui.core.titration import Advice, CoInfusions, DoseEvent, InfusionState, PatientInfo, Reading, advise

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


@cache
def protocol() -> Protocol:
    return load_protocol()


@cache
def wean_after(readings: int) -> Protocol:
    """The default protocol with titration.above_band_readings_to_wean set to ``readings``."""
    base = protocol()
    return dataclasses.replace(
        base, titration=dataclasses.replace(base.titration, above_band_readings_to_wean=readings))


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def r(minute: float, map_mmhg: float | None = None, dose: float | None = None, **kw: Any) -> Reading:
    """A reading ``minute`` minutes after T0 with MAP and the NE dose running (mcg/kg/min)."""
    return Reading(at=at(minute), map_mmhg=map_mmhg, ne_dose_mcg_per_kg_per_min=dose, **kw)


def run(
    readings: Sequence[Reading],
    *,
    dose: float | None = None,
    patient: PatientInfo | None = None,
    co: CoInfusions | None = None,
    now: datetime | None = None,
    bag_ml: float | None = None,
    concentration: str = "16 mcg/mL",
    proto: Protocol | None = None,
    ne_doses: Sequence[DoseEvent] | None = None,
    dose_since: datetime | None = None,
) -> Advice:
    """Advice as of the last reading (or ``now``); the running dose defaults to the last reading's dose;
    ``dose_since``: when the pump was set to it."""
    current = dose if dose is not None else (readings[-1].ne_dose_mcg_per_kg_per_min or 0.0)
    return advise(
        readings,
        patient or PatientInfo(weight_kg=70.0),
        InfusionState(parse_concentration(concentration), current, bag_ml, dose_since),
        proto or protocol(),
        now=now or readings[-1].at,
        co_infusions=co,
        ne_doses=ne_doses,
    )


def with_settings(section: str, **values: Any) -> Protocol:
    """The default protocol with ``values`` changed in one section (``"titration"``, ``"readings"``, ...)."""
    base = protocol()
    return dataclasses.replace(base, **{section: dataclasses.replace(getattr(base, section), **values)})


def with_population(population: Any, **values: Any) -> Protocol:
    """The default protocol with ``values`` changed in one population's limits."""
    base = protocol()
    limits = dataclasses.replace(base.population(population), **values)
    return dataclasses.replace(base, populations={**base.populations, population: limits})
