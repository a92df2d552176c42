"""Masking helpers and log redaction."""

import logging

import pytest

from shared.privacy import (
    RedactingFilter,
    coarse_location,
    install_redaction,
    mask_id_number,
    mask_name,
    mask_phone,
    redact,
)

ID_NUMBER = "50011020160501123X"


def test_masks_keep_only_what_identifies_nobody():
    assert mask_id_number(ID_NUMBER) == "500110************"
    assert mask_phone("138-1234-5678") == "138****5678"
    assert mask_name("王小明") == "王**" and mask_name("王") == "王*"
    assert mask_id_number(None) is None and mask_phone("") == ""
    assert coarse_location(106.65432, 28.95678) == (106.65, 28.96)


def test_a_mask_with_the_birth_date_beside_it_leaves_hundreds_of_numbers():
    """The attack of issue 13: region from the mask, birth date from the record, then
    try every sequence; the check character no longer narrows it to one."""
    from services.registry.domain.identity import check_character

    mask, born = mask_id_number(ID_NUMBER), "20160501"
    assert mask is not None and born not in mask and ID_NUMBER[-4:] not in mask
    candidates = {f"{mask[:6]}{born}{seq:03d}" for seq in range(1000)}
    numbers = {c + check_character(c) for c in candidates}
    assert len(numbers) == 1000  # every sequence stays possible


@pytest.mark.parametrize("text,expected", [
    (f"duplicate id {ID_NUMBER} in row 3", "duplicate id [ID-NUMBER] in row 3"),
    ("call 13812345678 or +86 138 1234 5678", "call [PHONE] or [PHONE]"),
    ("office 023-48612345", "office [PHONE]"),
    ("child 3f2a9c1e-0000-4000-8000-123456789012 at 2026-07-01T10:00:00",
     "child 3f2a9c1e-0000-4000-8000-123456789012 at 2026-07-01T10:00:00"),
    ("village 500110120201 offset 12345", "village 500110120201 offset 12345"),
])
def test_redact_replaces_personal_numbers_and_keeps_ids(text, expected):
    assert redact(text) == expected


def test_filter_redacts_arguments_and_tracebacks(caplog):
    logger = logging.getLogger("shouhu.test.redact")
    handler_filter = RedactingFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        try:
            raise ValueError(f"bad id {ID_NUMBER}")
        except ValueError:
            logger.exception("import failed for %s, phone %s", ID_NUMBER, "13812345678")
    finally:
        caplog.handler.removeFilter(handler_filter)
    text = caplog.text
    assert ID_NUMBER not in text and "13812345678" not in text
    assert "[ID-NUMBER]" in text and "[PHONE]" in text


def test_installed_factory_redacts_every_logger(caplog):
    install_redaction()
    install_redaction()  # idempotent
    logging.getLogger("any.library").warning("guardian phone %s", "13987654321")
    assert "13987654321" not in caplog.text and "[PHONE]" in caplog.text
