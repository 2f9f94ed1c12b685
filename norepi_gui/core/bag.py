"""What is left in the bag now: the volume the nurse recorded, less what the pump has delivered since.

A shift-long session records the bag volume once (and again whenever the nurse reads it off the bag or the pump);
between readings the volume goes down with every hour at the recorded pump rate. The time the bag runs out and the
"bag runs out before the next check" alert (rule SAFE-BAG-BEFORE-CHECK) use this figure, not the stale entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.units import Q, unit

if TYPE_CHECKING:
    from norepi_gui.core.protocol import Protocol


def volume_left_ml(recorded_ml: float, recorded_at: datetime, rates: Sequence[tuple[datetime, float]],
                   now: datetime) -> float:
    """mL left at ``now``: ``recorded_ml`` at ``recorded_at`` minus the pump's delivery since, never below 0.

    ``rates`` holds each recorded pump rate change as (time, mL/h), in time order; before the first one the pump
    ran at 0 mL/h. Changes before ``recorded_at`` count only from ``recorded_at`` on.
    """
    delivered = Q(0.0, "mL")
    for i, (start, rate) in enumerate(rates):
        end = rates[i + 1][0] if i + 1 < len(rates) else now
        begin, stop = max(start, recorded_at), min(end, now)
        if rate > 0 and stop > begin:
            delivered = delivered + Q(rate, "mL/h") * Q((stop - begin).total_seconds(), "s")
    left = Q(recorded_ml, "mL") - delivered
    return max(0.0, float(left.to(unit("mL")).magnitude))


def bag_alert(minutes_left: float, next_check_min: float | None, protocol: Protocol, *,
              rate_text: str = "") -> Alert | None:
    """The bag alarm for a bag that runs out in ``minutes_left`` at the pump rate (``None``: nothing to say yet).

    One priority per condition, the same wherever it is shown, as the engine decides it (docs/rules.md):

    - empty (nothing left while the pump runs): high, BAG_EMPTY;
    - runs out before the next check in ``next_check_min``: high, BAG_NEAR_EMPTY (SAFE-BAG-BEFORE-CHECK);
    - less than ``bag.near_empty_minutes`` left: medium, BAG_NEAR_EMPTY (SAFE-BAG-LOW);
    - less than ``bag.change_reminder_minutes`` left: low, BAG_CHANGE_DUE (hang the next bag in good time).
    """
    at = f" at {rate_text} mL/h" if rate_text else ""
    if minutes_left <= 0.0:
        return Alert("BAG_EMPTY", Priority.HIGH, "Bag empty: no norepinephrine is running. Hang a new bag now.")
    if next_check_min is not None and minutes_left < next_check_min:
        return Alert("BAG_NEAR_EMPTY", Priority.HIGH,
                     f"Bag runs out in {minutes_left:.0f} min{at}, before the next check in {next_check_min:.0f} "
                     "min: prepare the next bag now.")
    if minutes_left < protocol.bag.near_empty_minutes:
        return Alert("BAG_NEAR_EMPTY", Priority.MEDIUM,
                     f"Bag runs out in {minutes_left:.0f} min{at}: prepare the next bag.")
    if minutes_left < protocol.bag.change_reminder_minutes:
        return Alert("BAG_CHANGE_DUE", Priority.LOW,
                     f"Bag runs out in {minutes_left:.0f} min{at}: have the next bag ready.")
    return None
