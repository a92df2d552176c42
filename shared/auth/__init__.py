"""Identities, roles and scope, verified the same way by every service."""

from shared.auth.principal import Principal, Role
from shared.auth.tokens import AuthError, TokenKeys

__all__ = ["AuthError", "Principal", "Role", "TokenKeys"]
