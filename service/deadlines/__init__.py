"""Deadlines on the center's working calendar (SPEC §6)."""
