from tests.conftest_data import _shared_catalog, catalog  # noqa: F401  (fixtures)
