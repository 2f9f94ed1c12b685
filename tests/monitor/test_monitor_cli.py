"""``monitor-sim`` and ``monitor-listen``: bad input named, CSV replay, the two commands talking, no Qt."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from norepi_gui.cli import main
from norepi_gui.monitor.codes import Vital
from norepi_gui.monitor.link import MonitorLink
from norepi_gui.monitor.settings import MonitorSettings
from tests.monitor.messages import T0
from tests.monitor.net import running_listener

QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "localhost", "--bed", "ICU^1^A"], "--to: 'localhost' is not HOST:PORT"),
        (["--to", "127.0.0.1:99999", "--bed", "ICU^1^A"], "--to: '127.0.0.1:99999' is not HOST:PORT"),
        (["--to", "127.0.0.1:2575", "--bed", "^^"], "--bed: '^^' names no bed"),
        (["--to", "127.0.0.1:2575", "--bed", "ICU|1"], "monitor.link.bed"),
        (["--to", "127.0.0.1:2575", "--bed", "ICU^1^A", "--interval", "1"], "--interval: 1 is out of range"),
        (["--to", "127.0.0.1:2575", "--bed", "ICU^1^A", "--speed", "-1"], "--speed: -1 is out of range"),
        (["--to", "127.0.0.1:2575", "--bed", "ICU^1^A", "--start", "2026-01-01T08:00"], "--start: "),
        (["--to", "127.0.0.1:2575", "--bed", "ICU^1^A", "--scenario", "nope"], "nope"),
    ],
)
def test_monitor_sim_names_the_bad_option_and_exits_2(args: list[str], message: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["monitor-sim", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("norepi-gui monitor-sim: ") and message in err


def test_monitor_sim_names_the_bad_csv_row_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "feed.csv"
    path.write_text("seconds,map,sbp\n0,65,90\n60,sixty,90\n", encoding="utf-8")
    assert main(["monitor-sim", "--to", "127.0.0.1:2575", "--bed", "ICU^1^A", "--csv", str(path)]) == 2
    assert f"{path}: line 3, column map: 'sixty' is not a number" in capsys.readouterr().err
    path.write_text("map,spo2\n65,97\n", encoding="utf-8")
    assert main(["monitor-sim", "--to", "127.0.0.1:2575", "--bed", "ICU^1^A", "--csv", str(path)]) == 2
    assert "column spo2: unknown column" in capsys.readouterr().err


def test_monitor_sim_exits_1_when_the_receiver_cannot_be_reached(capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    assert main(["monitor-sim", "--to", f"127.0.0.1:{port}", "--bed", "ICU^1^A", "--count", "1"]) == 1
    assert f"cannot reach 127.0.0.1:{port}" in capsys.readouterr().err


def test_a_csv_is_replayed_row_by_row_with_its_times(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "feed.csv"
    path.write_text("seconds,map,sbp,dbp,hr,nibp_map\n0,65,95,50,88,\n30,250,250,250,88,\n60,66,96,51,,72\n",
                    encoding="utf-8")
    settings = MonitorSettings(enabled=True, link=MonitorLink(bed="ICU^12^A"))
    with running_listener(settings, now=T0 + timedelta(minutes=5)) as run:
        rc = main(["monitor-sim", "--to", f"127.0.0.1:{run.port}", "--bed", "ICU^12^A", "--csv", str(path),
                   "--speed", "0", "--start", T0.isoformat()])
        accepted = run.call(lambda: list(run.accepted))
    assert rc == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" -> ")[1] for line in lines] == ["AA", "AA", "AA"]
    assert [o.value(Vital.ART_MAP) for o in accepted] == [65.0, 250.0, 66.0]
    assert [o.value(Vital.HR) for o in accepted] == [88.0, 88.0, None]
    assert [o.value(Vital.NIBP_MAP) for o in accepted] == [None, None, 72.0]
    art = [o.get(Vital.ART_MAP) for o in accepted]
    assert [a.at.strftime("%H:%M:%S") for a in art if a is not None] == ["08:00:00", "08:00:30", "08:01:00"]


def test_monitor_listen_and_monitor_sim_talk_across_processes() -> None:
    listen = subprocess.Popen(
        [sys.executable, "-m", "norepi_gui", "monitor-listen", "--port", "0", "--bed", "ICU^12^A", "--count", "3",
         "--json", "--seconds", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert listen.stdout is not None
        first = listen.stdout.readline()
        assert first.startswith("listening on 127.0.0.1:") and first.rstrip().endswith("for bed ICU^12^A")
        port = first.split()[2].rsplit(":", 1)[1]
        sim = subprocess.run(
            [sys.executable, "-m", "norepi_gui", "monitor-sim", "--to", f"127.0.0.1:{port}", "--bed", "ICU^12^A",
             "--seed", "1", "--count", "2", "--interval", "5", "--speed", "0", "--json"],  # the 2nd 5 s ahead
            capture_output=True, text=True, timeout=120, check=False,
        )
        wrong = subprocess.run(
            [sys.executable, "-m", "norepi_gui", "monitor-sim", "--to", f"127.0.0.1:{port}", "--bed", "ICU^12^B",
             "--count", "1", "--speed", "0"],
            capture_output=True, text=True, timeout=120, check=False,
        )
        out, err = listen.communicate(timeout=60)
    finally:
        listen.kill()
    assert sim.returncode == 0 and wrong.returncode == 0 and listen.returncode == 0, (sim.stderr, wrong.stderr, err)
    sent = [json.loads(line) for line in sim.stdout.splitlines()]
    heard = [json.loads(line) for line in out.splitlines()]
    assert [s["ack"] for s in sent] == ["AA", "AA"]
    assert [h["ack"] for h in heard] == ["AA", "AA", "AR"]
    assert [h["values"]["art_map"] for h in heard[:2]] == [round(s["values"]["art_map"]) for s in sent]
    assert heard[2]["reason"] == "wrong_bed"
    assert "-> AR wrong_bed" in wrong.stdout


@pytest.mark.parametrize("argv", [
    ["monitor-sim", "--to", "bad", "--bed", "ICU^1^A"],
    ["monitor-listen", "--port", "0", "--bed", "ICU^1^A", "--seconds", "0.01"],
])
def test_the_monitor_commands_import_no_qt(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from norepi_gui.cli import main\n"
        f"rc = main({argv!r})\n"
        f"print('QT' if any(m.split('.')[0] in {QT_MODULES!r} for m in sys.modules) else 'CLEAN')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "CLEAN"
