from tests.api.cases_support import world_fixture  # noqa: F401  (fixture)
