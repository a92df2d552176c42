"""Request and response schemas of the identity API (they make its OpenAPI)."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from services.gateway.identity.domain.identity import CheckStatus, User, valid_background_check
from shared.access import EXPORTS
from shared.auth.approvals import MAX_APPROVED_ROWS
from shared.auth.principal import Role
from shared.clock import township_today

ROLES = [r.value for r in Role]
CODE9 = validate.Regexp(r"^\d{9}$")
CODE12 = validate.Regexp(r"^\d{12}$")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class LoginIn(_Strict):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, validate=validate.Length(1, 200),
                             load_only=True)


class LoginForm(Schema):
    """The sign-in page's form (browsers); answered with cookies and a redirect."""

    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)
    csrf_token = fields.String(required=True)
    next = fields.String(metadata={"description": "a local path to go on to"})


class RefreshIn(_Strict):
    refresh_token = fields.String(validate=validate.Length(1, 200))


class CheckStatusOut(Schema):
    valid = fields.Boolean()
    reason = fields.String()
    valid_until = fields.Date(allow_none=True)


class UserOut(Schema):
    user_id = fields.String()
    username = fields.String()
    role = fields.String()
    township_code = fields.String()
    village_codes = fields.List(fields.String())
    unit = fields.String()
    active = fields.Boolean()
    background_check = fields.Nested(CheckStatusOut)


class TokenOut(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    user = fields.Nested(UserOut)


class UserIn(_Strict):
    username = fields.String(required=True, validate=validate.Length(3, 64))
    password = fields.String(required=True, validate=validate.Length(1, 200), load_only=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    township_code = fields.String(load_default="", validate=CODE9)
    village_codes = fields.List(fields.String(validate=CODE12), load_default=list)
    unit = fields.String(load_default="", validate=validate.Length(max=200), metadata={
        "description": "a school liaison's school, as children's records name it"})

    @post_load
    def _typed(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["role"] = Role(data["role"])
        data["village_codes"] = frozenset(data["village_codes"])
        return data


class UserPatch(_Strict):
    role = fields.String(validate=validate.OneOf(ROLES))
    village_codes = fields.List(fields.String(validate=CODE12))
    unit = fields.String(validate=validate.Length(max=200))
    active = fields.Boolean()
    password = fields.String(validate=validate.Length(1, 200), load_only=True)

    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("send at least one of role, village_codes, active, "
                                  "password", "_schema")

    @post_load
    def _typed(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "role" in data:
            data["role"] = Role(data["role"])
        if "village_codes" in data:
            data["village_codes"] = frozenset(data["village_codes"])
        return data


class CheckIn(_Strict):
    checked_on = fields.Date(required=True)
    result = fields.String(required=True, validate=validate.OneOf(["clear", "match"]))
    expires_on = fields.Date(load_default=None, allow_none=True)


def user_out(user: User, status: CheckStatus | None = None) -> dict[str, Any]:
    """A user as the API shows it: never the password hash or lockout counters."""
    return {"user_id": user.user_id, "username": user.username, "role": user.role.value,
            "township_code": user.township_code, "village_codes": sorted(user.village_codes),
            "unit": user.unit, "active": user.active,
            "background_check": status or valid_background_check(user, township_today())}


class ApprovalIn(_Strict):
    requester_id = fields.String(required=True, validate=validate.Length(1, 64))
    purpose = fields.String(required=True, validate=validate.Length(3, 200))
    max_rows = fields.Integer(required=True, validate=validate.Range(1, MAX_APPROVED_ROWS))
    export = fields.String(required=True, validate=validate.OneOf(EXPORTS),
                           metadata={"description": "the one export it covers"})


class ApprovalOut(Schema):
    approval = fields.String()
    expires_in = fields.Integer()
