"""Fixed safety wording the window shows where it matters. Display text only; sources next to each statement."""

from __future__ import annotations

# Label preparation: dilute in dextrose-containing fluid; "administration in saline solution alone is not
# recommended" (dextrose protects against oxidation). Premixed 4 mg/250 mL in 0.9% NaCl exists, so the warning is
# about diluting the concentrate [seed 002; V label, DailyMed].
DILUENT_NOTE = (
    "Dilute the concentrate in 5% dextrose (or dextrose-saline): dextrose protects against oxidation. Saline alone "
    "is not recommended by the label (premixed bags in 0.9% NaCl are a manufactured exception)."
)
SALINE_WARNING = "\u26a0 Saline alone as diluent: not recommended by the label; use 5% dextrose or dextrose-saline."

# Never with sodium bicarbonate or alkaline solutions in the line: adrenergic agents are inactivated [seed 000].
NO_BICARBONATE = "\u26a0 Never run sodium bicarbonate or alkaline solutions in the norepinephrine line (inactivation)."

# Peripheral / IO: acceptable for low doses for a limited time, then central [seed 004]; the dose and time limits come
# from the protocol ([lines.*]) and the phentolamine pathway from the engine (core.titration.lines).
def peripheral_line_note(line_name: str, max_hours: float) -> str:
    limit = f" for up to {max_hours:g} h" if max_hours > 0 else ""
    return (f"\u26a0 {line_name} line: low doses only{limit}, then central access; check the site often for "
            "extravasation.")


DILUENTS = ("5% dextrose (D5W)", "Dextrose-saline", "0.9% saline", "Premixed bag")
SALINE_DILUENT = "0.9% saline"
