"""The read model: events projected into tables, the overlay, privacy cells, map views
and the rebuild.

Imports no other room (ADR 0407)."""
