"""Acknowledgements: AA for an accepted message, AE/AR with the reason in MSA-3 and ERR, read back with python-hl7."""

from __future__ import annotations

from datetime import UTC, datetime

import hl7

from norepi_gui.monitor.ack import build_ack
from norepi_gui.monitor.pcd01 import MessageHeader, Rejection, RejectReason, parse_pcd01
from tests.monitor.messages import T0, ack_fields, pcd01

NOW = datetime(2026, 1, 1, 8, 0, 7, tzinfo=UTC)


def test_an_accepted_message_gets_aa_echoing_its_control_id_from_the_receiver() -> None:
    reply = build_ack(parse_pcd01(pcd01(), local_tz=UTC), now=NOW, ack_id="NG1")
    fields = ack_fields(reply)
    assert (fields["msa1"], fields["msa2"], fields["msh9"]) == ("AA", "MSG00001", "ACK^R01^ACK")
    assert fields["err3"] == ""
    msg = hl7.parse(reply.decode())
    assert str(msg.extract_field("MSH", 1, 3, 1, 1)) == "norepi-gui"
    # The sender's application (MSH-3) and facility (MSH-4) are the acknowledgement's receiver (MSH-5, MSH-6).
    assert str(msg.extract_field("MSH", 1, 5, 1, 1)) == "VSP"
    assert str(msg.extract_field("MSH", 1, 5, 1, 2)) == "080019FFFE134535"
    assert str(msg.extract_field("MSH", 1, 6, 1, 1)) == "GE Healthcare"
    assert str(msg.extract_field("MSH", 1, 7, 1, 1)) == "20260101080007+0000"  # the injected time
    assert str(msg.extract_field("MSH", 1, 10, 1, 1)) == "NG1"
    assert str(msg.extract_field("MSH", 1, 12, 1, 1)) == "2.6"
    assert reply.endswith(b"\r")


def test_a_wrong_unit_gets_ae_with_the_reason_the_table_0357_code_and_the_place() -> None:
    reply = build_ack(parse_pcd01(pcd01(map_unit="268768^MDC_DIM_KILO_PASCAL^MDC"), local_tz=UTC), now=NOW,
                      ack_id="NG2")
    fields = ack_fields(reply)
    assert (fields["msa1"], fields["msa2"]) == ("AE", "MSG00001")
    assert fields["msa3"].startswith("wrong_unit: MDC_PRESS_BLD_ART_MEAN in 268768^MDC_DIM_KILO_PASCAL")
    assert len(fields["msa3"]) <= 80
    assert fields["err3"] == "103"  # Table value not found
    assert fields["err2"] == "OBX^8^6"
    msg = hl7.parse(reply.decode())
    assert str(msg.extract_field("ERR", 1, 4, 1, 1)) == "E"
    assert str(msg.extract_field("ERR", 1, 5, 1, 1)) == "wrong_unit"
    assert str(msg.extract_field("ERR", 1, 8, 1, 1)).endswith("accepted: 266016^MDC_DIM_MMHG")


def test_a_message_not_for_this_application_gets_ar_200() -> None:
    fields = ack_fields(build_ack(parse_pcd01(pcd01(type="ADT^A01"), local_tz=UTC), now=NOW, ack_id="NG3"))
    assert (fields["msa1"], fields["msa2"], fields["err3"], fields["msh9"]) == ("AR", "MSG00001", "200",
                                                                               "ACK^A01^ACK")


def test_garbage_gets_an_ar_that_still_parses_with_an_empty_control_id() -> None:
    fields = ack_fields(build_ack(parse_pcd01(b"\x00\xffGET / HTTP/1.1", local_tz=UTC), now=NOW, ack_id="NG4"))
    assert (fields["msa1"], fields["msa2"], fields["err3"], fields["msh9"]) == ("AR", "", "100", "ACK^R01^ACK")


def test_delimiters_and_control_characters_in_the_reason_are_escaped_not_breaking_the_ack() -> None:
    rejection = Rejection(RejectReason.WRONG_BED, "bed A|B^C~D\\E&F\x07 é", MessageHeader(control_id="X|Y"),
                          "PV1^1^3")
    reply = build_ack(rejection, now=T0, ack_id="NG5")
    assert reply.count(b"\r") == 3  # MSH, MSA, ERR: nothing in the text started a segment
    msg = hl7.parse(reply.decode())
    assert msg.unescape(str(msg.segment("MSA")[2])) == "X|Y"
    assert msg.unescape(str(msg.segment("ERR")[8])) == "bed A|B^C~D\\E&F? é"
    assert str(msg.extract_field("MSA", 1, 1, 1, 1)) == "AR"
