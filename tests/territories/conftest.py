from tests.territories.fixtures import reference_data_once, territories  # noqa: F401
