"""PCD-01 parsing: the values of a gateway's message, and every refusal with its reason and where it was found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from norepi_gui.monitor.builder import build_oru_r01
from norepi_gui.monitor.codes import Vital
from norepi_gui.monitor.pcd01 import (
    MAX_DELIMITERS,
    AckCode,
    Location,
    ObservationSet,
    Rejection,
    RejectReason,
    parse_pcd01,
    read_envelope,
)
from tests.monitor.messages import T0, pcd01


def parsed(payload: bytes, tz: timezone = UTC) -> ObservationSet:
    result = parse_pcd01(payload, local_tz=tz)
    assert isinstance(result, ObservationSet), result
    return result


def refused(payload: bytes) -> Rejection:
    result = parse_pcd01(payload, local_tz=UTC)
    assert isinstance(result, Rejection), result
    return result


def test_a_gateway_message_gives_its_arterial_pressures_heart_rate_bed_patient_and_times() -> None:
    obs = parsed(pcd01())
    # The template's OBX-5 values, OBX-14 2026-01-01 07:59:55 UTC, OBR-7 08:00:00 UTC.
    assert obs.value(Vital.ART_MAP) == 95.0
    assert obs.value(Vital.ART_SBP) == 112.0
    assert obs.value(Vital.ART_DBP) == 76.0
    assert obs.value(Vital.HR) == 80.0
    assert obs.value(Vital.PULSE) == 81.0
    art_map = obs.get(Vital.ART_MAP)
    assert art_map is not None
    assert art_map.at == datetime(2026, 1, 1, 7, 59, 55, tzinfo=UTC)
    assert (art_map.unit, art_map.sub_id, art_map.status) == ("mmHg", "1.13.1.3", "R")
    assert obs.observed_at == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    assert obs.location == Location("ICU", "12", "A")
    assert obs.patient_ids == ("HED12",)
    assert obs.header.control_id == "MSG00001"
    assert obs.header.profile == "PCD_DEC_001"
    # 5 structure rows (OBX-11 X) and the SpO2 row are skipped, not refused.
    assert obs.skipped == 5


def test_cuff_values_are_kept_apart_from_the_arterial_line() -> None:
    message = build_oru_r01(
        control_id="C1", sent_at=T0, observed_at=T0,
        values={Vital.NIBP_SBP: 120, Vital.NIBP_DBP: 70, Vital.NIBP_MAP: 87}, bed=Location("ICU", "12", "A"),
    )
    obs = parsed(message)
    assert (obs.value(Vital.NIBP_MAP), obs.value(Vital.NIBP_SBP), obs.value(Vital.NIBP_DBP)) == (87.0, 120.0, 70.0)
    assert obs.value(Vital.ART_MAP) is None


def test_the_builder_writes_the_pcd01_header_and_containment_tree() -> None:
    text = build_oru_r01(
        control_id="X1", sent_at=T0, observed_at=T0, values={Vital.ART_MAP: 65, Vital.HR: 90},
        bed=Location("ICU", "12", "A"), patient_id="P7",
    ).decode()
    segments = text.split("\r")
    assert segments[0].startswith("MSH|^~\\&|NOREPI-SIM^0000000000000001^EUI-64|")
    assert segments[0].endswith("|PCD_DEC_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO")
    assert "|ORU^R01^ORU_R01|X1|P|2.6|" in segments[0]
    assert segments[1] == "PID|||P7^^^HOSP^MR"
    assert segments[2] == "PV1||I|ICU^12^A"
    assert segments[3] == "OBR|1|X1^NOREPI-SIM|X1^NOREPI-SIM|182777000^monitoring of patient^SCT|||20260101080000+0000"
    assert segments[4] == "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X"
    # Rows: 1 monitor, 2 ECG VMD, 3 ECG channel, 4 heart rate, 5 pressure VMD, 6 arterial channel, 7 the mean.
    assert (
        "OBX|7|NM|150035^MDC_PRESS_BLD_ART_MEAN^MDC|1.13.1.3|65|266016^MDC_DIM_MMHG^MDC|||||R|||20260101080000+0000"
        in segments
    )


def test_obx14_is_the_time_and_obr7_stands_in_when_it_is_empty() -> None:
    obs = parsed(pcd01(obx_time=""))
    art_map = obs.get(Vital.ART_MAP)
    assert art_map is not None and art_map.at == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def test_a_time_without_offset_is_the_monitors_local_time() -> None:
    # 08:00 at UTC+02:00 is 06:00 UTC.
    obs = parsed(pcd01(obx_time="20260101080000", obr_time="20260101080000"), tz=timezone(timedelta(hours=2)))
    art_map = obs.get(Vital.ART_MAP)
    assert art_map is not None and art_map.at == datetime(2026, 1, 1, 6, 0, tzinfo=UTC)


def test_a_time_with_an_offset_is_converted_to_utc() -> None:
    # 09:30:15.5 at -0130 is 11:00:15.5 UTC.
    obs = parsed(pcd01(obx_time="20260101093015.5-0130"))
    art_map = obs.get(Vital.ART_MAP)
    assert art_map is not None and art_map.at == datetime(2026, 1, 1, 11, 0, 15, 500000, tzinfo=UTC)


def test_rows_without_a_value_are_skipped_and_the_message_is_still_accepted() -> None:
    # An arterial line not connected: its rows carry OBX-11 X and no value; heart rate still comes.
    text = pcd01().decode()
    for code in ("150033", "150034", "150035", "149522"):
        head, tail = text.split(f"|{code}^", 1)
        row, rest = tail.split("\r", 1)
        fields = row.split("|")
        fields[2] = ""  # OBX-5
        fields[8] = "X"  # OBX-11
        text = head + f"|{code}^" + "|".join(fields) + "\r" + rest
    obs = parsed(text.encode())
    assert obs.value(Vital.ART_MAP) is None
    assert obs.value(Vital.HR) == 80.0


def test_a_second_mean_pressure_row_is_skipped_with_a_note() -> None:
    text = pcd01().decode().replace(
        "OBX|10|",
        "OBX|10|NM|150035^MDC_PRESS_BLD_ART_MEAN^MDC|1.13.2.3|40|266016^MDC_DIM_MMHG^MDC|||||R\rOBX|11|",
    )
    obs = parsed(text.encode())
    assert obs.value(Vital.ART_MAP) == 95.0
    assert obs.notes == ("OBX^10: a second MDC_PRESS_BLD_ART_MEAN was skipped (the first one is used)",)


def test_segments_ended_by_line_feeds_are_read() -> None:
    assert parsed(pcd01().replace(b"\r", b"\r\n")).value(Vital.ART_MAP) == 95.0
    assert parsed(pcd01().replace(b"\r", b"\n")).value(Vital.ART_MAP) == 95.0


def test_latin1_bytes_are_read() -> None:
    obs = parsed(pcd01().replace(b"DOE^JANE", "MÜLLER^JÖRG".encode("latin-1")))
    assert obs.value(Vital.ART_MAP) == 95.0


@pytest.mark.parametrize(
    ("fields", "reason", "ack", "location", "detail"),
    [
        ({"type": "ADT^A01^ADT_A01"}, RejectReason.NOT_ORU_R01, AckCode.REJECT, "MSH^1^9", "ADT is not ORU"),
        ({"type": "ORU^R30^ORU_R30"}, RejectReason.NOT_ORU_R01, AckCode.REJECT, "MSH^1^9", "R30 is not R01"),
        ({"control_id": ""}, RejectReason.MALFORMED, AckCode.REJECT, "MSH^1^10", "MSH-10"),
        ({"map_unit": "268768^MDC_DIM_KILO_PASCAL^MDC"}, RejectReason.WRONG_UNIT, AckCode.ERROR, "OBX^8^6",
         "MDC_PRESS_BLD_ART_MEAN in 268768^MDC_DIM_KILO_PASCAL; accepted: 266016^MDC_DIM_MMHG"),
        ({"map_unit": ""}, RejectReason.WRONG_UNIT, AckCode.ERROR, "OBX^8^6", "in no unit"),
        ({"map": "6S"}, RejectReason.BAD_VALUE, AckCode.ERROR, "OBX^8^5", "'6S' is not a number"),
        ({"map": "nan"}, RejectReason.BAD_VALUE, AckCode.ERROR, "OBX^8^5", "not a number"),
        ({"map": "1e2"}, RejectReason.BAD_VALUE, AckCode.ERROR, "OBX^8^5", "not a number"),
        ({"map": "900"}, RejectReason.BAD_VALUE, AckCode.ERROR, "OBX^8^5", "not a measurement (accepted: -50 to 500)"),
        ({"hr": "-1"}, RejectReason.BAD_VALUE, AckCode.ERROR, "OBX^3^5", "not a measurement (accepted: 0 to 400)"),
        ({"obx_time": "", "obr_time": ""}, RejectReason.BAD_TIME, AckCode.ERROR, "OBX^3^14", "no time in OBX-14"),
        ({"obx_time": "20260101"}, RejectReason.BAD_TIME, AckCode.ERROR, "OBX^3^14", "is not a time"),
        ({"obx_time": "202601011261"}, RejectReason.BAD_TIME, AckCode.ERROR, "OBX^3^14", "not a valid date"),
        ({"obx_time": "20260101080000+2500"}, RejectReason.BAD_TIME, AckCode.ERROR, "OBX^3^14", "impossible UTC"),
        ({"obr_time": "yesterday"}, RejectReason.BAD_TIME, AckCode.ERROR, "OBR^1^7", "is not a time"),
    ],
)
def test_each_fault_refuses_the_whole_message_naming_the_reason_and_place(
    fields: dict[str, str], reason: RejectReason, ack: AckCode, location: str, detail: str
) -> None:
    rejection = refused(pcd01(**fields))
    assert rejection.reason is reason
    assert rejection.ack_code is ack
    assert rejection.location == location
    assert detail in rejection.detail
    if fields.get("control_id") != "":
        assert rejection.header is not None and rejection.header.control_id == "MSG00001"


def test_a_message_with_none_of_our_codes_is_an_unknown_code_error() -> None:
    text = "\r".join(s for s in pcd01().decode().split("\r") if not s.startswith("OBX|") or "SAT_O2" in s)
    rejection = refused(text.encode())
    assert (rejection.reason, rejection.ack_code) == (RejectReason.UNKNOWN_CODE, AckCode.ERROR)
    assert rejection.error_code == 103
    assert "among 1 OBX rows" in rejection.detail


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (b"", "does not start with an MSH"),
        (b"hello world", "does not start with an MSH"),
        (b"PID|||1\rMSH|^~\\&|", "does not start with an MSH"),
        (b"MSH|#~\\&|A|B", "must start with 'MSH|^~\\\\&|'"),
        (b"MSH^~\\&|A", "must start with"),
    ],
)
def test_bytes_that_are_not_a_pcd01_message_are_malformed_and_rejected(payload: bytes, detail: str) -> None:
    rejection = refused(payload)
    assert (rejection.reason, rejection.ack_code) == (RejectReason.MALFORMED, AckCode.REJECT)
    assert detail in rejection.detail


def test_a_message_with_too_many_delimiters_is_refused_before_parsing_with_its_control_id() -> None:
    payload = pcd01() + b"NTE|" + b"^" * MAX_DELIMITERS
    rejection = refused(payload)
    assert rejection.reason is RejectReason.TOO_LARGE
    assert rejection.header is not None and rejection.header.control_id == "MSG00001"


def test_the_envelope_names_bed_and_patients_before_the_values_are_read() -> None:
    text = pcd01(patient="A1^^^H^MR~B2").decode()
    envelope = read_envelope(text.encode())
    assert not isinstance(envelope, Rejection)
    assert envelope.patient_ids == ("A1", "B2")
    assert envelope.location == Location("ICU", "12", "A")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_after_a_valid_header_never_raise(tail: bytes) -> None:
    result = parse_pcd01(b"MSH|^~\\&|A|B|||20260101||ORU^R01|1|P|2.6\r" + tail, local_tz=UTC)
    assert isinstance(result, ObservationSet | Rejection)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["|", "^", "~", "&", "\\", "\r", "OBX", "PID", "PV1", "150035", "266016", "MDC",
                                 "NM", "R", "X", "65", "2026010108", "00", "+0000", "."]), max_size=80))
def test_hl7_shaped_noise_never_raises(parts: list[str]) -> None:
    payload = ("MSH|^~\\&|A|B|||20260101||ORU^R01|1|P|2.6\r" + "".join(parts)).encode()
    assert isinstance(parse_pcd01(payload, local_tz=UTC), ObservationSet | Rejection)
