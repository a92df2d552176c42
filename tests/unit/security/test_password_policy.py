"""Passwords: long enough, not the user name, not on a common-password list."""

import pytest

from services.gateway.identity.domain.identity import InvalidUser, check_password


@pytest.mark.parametrize("weak", ["1234567890", "qwertyuiop", "password123", "1qaz2wsx3edc",
                                  "woaini1314520", "abc123456789", "88888888aa"])
def test_common_passwords_are_refused_in_chinese_and_english(weak):
    with pytest.raises(InvalidUser) as refused:
        check_password(weak, "patrol.a")
    assert refused.value.field == "password" and "太常见" in refused.value.message


@pytest.mark.parametrize("fine", ["correct horse battery", "patrol summer 2026",
                                  "Fuhuan-station-2026"])
def test_phrases_pass(fine):
    check_password(fine, "patrol.a")


def test_short_or_with_the_user_name():
    with pytest.raises(InvalidUser, match="10"):
        check_password("short", "patrol.a")
    with pytest.raises(InvalidUser, match="用户名"):
        check_password("my patrol.a phrase", "patrol.a")
