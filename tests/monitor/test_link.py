"""The bed/patient link: a message for another bed or patient is refused (the feature's first hazard)."""

from __future__ import annotations

from datetime import UTC

import pytest

from norepi_gui.core.errors import InputError
from norepi_gui.monitor.link import MonitorLink, check_link
from norepi_gui.monitor.pcd01 import AckCode, Location, ObservationSet, RejectReason, parse_pcd01
from tests.monitor.messages import pcd01


def obs(**fields: str) -> ObservationSet:
    result = parse_pcd01(pcd01(**fields), local_tz=UTC)
    assert isinstance(result, ObservationSet)
    return result


def test_the_linked_bed_matches_ignoring_case_and_outer_spaces() -> None:
    assert check_link(obs(bed="icu ^ 12 ^a"), MonitorLink(bed="ICU^12^A")) is None


@pytest.mark.parametrize("bed", ["ICU^12^B", "ICU^13^A", "CCU^12^A", "ICU^12", "ICU^12^A1"])
def test_another_bed_is_rejected_as_wrong_bed(bed: str) -> None:
    rejection = check_link(obs(bed=bed), MonitorLink(bed="ICU^12^A"))
    assert rejection is not None
    assert (rejection.reason, rejection.ack_code, rejection.location) == (
        RejectReason.WRONG_BED, AckCode.REJECT, "PV1^1^3")
    assert rejection.error_code == 204  # Unknown key identifier


def test_a_message_without_a_location_is_refused_when_linked_by_bed() -> None:
    rejection = check_link(obs(bed=""), MonitorLink(bed="ICU^12^A"))
    assert rejection is not None and rejection.reason is RejectReason.WRONG_BED
    assert "no location in PV1-3" in rejection.detail


def test_the_patient_identifier_may_be_any_repetition_of_pid3() -> None:
    assert check_link(obs(patient="MRN1^^^H^MR~HED12^^^H^PI"), MonitorLink(patient_id="HED12")) is None


def test_another_patient_is_rejected_even_in_the_linked_bed() -> None:
    rejection = check_link(obs(patient="OTHER1"), MonitorLink(bed="ICU^12^A", patient_id="HED12"))
    assert rejection is not None and rejection.reason is RejectReason.WRONG_PATIENT
    assert rejection.ack_code is AckCode.REJECT


def test_with_bed_and_patient_both_must_match() -> None:
    link = MonitorLink(bed="ICU^12^A", patient_id="HED12")
    assert check_link(obs(), link) is None
    rejection = check_link(obs(bed="ICU^12^B"), link)
    assert rejection is not None and rejection.reason is RejectReason.WRONG_BED


def test_a_session_linked_to_nothing_accepts_nothing() -> None:
    rejection = check_link(obs(), MonitorLink())
    assert rejection is not None and rejection.reason is RejectReason.NOT_LINKED


@pytest.mark.parametrize("bad", ["ICU|12", "ICU^12^A^X", "A~B", "x" * 65, "ICU\r12"])
def test_a_link_that_cannot_be_matched_safely_is_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(InputError, match="monitor.link.bed"):
        MonitorLink(bed=bad)


def test_the_link_describes_itself_and_parses_its_bed() -> None:
    link = MonitorLink(bed=" ICU^12^A ", patient_id=" HED12 ")
    assert link.location == Location("ICU", "12", "A")
    assert link.describe() == "bed ICU^12^A and patient HED12"
    assert MonitorLink(bed="^^").location is None and not MonitorLink(bed="^^").linked
