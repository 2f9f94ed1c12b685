"""The protocol's dose figures for one patient, all in mcg/kg/min.

A population dosed per kg uses the per-kg keys; one dosed flat (``dose_unit = "mcg/min"``) has its flat keys divided
by the patient's weight, so the engine always works per kg.
"""

from __future__ import annotations

from dataclasses import dataclass

from norepi_gui.core.protocol import Population, Protocol

EPS = 1e-9  # tolerance for comparing doses computed in floating point


@dataclass(frozen=True)
class DoseLimits:
    start: float
    step_up: float
    step_up_large: float
    step_down_far: float
    soft_max: float
    hard_max: float
    taper_min: float
    resolution: float  # proposed doses are rounded to this
    population: Population = Population.ADULT

    def key(self, name: str) -> str:
        """The protocol key of this population's setting ``name`` ("populations.adult.soft_max_dose")."""
        return f"populations.{self.population.value}.{name}"

    @classmethod
    def for_patient(cls, protocol: Protocol, population: Population, weight_kg: float) -> DoseLimits:
        pop = protocol.population(population)
        t = protocol.titration
        if pop.dose_unit == "mcg/min":
            return cls(
                start=pop.flat_start_mcg_per_min / weight_kg,
                step_up=t.flat_step_up_mcg_per_min / weight_kg,
                step_up_large=t.flat_step_up_large_mcg_per_min / weight_kg,
                step_down_far=t.flat_step_down_large_mcg_per_min / weight_kg,
                soft_max=pop.flat_soft_max_mcg_per_min / weight_kg,
                hard_max=pop.flat_hard_max_mcg_per_min / weight_kg,
                taper_min=pop.taper_min_dose,
                resolution=t.flat_dose_resolution_mcg_per_min / weight_kg,
                population=population,
            )
        return cls(
            start=pop.start_dose,
            step_up=t.step_up,
            step_up_large=t.step_up_large,
            step_down_far=t.step_down_large,
            soft_max=pop.soft_max_dose,
            hard_max=pop.hard_max_dose,
            taper_min=pop.taper_min_dose,
            resolution=t.dose_resolution,
            population=population,
        )


def clean(dose: float) -> float:
    """Drop floating-point dust: 0.1 + 0.05 -> 0.15."""
    return round(dose, 6) + 0.0
