"""Shared fixtures: reference data loaded once per test database, users per role."""
