"""Test fixtures shared by every service's tests (real broker, real databases)."""
