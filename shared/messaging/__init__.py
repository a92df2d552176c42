"""Messaging: transactional outbox, relay, idempotent consumer with dead letters."""
