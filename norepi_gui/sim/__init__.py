"""The training simulator: vectorised virtual patients, scenarios, policies and debrief (Qt-free).

A training tool, not a clinical model: see ``docs/simulator.md`` for the sources and the
assumptions. Public entry points:

* :func:`run_headless` runs a :class:`Policy` on a scenario or the default population;
* :func:`debrief` scores (time, true MAP) samples and action records;
* :func:`load_scenario` / :func:`list_scenarios` read the TOML scenarios;
* :class:`VirtualPatients` is the engine the training window steps.
"""

from __future__ import annotations

from norepi_gui.sim.actions import ActionRecord, EscalationDue, ExpectedAction, LimitAlert, PromptRecord
from norepi_gui.sim.debrief import Debrief, debrief, debrief_from_samples, summarise
from norepi_gui.sim.engine import Setting, SimConfig, VirtualPatients
from norepi_gui.sim.events import Event
from norepi_gui.sim.policy import Decision, FixedStepPolicy, NonePolicy, Observation, Policy, PolicyFactory
from norepi_gui.sim.runner import RunConfig, RunResult, policy_factory, run_headless
from norepi_gui.sim.scenario import Scenario, ScenarioError, list_scenarios, load_scenario, load_scenario_file

__all__ = [
    "ActionRecord",
    "Debrief",
    "Decision",
    "EscalationDue",
    "Event",
    "ExpectedAction",
    "FixedStepPolicy",
    "LimitAlert",
    "NonePolicy",
    "Observation",
    "Policy",
    "PolicyFactory",
    "PromptRecord",
    "RunConfig",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Setting",
    "SimConfig",
    "VirtualPatients",
    "debrief",
    "debrief_from_samples",
    "list_scenarios",
    "load_scenario",
    "load_scenario_file",
    "policy_factory",
    "run_headless",
    "summarise",
]
