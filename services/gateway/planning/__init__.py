"""Planning: roads, the patrol planner, plans and their files, the dashboard.

Reads identity and the read model (ADR 0407)."""
