from tests.api.cases_support import _shared_world_hall  # noqa: F401  (fixture)
from tests.conftest_data import _shared_catalog, catalog  # noqa: F401  (fixtures)
