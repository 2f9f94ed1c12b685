"""``calc`` and ``advise`` driven with generated garbage in every option and every CSV column: never a traceback.

Each run exits 0, 2 (bad input) or 3 (a dose above the hard limit); an exit 2 or 3 prints exactly one line on
stderr, an exit 0 prints nothing there; with ``--json`` whatever is printed on stdout is strict JSON (no NaN or
infinity), and an exit 0 always prints it. The CLI runs in this process (``norepi_gui.cli.main``), its output caught.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from norepi_gui.cli import main
from norepi_gui.cli.advise import COLUMNS

TRICKY = [
    "", " ", "0", "-0", "-1", "1e25", "1e307", "1e308", "1e400", "1e-320", "nan", "NaN", "inf", "-inf", "1,5", "0,1",
    "70", "70 kg", "154 lb", "3.5 kg", "0 kg", "16", "16 mcg/mL", "16 mg/mL", "4 mg/250 mL", "4 mg in 0 mL",
    "0.1", "0.1 mcg/kg/min", "7 mcg/min", "0.1 mcg/min", "26.3 mL/h", "0.1 mL/h", "1e300 mL/h", "250 mL", "1e308 L",
    "((", "mcg/", "kg**kg", "\x00", "é", "１２", "٣", "9999-12-31T23:59:00Z", "0001-01-01T00:00:00Z",
    "2026-01-01T08:00:00Z", "2026-01-01T08:00:00+14:00", "1e300", "10", "15", "60", "13", "central", "io",
    "peripheral", "arterial", "base", "bitartrate", "chloride", "adult", "pediatric", "per_kg", "flat", "yes", "maybe",
    "--json", "-5", "7" * 250,
]
garbage = st.one_of(st.sampled_from(TRICKY), st.text(max_size=24), st.floats().map(repr), st.integers().map(str))

CALC_VALID = {"--weight": "70 kg", "--concentration": "16 mcg/mL", "--dose": "0.1 mcg/kg/min"}
CALC_OPTIONS = ["--weight", "--concentration", "--dose", "--rate", "--rate-basis", "--line", "--population", "--salt",
                "--drop-factor", "--bag-volume", "--current-dose", "--protocol"]
ADVISE_VALID = {"--weight": "70 kg", "--concentration": "16 mcg/mL"}
ADVISE_OPTIONS = ["--weight", "--concentration", "--salt", "--line", "--population", "--now", "--target",
                  "--line-hours", "--age", "--baseline-sbp", "--fluids-ml-kg", "--bag-volume-left", "--protocol"]
ADVISE_FLAGS = ["--chronic-hypertension", "--cardiac-dysfunction", "--ards", "--intra-abdominal-hypertension"]
GOOD_CELLS = {"time": ["0", "5", "10", "2026-01-01T08:00:00Z"], "map": ["70", "58", "110", "40"],
              "ne_dose_mcg_kg_min": ["0", "0.1", "0.3", "1e25"]}


@st.composite
def options(draw: st.DrawFn, valid: dict[str, str], names: list[str], flags: list[str]) -> list[str]:
    """Each option kept valid, left out, or given garbage; flags on or off; --json or not."""
    argv: list[str] = []
    for name in names:
        choice = draw(st.sampled_from(["valid", "omit", "garbage"]))
        if choice == "garbage":
            argv += [name, draw(garbage)]
        elif choice == "valid" and name in valid:
            argv += [name, valid[name]]
    argv += [flag for flag in flags if draw(st.booleans())]
    if draw(st.booleans()):
        argv.append("--json")
    return argv


@st.composite
def readings_files(draw: st.DrawFn) -> bytes:
    """A CSV: a header of known and garbage columns, rows of plausible and garbage cells; sometimes raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    header = draw(st.lists(st.sampled_from([*COLUMNS, *GOOD_CELLS]) | garbage, min_size=1, max_size=6))
    if draw(st.booleans()):
        header = ["time", "map", "ne_dose_mcg_kg_min", *header[:3]]
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        cells = [draw(st.sampled_from(GOOD_CELLS.get(column, ["1"])) | garbage) for column in header]
        rows.append(",".join(cells))
    return "\n".join([",".join(header), *rows]).encode("utf-8", "surrogatepass") + b"\n"


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _strict_json(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _check(argv: list[str], code: int, out: str, err: str) -> None:
    assert code in (0, 2, 3), (argv, code, err)
    if code == 0:
        assert err == "", (argv, err)
    else:
        assert len(err.splitlines()) == 1 and err.endswith("\n"), (argv, err)
    if "--json" in argv and (code == 0 or out):
        _strict_json(out)


GARBAGE_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@GARBAGE_SETTINGS
@given(options(CALC_VALID, CALC_OPTIONS, []))
def test_calc_answers_any_options_with_an_exit_code_and_one_line(argv: list[str]) -> None:
    full = ["calc", *argv]
    _check(full, *_run(full))


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("garbage") / "readings.csv"


@GARBAGE_SETTINGS
@given(data=readings_files(), argv=options(ADVISE_VALID, ADVISE_OPTIONS, ADVISE_FLAGS))
def test_advise_answers_any_file_and_options_with_an_exit_code_and_one_line(
    csv_path: Path, data: bytes, argv: list[str]
) -> None:
    csv_path.write_bytes(data)
    full = ["advise", "--readings", str(csv_path), *argv]
    _check(full, *_run(full))


def test_the_checks_themselves_can_fail() -> None:
    """The assertions above catch what they are meant to (a traceback-free run is not vacuous)."""
    with pytest.raises(AssertionError):
        _check(["calc"], 1, "", "boom\n")
    with pytest.raises(AssertionError):
        _check(["calc"], 2, "", "two\nlines\n")
    with pytest.raises(ValueError, match="not JSON"):
        _check(["calc", "--json"], 0, '{"rate": NaN}', "")


def test_line_breaks_in_a_name_or_a_value_stay_on_one_line(csv_path: Path) -> None:
    csv_path.write_text("time,map\x1eextra,ne_dose_mcg_kg_min\n0,70,0.1\n", encoding="utf-8")  # \x1e splits lines
    argv = ["advise", "--readings", str(csv_path), "--weight", "70", "--concentration", "16"]
    code, out, err = _run(argv)
    assert code == 2 and "unknown column" in err
    _check(argv, code, out, err)
    argv = ["calc", "--weight", "70", "--concentration", "16", "--dose", "0.1", "--protocol", "site\nprotocol.toml"]
    code, out, err = _run(argv)
    assert code == 2 and "site protocol.toml" in err
    _check(argv, code, out, err)
