"""The JSON API under /api/v1/: one NinjaAPI, one router per app (OpenAPI at /api/v1/openapi.json)."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="govhall API",
    version="1.0.0",
    description="政务服务中心开放接口：服务事项目录、部门等。",
    urls_namespace="api-v1",
    docs_url="/docs",
)
