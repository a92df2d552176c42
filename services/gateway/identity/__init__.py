"""Identity: users, sessions, tokens and background checks.

Imports no other room (ADR 0407)."""
