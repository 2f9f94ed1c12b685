"""MapPlot: tested through the data its curves hold (``getOriginalDataset`` / ``map_curve_data``), not pixels."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from norepi_gui.ui.map_plot import MONITOR_CHUNK, MapPlot, SeriesBuffer

# The offscreen platform warns about a feature it lacks whenever a top-level widget is shown; harmless here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
# 2026-01-01 00:00 UTC: 56 years after 1970 with 14 leap days (1972..2024) = 20,454 days x 86,400 s
# = 1,767,225,600 s; plus 8 h (28,800 s):
T0_EPOCH = 1_767_254_400.0
SPAN = 4 * 3600.0  # follow window used below


@pytest.fixture
def plot(qtbot: QtBot) -> MapPlot:
    widget = MapPlot(follow_span_s=SPAN)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def minutes(m: float) -> datetime:
    return T0 + timedelta(minutes=m)


def test_plot_carries_the_object_name_automation_looks_for(plot: MapPlot) -> None:
    assert plot.objectName() == "mapPlot"
    assert plot.accessibleName()


def test_added_readings_appear_in_the_map_curve_as_epoch_seconds(plot: MapPlot) -> None:
    plot.add_reading(T0, 58.0)
    plot.add_reading(minutes(5), 61.0)
    x, y = plot.map_curve_data()
    # 08:05 is 300 s after 08:00
    assert x.tolist() == [T0_EPOCH, T0_EPOCH + 300.0]
    assert y.tolist() == [58.0, 61.0]


def test_reading_entered_late_is_placed_in_time_order(plot: MapPlot) -> None:
    plot.add_reading(minutes(10), 66.0)
    plot.add_reading(minutes(20), 68.0)
    plot.add_reading(minutes(15), 60.0)  # a reading typed in afterwards with its real time
    x, y = plot.map_curve_data()
    assert x.tolist() == [T0_EPOCH + 600.0, T0_EPOCH + 900.0, T0_EPOCH + 1200.0]
    assert y.tolist() == [66.0, 60.0, 68.0]


def test_set_readings_replaces_what_was_charted(plot: MapPlot) -> None:
    plot.add_reading(T0, 50.0)
    plot.set_readings([minutes(1), minutes(2)], [70.0, 72.0])
    x, y = plot.map_curve_data()
    assert x.tolist() == [T0_EPOCH + 60.0, T0_EPOCH + 120.0]
    assert y.tolist() == [70.0, 72.0]


def test_naive_time_is_refused_naming_the_field(plot: MapPlot) -> None:
    with pytest.raises(ValueError, match="time: needs a timezone-aware datetime"):
        plot.add_reading(datetime(2026, 1, 1, 8, 0), 60.0)


def test_readings_with_mismatched_lengths_are_refused_naming_the_field(plot: MapPlot) -> None:
    with pytest.raises(ValueError, match="maps: needs one value per entry of times; got 1 values for 2 times"):
        plot.set_readings([T0, minutes(1)], [60.0])


def test_target_band_is_shaded_between_low_and_high(plot: MapPlot) -> None:
    plot.set_target_band(65, 70)
    assert plot.target_band() == (65.0, 70.0)
    assert plot._band_item.isVisible()
    assert tuple(plot._band_item.getRegion()) == (65.0, 70.0)


def test_target_band_with_low_above_high_is_refused(plot: MapPlot) -> None:
    with pytest.raises(ValueError, match=r"low \(75.0\) must not be above high \(70.0\)"):
        plot.set_target_band(75.0, 70.0)


def test_dose_steps_run_until_the_latest_reading(plot: MapPlot) -> None:
    plot.set_dose_steps([T0, minutes(30)], [0.1, 0.15])
    plot.add_reading(minutes(45), 66.0)
    x, y = plot.dose_curve_data()
    # step edges: 08:00, 08:30 (+1800 s), and the end at the 08:45 reading (+2700 s); one more edge than doses
    assert x.tolist() == [T0_EPOCH, T0_EPOCH + 1800.0, T0_EPOCH + 2700.0]
    assert y.tolist() == [0.1, 0.15]


def test_added_dose_step_extends_the_step_curve(plot: MapPlot) -> None:
    plot.add_dose_step(T0, 0.05)
    plot.add_dose_step(minutes(10), 0.0)  # infusion stopped
    x, y = plot.dose_curve_data()
    assert x.tolist() == [T0_EPOCH, T0_EPOCH + 600.0, T0_EPOCH + 600.0]
    assert y.tolist() == [0.05, 0.0]
    assert plot._dose_curve.opts["stepMode"] == "center"


def test_negative_dose_is_refused_naming_the_field(plot: MapPlot) -> None:
    with pytest.raises(ValueError, match="dose: needs a finite dose of 0 or more"):
        plot.add_dose_step(T0, -0.1)


def test_markers_are_kept_per_kind_in_time_order_with_their_text(plot: MapPlot) -> None:
    plot.add_marker(minutes(10), "titration", "increase to 0.15")
    plot.add_marker(minutes(5), "titration", "increase to 0.12")
    plot.add_marker(minutes(12), "escalation", "add vasopressin")
    plot.add_marker(minutes(13), "acknowledgement", "applied")
    plot.add_marker(minutes(20), "co_infusion", "vasopressin 0.03 U/min")
    x, texts = plot.marker_data("titration")
    assert x.tolist() == [T0_EPOCH + 300.0, T0_EPOCH + 600.0]
    assert texts == ["increase to 0.12", "increase to 0.15"]
    assert plot.marker_data("escalation")[1] == ["add vasopressin"]
    assert plot.marker_data("acknowledgement")[1] == ["applied"]
    assert plot.marker_data("co_infusion")[1] == ["vasopressin 0.03 U/min"]
    scatter_x, _ = plot._marker_items["titration"].getData()
    assert scatter_x.tolist() == [T0_EPOCH + 300.0, T0_EPOCH + 600.0]


def test_marker_kinds_have_distinct_shapes(plot: MapPlot) -> None:
    symbols = [item.opts["symbol"] for item in plot._marker_items.values()]
    assert len(set(symbols)) == len(symbols) == 4


def test_unknown_marker_kind_is_refused_listing_the_accepted_kinds(plot: MapPlot) -> None:
    with pytest.raises(ValueError, match="kind: needs one of titration, escalation, acknowledgement, co_infusion"):
        plot.add_marker(T0, "bolus", "x")


def test_buffer_grows_geometrically_and_keeps_every_sample() -> None:
    buffer = SeriesBuffer(1024)
    for i in range(5000):
        buffer.extend(np.array([float(i)]), np.array([float(2 * i)]))
    # 1024 -> 2048 -> 4096 -> 8192: doubling until 5000 fit
    assert buffer.capacity == 8192
    assert len(buffer) == 5000
    assert buffer.x[4999] == 4999.0
    assert buffer.y[4999] == 9998.0
    assert bool(np.all(np.diff(buffer.x) == 1.0))


def test_72_hours_of_monitor_samples_are_all_held_in_order(plot: MapPlot) -> None:
    count = 72 * 3600  # one per second for 72 h = 259,200 samples
    xs = T0_EPOCH + np.arange(count, dtype=np.float64)
    ys = 60.0 + (np.arange(count) % 40)
    for start in range(0, count, 3600):  # fed an hour at a time
        plot.append_monitor_samples(xs[start : start + 3600], ys[start : start + 3600])
    plot.append_monitor_samples(np.array([xs[-1] + 1.0]), np.array([99.0]))  # and then one more sample
    x, y = plot.monitor_curve_data()
    assert len(x) == count + 1
    assert x[0] == T0_EPOCH
    assert x[-1] == T0_EPOCH + count  # 259,200 s after the first sample
    assert y[-1] == 99.0
    assert y[count - 1] == 60.0 + (count - 1) % 40  # 259,199 % 40 = 39 -> 99.0
    assert bool(np.all(np.diff(x) == 1.0))
    assert plot._monitor.capacity >= count + 1
    # drawn as chunks of MONITOR_CHUNK points (+1 overlap), so one new sample re-sends only the last chunk
    assert all(len(curve.getOriginalDataset()[0]) <= MONITOR_CHUNK + 1 for curve in plot._monitor_chunks)
    assert plot._monitor_chunks[-1].opts["clipToView"] is True
    assert plot._monitor_chunks[-1].opts["autoDownsample"] is True
    assert plot._monitor_chunks[-1].opts["downsampleMethod"] == "peak"


def test_late_monitor_samples_are_merged_in_time_order_across_chunks(plot: MapPlot) -> None:
    count = MONITOR_CHUNK + 100
    xs = T0_EPOCH + 2.0 * np.arange(count, dtype=np.float64)  # every 2 s
    plot.append_monitor_samples(xs, np.full(count, 60.0))
    plot.append_monitor_samples(np.array([T0_EPOCH + 1.0]), np.array([70.0]))  # arrives late
    x, y = plot.monitor_curve_data()
    assert len(x) == count + 1
    assert x[:3].tolist() == [T0_EPOCH, T0_EPOCH + 1.0, T0_EPOCH + 2.0]
    assert y[:3].tolist() == [60.0, 70.0, 60.0]
    assert bool(np.all(np.diff(x) > 0))


def test_monitor_pause_longer_than_the_gap_limit_is_drawn_as_a_gap(plot: MapPlot) -> None:
    plot.append_monitor_samples(np.array([T0_EPOCH, T0_EPOCH + 1.0]), np.array([60.0, 61.0]))
    plot.append_monitor_samples(np.array([T0_EPOCH + 121.0]), np.array([62.0]))  # 120 s later (> 30 s)
    x, y = plot.monitor_curve_data()
    # a NaN point halfway across the pause: (1 + 121) / 2 = 61 s
    assert x.tolist() == [T0_EPOCH, T0_EPOCH + 1.0, T0_EPOCH + 61.0, T0_EPOCH + 121.0]
    assert y[:2].tolist() == [60.0, 61.0]
    assert math.isnan(y[2])
    assert y[3] == 62.0
    assert plot._monitor_chunks[0].opts["connect"] == "finite"


def test_plot_follows_the_latest_reading(plot: MapPlot) -> None:
    plot.add_reading(T0, 60.0)
    plot.add_reading(minutes(300), 65.0)
    low, high = plot.x_range()
    # right edge = latest + 5 % of the 4 h span (720 s); left edge = right - 14,400 s
    latest = T0_EPOCH + 18_000.0
    assert high == pytest.approx(latest + 720.0)
    assert low == pytest.approx(latest + 720.0 - 14_400.0)
    assert plot.is_following


def test_panning_stops_following_until_asked_to_follow_again(plot: MapPlot, qtbot: QtBot) -> None:
    plot.add_reading(T0, 60.0)
    plot.add_reading(minutes(60), 62.0)
    canvas = plot._plot_widget
    centre = canvas.viewport().rect().center()
    wheel = QWheelEvent(
        QPointF(centre),
        QPointF(canvas.viewport().mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    with qtbot.waitSignal(plot.followChanged) as signal:
        QApplication.sendEvent(canvas.viewport(), wheel)  # the user zooms with the wheel
    assert signal.args == [False]
    assert not plot.is_following
    assert plot._follow_button.isEnabled()
    zoomed = plot.x_range()

    plot.add_reading(minutes(600), 70.0)
    assert plot.x_range() == zoomed  # the view stays where the user put it

    with qtbot.waitSignal(plot.followChanged) as signal:
        plot._follow_button.click()
    assert signal.args == [True]
    # latest 08:00 + 600 min = +36,000 s; right edge + 720 s
    assert plot.x_range()[1] == pytest.approx(T0_EPOCH + 36_000.0 + 720.0)


def send_mouse(plot: MapPlot, kind: QEvent.Type, pos: QPointF, buttons: Qt.MouseButton) -> None:
    viewport = plot._plot_widget.viewport()
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    event = QMouseEvent(kind, pos, viewport.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, event)


@pytest.fixture
def unthrottled_mouse(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyqtgraph drops mouse moves closer than 1/100 s apart; synthetic events come faster than that."""
    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)


@pytest.mark.usefixtures("unthrottled_mouse")
def test_dragging_pans_back_in_time_through_the_dose_and_marker_layers(plot: MapPlot) -> None:
    plot.add_reading(T0, 60.0)
    plot.add_reading(minutes(120), 62.0)
    plot.add_dose_step(T0, 0.1)
    plot.add_marker(minutes(60), "titration", "increase")
    before = plot.x_range()
    centre = QPointF(plot._plot_widget.viewport().rect().center())
    left = Qt.MouseButton.LeftButton
    send_mouse(plot, QEvent.Type.MouseButtonPress, centre, left)
    for dx in (10.0, 50.0, 100.0, 150.0):
        send_mouse(plot, QEvent.Type.MouseMove, centre + QPointF(dx, 0.0), left)
    send_mouse(plot, QEvent.Type.MouseButtonRelease, centre + QPointF(150.0, 0.0), Qt.MouseButton.NoButton)
    after = plot.x_range()
    assert after[0] < before[0]  # dragging to the right shows earlier times
    assert after[1] - after[0] == pytest.approx(before[1] - before[0])
    assert not plot.is_following


@pytest.mark.usefixtures("unthrottled_mouse")
def test_pointer_over_a_reading_shows_its_time_map_and_dose(plot: MapPlot) -> None:
    plot.add_reading(minutes(60), 63.0)
    plot.add_dose_step(T0, 0.12)
    vb = plot._vb
    scene_pos = vb.mapViewToScene(QPointF(T0_EPOCH + 3600.0, 63.0))
    viewport_pos = QPointF(plot._plot_widget.mapFromScene(scene_pos))
    send_mouse(plot, QEvent.Type.MouseMove, viewport_pos, Qt.MouseButton.NoButton)
    text = plot._hover_label.text()
    assert "MAP 63 mmHg" in text
    assert "NE 0.12 mcg/kg/min" in text


def test_key_f_resumes_following(plot: MapPlot, qtbot: QtBot) -> None:
    plot.add_reading(T0, 60.0)
    plot.set_x_range(T0_EPOCH - 7200.0, T0_EPOCH - 3600.0)
    assert not plot.is_following
    plot.activateWindow()
    plot._plot_widget.setFocus()
    qtbot.waitUntil(plot._plot_widget.hasFocus)
    qtbot.keyClick(plot._plot_widget, Qt.Key.Key_F)
    assert plot.is_following


def test_hover_text_names_time_map_dose_and_nearby_markers(plot: MapPlot) -> None:
    plot.add_reading(minutes(30), 62.0)
    plot.set_dose_steps([T0, minutes(20)], [0.1, 0.15])
    plot.add_marker(minutes(30), "titration", "increase to 0.15")
    text = plot.hover_text_at(T0_EPOCH + 1800.0 + 10.0, tolerance_s=60.0)
    assert "MAP 62 mmHg" in text
    assert "NE 0.15 mcg/kg/min" in text
    assert "Titration: increase to 0.15" in text


def test_clear_empties_the_curves_and_keeps_the_band(plot: MapPlot) -> None:
    plot.set_target_band(65, 70)
    plot.add_reading(T0, 60.0)
    plot.add_dose_step(T0, 0.1)
    plot.add_marker(T0, "escalation", "x")
    plot.append_monitor_samples(np.array([T0_EPOCH]), np.array([61.0]))
    plot.clear()
    assert len(plot.map_curve_data()[0]) == 0
    assert len(plot.dose_curve_data()[0]) == 0
    assert len(plot.monitor_curve_data()[0]) == 0
    assert plot.marker_data("escalation")[1] == []
    assert plot.target_band() == (65.0, 70.0)


def test_report_image_shows_the_period_asked_for_and_leaves_the_view_alone(plot: MapPlot) -> None:
    plot.add_reading(T0, 60.0)
    plot.add_reading(minutes(14 * 60), 66.0)
    before = plot.x_range()
    image = plot.render_image(last_s=12 * 3600.0)
    assert not image.isNull()
    assert image.width() > 0
    assert plot.x_range() == before
    assert plot.is_following
