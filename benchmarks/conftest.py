"""Benchmarks (pytest-benchmark): measured, never asserted on time. Run with ``make bench``.

Volumes are set by ``PACTES_BENCH_DOSSIERS`` (default 2 000; the national scale to come is 20 000). The bulk data is
written with ``bulk_create`` for speed: benchmarks measure reads, the services that write are covered by the tests.
"""

import pytest

from pactes.territories.testing import load_reference_data


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()
