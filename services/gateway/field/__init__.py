"""The field pages: phone map API, visits, cases, fix tasks, inbox, ledger import.

May read every other room (ADR 0407)."""
