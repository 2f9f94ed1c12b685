"""What a session records: event kinds, the event and session records, payload rules.

Events are never changed once written. A mistake is fixed by a new ``CORRECTION``
event (whose payload replaces the whole payload of the event it supersedes) or a
``DELETION`` event; :func:`effective_events` folds those into the current view.
Payloads are plain JSON (no pickle): finite numbers, strings, booleans, null,
lists and string-keyed objects only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
Payload: TypeAlias = dict[str, JsonValue]


class EventKind(StrEnum):
    """What happened. Stored by value, so never rename a value once released."""

    READING = "READING"
    NE_DOSE = "NE_DOSE"
    CO_INFUSION = "CO_INFUSION"
    ADVICE = "ADVICE"
    PROMPT_SHOWN = "PROMPT_SHOWN"
    PROMPT_ANSWERED = "PROMPT_ANSWERED"
    PROMPT_SNOOZED = "PROMPT_SNOOZED"
    SETTING = "SETTING"
    PATIENT = "PATIENT"
    INFUSION = "INFUSION"
    NOTE = "NOTE"
    CORRECTION = "CORRECTION"
    DELETION = "DELETION"
    SESSION_CLOSED = "SESSION_CLOSED"
    SIM_EVENT = "SIM_EVENT"
    PERFUSION = "PERFUSION"  # perfusion markers recorded without a blood pressure
    SITE_CHECK = "SITE_CHECK"  # a peripheral or intraosseous line's site was checked
    AUDIO_PAUSED = "AUDIO_PAUSED"  # the alarm sound was paused (for a limited time)
    ORDER = "ORDER"  # the titration order (its seven elements); each replaces the one before
    HANDOVER = "HANDOVER"  # a nurse signs on (no outgoing nurse) or takes over from another
    MONITOR_SAMPLES = "MONITOR_SAMPLES"  # a batch of the bedside monitor's values (kept apart from charted readings)
    MONITOR_LINK = "MONITOR_LINK"  # the bed and patient the monitor feed takes values for, or the feed turned off


#: Kinds that must name the event they supersede (and the only kinds that may).
SUPERSEDING_KINDS = frozenset({EventKind.CORRECTION, EventKind.DELETION})


@dataclass(frozen=True, slots=True)
class Event:
    """One recorded event, exactly as it sits on disk.

    ``at`` is the clinical time the event refers to; ``recorded_at`` is when the
    store wrote it. Both are timezone-aware UTC. ``seq`` counts 1, 2, 3 ... within
    its session in the order events were recorded.
    """

    id: int
    session_id: int
    seq: int
    at: datetime
    recorded_at: datetime
    kind: EventKind
    payload: Payload
    supersedes: int | None = None


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One patient episode or training run. ``closed_at`` is None while open.

    ``id`` counts from 1 in every data folder; ``uid`` (32 hex digits) is unique across folders, for export names.
    ``protocol_sha256`` is the content hash of the protocol the session started under (None for sessions recorded
    before it was kept); see :mod:`norepi_gui.core.protocol_identity`.
    """

    id: int
    created_at: datetime
    label: str
    is_training: bool
    protocol_name: str
    protocol_version: str
    scenario: str | None
    closed_at: datetime | None
    uid: str = ""
    protocol_sha256: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PayloadError(ValueError):
    """A payload that cannot be stored as plain, finite JSON."""


def check_payload(payload: Mapping[str, object]) -> Payload:
    """Return a plain-JSON copy of ``payload`` or raise :class:`PayloadError`.

    The error names the offending field, e.g. ``payload['map']['value']``.
    """
    checked = _check_value(payload, "payload")
    if not isinstance(checked, dict):
        raise PayloadError(f"payload: expected a dict, got {type(payload).__name__}")
    return checked


def _check_value(value: object, where: str) -> JsonValue:
    # bool before int: bool is a subclass of int and stays a bool.
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PayloadError(f"{where}: {value!r} is not allowed; finite numbers only")
        return value
    if isinstance(value, list):
        return [_check_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        out: dict[str, JsonValue] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise PayloadError(f"{where}: key {key!r} is not a string; keys must be str")
            out[key] = _check_value(item, f"{where}[{key!r}]")
        return out
    raise PayloadError(
        f"{where}: {type(value).__name__} is not storable; accepted are None, bool, "
        "int, finite float, str, list and dict with str keys"
    )


def encode_payload(payload: Payload) -> str:
    """Canonical JSON text: sorted keys, no NaN/inf, floats round-trip exactly."""
    return json.dumps(payload, sort_keys=True, allow_nan=False, separators=(",", ":"))


def decode_payload(text: str) -> Payload:
    """The stored JSON text back as a payload; :class:`PayloadError` (or ``json.JSONDecodeError``) if it is not one.

    ``NaN`` and ``Infinity``, which Python's json reads by default, are refused: payloads hold finite numbers only.
    """
    value = json.loads(text, parse_constant=_refuse_constant)
    if not isinstance(value, dict):
        raise PayloadError(f"stored payload is not a JSON object: {text[:60]!r}")
    return value


def _refuse_constant(name: str) -> JsonValue:
    raise PayloadError(f"stored payload holds {name}, not a finite number")


def effective_events(events: Iterable[Event]) -> list[Event]:
    """The events that make up the current state, in clinical order.

    - ``CORRECTION`` and ``DELETION`` events are folded in, not returned.
    - A corrected event is returned with its original ``id``, ``seq``, ``kind``
      and ``recorded_at`` but the ``at`` and ``payload`` of its latest correction
      (highest ``seq``). Corrections of corrections count for the original event.
    - Deleted events are dropped.
    - Result is sorted by ``(at, seq)``.

    ``events`` is the raw log of one session (any order).
    """
    raw = sorted(events, key=lambda e: e.seq)
    by_id = {e.id: e for e in raw}

    def root_of(event: Event) -> int:
        target = event.supersedes
        while target is not None and by_id[target].supersedes is not None:
            target = by_id[target].supersedes
        if target is None:
            raise ValueError(f"event {event.id} ({event.kind}) supersedes nothing")
        return target

    current: dict[int, Event] = {}
    deleted: set[int] = set()
    for event in raw:
        if event.kind is EventKind.CORRECTION:
            root = root_of(event)
            current[root] = replace(by_id[root], at=event.at, payload=event.payload)
        elif event.kind is EventKind.DELETION:
            deleted.add(root_of(event))
        else:
            current[event.id] = event
    kept = [e for eid, e in current.items() if eid not in deleted]
    return sorted(kept, key=lambda e: (e.at, e.seq))
