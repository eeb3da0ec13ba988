"""The JSON API under /api/v1/: one NinjaAPI, one router per app (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError

from govhall.catalog.api import router as catalog_router
from govhall.org.api import router as org_router

api = NinjaAPI(
    title="govhall API",
    version="1.0.0",
    description=(
        "政务服务中心开放接口：服务事项目录（办事指南）、部门等。"
        "只返回已发布的事项；错误信息为中文，参数错误返回 422。"
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    # The hall's intranet has no Internet: swagger-ui's default validator badge would call validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None, "defaultModelsExpandDepth": 0}),
)


def _expected(ctx: dict[str, Any]) -> str:
    # pydantic says "'01', '02' or '20'"; the message should list them the Chinese way.
    text = str(ctx.get("expected", "")).replace(" or ", ", ").replace("'", "")
    return "、".join(part.strip() for part in text.split(",") if part.strip())


def _constraint_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": "缺少必填参数。",
        "int_parsing": "应为整数。",
        "int_type": "应为整数。",
        "int_from_float": "应为整数。",
        "float_parsing": "应为数字。",
        "bool_parsing": "应为布尔值（true 或 false）。",
        "string_type": "应为字符串。",
        "string_too_long": f"长度不能超过{ctx.get('max_length')}个字符。",
        "string_too_short": f"长度不能少于{ctx.get('min_length')}个字符。",
        "greater_than_equal": f"不能小于{ctx.get('ge')}。",
        "greater_than": f"应大于{ctx.get('gt')}。",
        "less_than_equal": f"不能大于{ctx.get('le')}。",
        "less_than": f"应小于{ctx.get('lt')}。",
        "enum": f"取值无效，可选值：{_expected(ctx)}。",
        "literal_error": f"取值无效，可选值：{_expected(ctx)}。",
        "json_invalid": "请求体不是有效的 JSON。",
        "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）。",
        "date_parsing": "应为日期（YYYY-MM-DD）。",
        "datetime_parsing": "应为日期时间（ISO 8601）。",
    }
    return messages.get(kind, "参数值无效。")


_SOURCES = {"query": "查询参数", "path": "路径参数", "body": "请求体", "form": "表单字段", "header": "请求头"}


def chinese_validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's error list with each ``msg`` in Chinese; ``type``, ``loc`` and ``ctx`` stay for programs."""
    result = []
    for error in errors:
        loc = list(error.get("loc", ()))
        source = _SOURCES.get(str(loc[0]), "参数") if loc else "参数"
        name = ".".join(str(part) for part in loc[1:]) or source
        translated = {k: v for k, v in error.items() if k != "url"}
        translated["msg"] = f"{source} {name}：{_constraint_message(error)}"
        result.append(translated)
    return result


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": chinese_validation_errors(exc.errors)}, status=422)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "未找到请求的资源"}, status=404)


api.add_router("/", catalog_router)
api.add_router("/", org_router)
