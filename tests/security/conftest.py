from tests.api.cases_support import _shared_world_hall, world_fixture  # noqa: F401  (fixtures)
