from tests.conftest_data import catalog  # noqa: F401  (fixture)
