"""The bedside strip: what a nurse needs at one glance, always in view at the top of the window.

The latest MAP (large, with its time and trend arrow) against the target band, the running dose in the nurse's unit
(the other unit beside it) and the pump rate, the bag (mL left, when to hang the next one), the line and how long it
has been in, the time in the band over the last hour and the session, and the next check. The figures are the
bedside layer's (``BedsideSession.bedside_glance``); the tiles flow onto a second line when the window is narrow or
the text large, so no number is ever cut off. With the bedside monitor feed on, a tile shows the linked bed (and
patient) and the feed's state: live (last MAP and its age), waiting, stale (an alarm) or off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QFrame, QLabel, QLayout, QLayoutItem, QSizePolicy, QVBoxLayout, QWidget

from norepi_gui.ui.formatting import fmt_clock, fmt_countdown
from norepi_gui.ui.widgets import scale_font, set_role

if TYPE_CHECKING:
    from datetime import datetime

    from norepi_gui.bedside.changes import Change
    from norepi_gui.bedside.glance import Glance
    from norepi_gui.monitor.feed import FeedState
    from norepi_gui.ui.controller import BedsideController

TREND_ARROWS = {"up": "\u2197", "down": "\u2198", "steady": "\u2192"}
TREND_WORDS = {"up": "rising", "down": "falling", "steady": "steady"}
LINE_NAMES = {"central": "Central", "peripheral": "Peripheral", "intraosseous": "IO"}


class FlowLayout(QLayout):
    """Items left to right, onto the next line when the width runs out (Qt's flow layout example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            widget = item.widget()
            if widget is not None and widget.isHidden():
                continue
            hint = item.sizeHint()
            if x + hint.width() > area.right() and line_height > 0:
                x, y = area.x(), y + line_height + self._spacing
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


def _tile(name: str, accessible: str) -> tuple[QFrame, QLabel, QLabel]:
    """A tile: a large value over a small caption."""
    tile = QFrame()
    tile.setObjectName(name)
    tile.setAccessibleName(accessible)
    tile.setFrameShape(QFrame.Shape.StyledPanel)
    value = QLabel("-")
    value.setObjectName(name + "Value")
    value.setAccessibleName(accessible)
    caption = QLabel()
    caption.setObjectName(name + "Caption")
    caption.setAccessibleName(accessible + " (details)")
    set_role(caption, "muted")
    layout = QVBoxLayout(tile)
    layout.setContentsMargins(8, 2, 8, 2)
    layout.setSpacing(0)
    layout.addWidget(value)
    layout.addWidget(caption)
    return tile, value, caption


class BedsideStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bedsideStrip")
        self.setAccessibleName("Bedside strip")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.map_tile, self.map_value, self.map_caption = _tile("stripMap", "Latest MAP")
        self.dose_tile, self.dose_value, self.dose_caption = _tile("stripDose", "Norepinephrine running")
        self.bag_tile, self.bag_value, self.bag_caption = _tile("stripBag", "Bag")
        self.line_tile, self.line_value, self.line_caption = _tile("stripLine", "Line")
        self.band_tile, self.band_value, self.band_caption = _tile("stripInBand", "Time in the target band")
        self.check_tile, self.check_value, self.check_caption = _tile("stripNextCheck", "Next check")
        self.monitor_tile, self.monitor_value, self.monitor_caption = _tile("stripMonitor", "Bedside monitor feed")
        scale_font(self.map_value, 2.0, bold=True)
        for label in (self.dose_value, self.bag_value, self.line_value, self.band_value, self.check_value,
                      self.monitor_value):
            scale_font(label, 1.2, bold=True)
        self._flow = FlowLayout(self)
        self._flow.setContentsMargins(0, 0, 0, 0)
        for tile in (self.map_tile, self.monitor_tile, self.dose_tile, self.bag_tile, self.check_tile, self.line_tile,
                     self.band_tile):
            self._flow.addWidget(tile)
        self.monitor_tile.hide()  # the feed is off by default: the tile shows once it is on
        self._controller: BedsideController | None = None

    def bind(self, controller: BedsideController) -> None:
        self._controller = controller
        controller.changed.connect(self._changed)  # once per operation
        controller.clock_minute.connect(self.refresh)
        controller.display_changed.connect(self.refresh)

    def _changed(self, change: Change) -> None:
        if change.readings or change.doses or change.session or change.patient or change.bag or change.settings \
                or change.advice or change.alarms:
            self.refresh()

    def refresh(self, *_args: object) -> None:
        if self._controller is None:
            return
        self.show_glance(self._controller.session.bedside_glance())

    def show_glance(self, g: Glance) -> None:
        assert self._controller is not None
        display = self._controller.display
        latest = g.latest
        if latest is None:
            self.map_value.setText("MAP -")
            self.map_caption.setText("no reading yet")
        else:
            arrow = TREND_ARROWS.get(g.trend or "", "")
            self.map_value.setText(f"MAP {latest.map_mmhg:.0f} {arrow}".rstrip())
            trend = f", {TREND_WORDS[g.trend]}" if g.trend in TREND_WORDS else ""
            self.map_caption.setText(f"at {fmt_clock(latest.at)}{trend}")
        if g.band is not None:
            self.map_caption.setText(self.map_caption.text() + f" \u00b7 target {g.band[0]:g}\u2013{g.band[1]:g}")
        running = g.running
        if running is None:
            self.dose_value.setText("NE not running")
            self.dose_caption.setText("no dose recorded")
        elif not running.running:
            self.dose_value.setText("NE stopped")
            self.dose_caption.setText(f"since {fmt_clock(running.at)}")
        else:
            value, unit = display.dose_value(running.dose_mcg_per_kg_per_min, running.dose_mcg_per_min)
            self.dose_value.setText(f"NE {value} {unit} \u00b7 {display.rate(running.pump_rate_ml_per_h)} mL/h")
            second = display.other(running.dose_mcg_per_kg_per_min, running.dose_mcg_per_min)
            self.dose_caption.setText((f"{second} \u00b7 " if second else "") + f"since {fmt_clock(running.at)}")
        bag = g.bag
        if bag.left_ml is None:
            self.bag_value.setText("Bag -")
            self.bag_caption.setText("no volume recorded")
        else:
            self.bag_value.setText(f"Bag {bag.left_ml:.0f} mL left")
            if bag.empty_at is None:
                self.bag_caption.setText("not running")
            elif bag.hang_by is not None and bag.hang_by > self._controller.session.now():
                self.bag_caption.setText(f"hang next bag by {fmt_clock(bag.hang_by)} \u00b7 "
                                         f"empty {fmt_clock(bag.empty_at)}")
            elif bag.hang_by is not None:
                self.bag_caption.setText(f"hang the next bag now \u00b7 empty {fmt_clock(bag.empty_at)}")
            else:
                self.bag_caption.setText(f"empty at {fmt_clock(bag.empty_at)}")
        line = g.line
        name = LINE_NAMES.get(line.line, line.line)
        if line.hours is None:
            self.line_value.setText(name if line.line != "central" else "Central")
            self.line_caption.setText("line; insertion time not recorded" if line.line != "central" else "line")
        elif line.max_hours > 0:
            self.line_value.setText(f"{name} {line.hours:.0f} h of {line.max_hours:g} h")
            self.line_caption.setText(f"line \u00b7 site check {fmt_clock(line.site_check_due)}" if line.site_check_due
                                      else "line")
        else:
            self.line_value.setText(f"{name} {line.hours:.0f} h")
            self.line_caption.setText("line")
        hour, session = g.in_band_last_hour, g.in_band_session
        self.band_value.setText("In band " + ("-" if hour is None else f"{hour * 100:.0f}%"))
        self.band_caption.setText("last hour \u00b7 session " + ("-" if session is None else f"{session * 100:.0f}%"))

    def show_feed(self, feed: FeedState | None, link: str = "", problem: str = "") -> None:
        """The monitor feed (every tick): ``None`` hides the tile (the feed was never on for this session);
        ``link`` is the bed and patient it takes values for, shortly (``ICU^12^A · HED12``); the tooltip says it
        all in words."""
        from norepi_gui.monitor.feed import FeedKind

        if feed is None:
            self.monitor_tile.hide()
            return
        age = _age(feed.age_s)
        last = feed.last
        if feed.kind is FeedKind.LIVE and last is not None:
            self.monitor_value.setText(f"Monitor {last.map_mmhg:.0f} \u00b7 {age}")
            state = "live" + (" (cuff)" if last.source.value == "cuff" else "")
        elif feed.kind is FeedKind.STALE:
            self.monitor_value.setText(f"Monitor stale {age}")
            state = "no MAP" + (f" since {fmt_clock(last.at)}" if last is not None else " yet")
        elif feed.kind is FeedKind.WAITING:
            self.monitor_value.setText("Monitor waiting")
            state = "no value yet"
        else:
            self.monitor_value.setText("Monitor off")
            state = "not listening"
        if problem:
            state = problem
        self.monitor_caption.setText(" \u00b7 ".join(x for x in (link, state) if x))
        self.monitor_tile.setToolTip(feed.describe() + (f"\n{problem}" if problem else ""))
        set_role(self.monitor_value, "overdue" if feed.alarm else "")
        if self.monitor_tile.isHidden():
            self.monitor_tile.show()
            self.updateGeometry()

    def show_due(self, due: datetime | None, now: datetime) -> None:
        """The next check (every tick)."""
        if due is None:
            self.check_value.setText("Next check -")
            self.check_caption.setText("after the first reading")
            set_role(self.check_value, "")
            return
        remaining = (due - now).total_seconds()
        if remaining > 0:
            self.check_value.setText(f"Next check {fmt_countdown(remaining)}")
            self.check_caption.setText(f"at {fmt_clock(due)}")
            set_role(self.check_value, "")
        elif remaining > -1:  # the due second itself: due, not yet overdue
            self.check_value.setText("Check due now")
            self.check_caption.setText(f"due {fmt_clock(due)}")
            set_role(self.check_value, "overdue")
        else:
            self.check_value.setText(f"Check overdue {fmt_countdown(-remaining)}")
            self.check_caption.setText(f"was due {fmt_clock(due)}")
            set_role(self.check_value, "overdue")


def _age(seconds: float | None) -> str:
    s = int(seconds or 0.0)
    return f"{s} s" if s < 60 else f"{s // 60} min {s % 60:02d} s"
