"""Benchmarks of OneStop on PostgreSQL (SPEC §10), run by hand or from the tests."""
