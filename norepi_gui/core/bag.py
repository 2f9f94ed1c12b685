"""What is left in the bag now: the volume the nurse recorded, less what the pump has delivered since.

A shift-long session records the bag volume once (and again whenever the nurse reads it off the bag or the pump);
between readings the volume goes down with every hour at the recorded pump rate. The time the bag runs out and the
"bag runs out before the next check" alert (rule SAFE-BAG-BEFORE-CHECK) use this figure, not the stale entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from norepi_gui.core.units import Q, unit


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
