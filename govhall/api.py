"""The JSON API under /api/v1/: one NinjaAPI, one router per app (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from govhall.cases.actions import OutOfProcedure, TaskConflict
from govhall.cases.api import router as cases_router
from govhall.cases.bundle_api import router as bundles_router
from govhall.cases.schemas import field_label
from govhall.catalog.api import router as catalog_router
from govhall.catalog.department_api import router as org_router
from govhall.core.throttle import Throttled
from govhall.core.tokens import TokenRefused
from govhall.disclosure.api import router as disclosure_router
from govhall.hotline.api import router as hotline_router
from govhall.integrity.api import router as integrity_router
from govhall.integrity.api import staff_router as integrity_staff_router
from govhall.stats.api import router as stats_router

api = NinjaAPI(
    title="govhall API",
    version="1.0.0",
    description=(
        "政务服务中心开放接口：服务事项目录（办事指南）、部门、办件办理和公开的进度查询。"
        "只返回已发布的事项；错误信息为中文，参数错误返回 422。"
        "办件接口需要认证：接口令牌（请求头 Authorization: Bearer <令牌>，由中心管理员在管理后台或用"
        "manage.py api_token 签发），或浏览器登录会话（POST 等写操作须带 CSRF 令牌）；"
        "HTTP Basic（用户名和密码）仍可使用但已不推荐：每次请求都要校验密码，速度慢，且密码错误计入锁定。"
        "未认证、令牌无效、已吊销或已过期返回 401，无权操作返回 403，"
        "流程不允许的操作和并发冲突返回 409。"
        "请求体不是有效的 JSON 或请求中含有空字符（NUL）返回 400，地址过长返回 414，"
        "查询码或密码错误次数过多返回 429（响应头 Retry-After 为需等待的秒数）。"
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
        "datetime_from_date_parsing": "应为日期时间（ISO 8601）。",
        "datetime_type": "应为日期时间（ISO 8601）。",
        "too_short": f"至少需要{ctx.get('min_length')}项。",
        "too_long": f"最多{ctx.get('max_length')}项。",
        "dict_type": "应为键值对（JSON 对象）。",
        "list_type": "应为列表。",
    }
    return messages.get(kind, "参数值无效。")


_SOURCES = {"query": "查询参数", "path": "路径参数", "body": "请求体", "form": "表单字段", "header": "请求头"}


def chinese_validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's error list with each ``msg`` in Chinese; ``type``, ``loc`` and ``ctx`` stay for programs."""
    result = []
    for error in errors:
        loc = list(error.get("loc", ()))
        source = _SOURCES.get(str(loc[0]), "参数") if loc else "参数"
        # A JSON body comes in as one schema parameter named `payload`: its name is not part of the field's.
        path = loc[2:] if len(loc) > 2 and loc[0] == "body" and loc[1] == "payload" else loc[1:]
        name = ".".join(str(part) for part in path) or source
        translated = {k: v for k, v in error.items() if k != "url"}
        translated["msg"] = f"{source} {name}：{_constraint_message(error)}"
        result.append(translated)
    return result


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": chinese_validation_errors(exc.errors)}, status=422)


def _loc(field: str) -> list[str | int]:
    return [int(part) if part.isdigit() else part for part in field.split(".")]


def django_validation_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    """An action's ValidationError as the same list shape as ninja's: each message in Chinese, led by the field's
    Chinese name where the error concerns a field."""
    result: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            named = field != NON_FIELD_ERRORS
            for error in errors:
                for message in error.messages:
                    result.append(
                        {
                            "field": field if named else None,
                            "loc": _loc(field) if named else [],
                            "msg": f"{field_label(field)}：{message}" if named else message,
                            "type": error.code or "invalid",
                        }
                    )
    else:
        for error in exc.error_list:
            for message in error.messages:
                result.append({"field": None, "loc": [], "msg": message, "type": error.code or "invalid"})
    return result


@api.exception_handler(DjangoValidationError)
def django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": django_validation_errors(exc)}, status=422)


@api.exception_handler(OutOfProcedure)
def out_of_procedure(request: HttpRequest, exc: OutOfProcedure) -> HttpResponse:
    # Already recorded for supervision by the action (OutOfProcedureAttempt and the audit chain).
    body = {"detail": "；".join(exc.messages), "code": "out_of_procedure"}
    return api.create_response(request, body, status=409)


@api.exception_handler(TaskConflict)
def task_conflict(request: HttpRequest, exc: TaskConflict) -> HttpResponse:
    return api.create_response(request, {"detail": "；".join(exc.messages), "code": "conflict"}, status=409)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "无权执行该操作"}, status=403)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = f"（上限约 {limit / (1024 * 1024):.1f} MB）" if limit else ""
    return api.create_response(request, {"detail": f"请求体过大{size}，请压缩或分次上传材料"}, status=413)


# The API token comes first: it is how systems are meant to call the API; the old wording (still contained) named only
# the session and HTTP Basic.
UNAUTHENTICATED = (
    "请使用接口令牌（Authorization: Bearer …）、登录会话或 HTTP Basic 认证。"
    "未登录或用户名、密码不正确：请先登录，或使用 HTTP Basic 认证"
)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": UNAUTHENTICATED}, status=401)
    response["WWW-Authenticate"] = 'Basic realm="govhall", charset="UTF-8", Bearer realm="govhall"'
    return response


@api.exception_handler(TokenRefused)
def token_refused(request: HttpRequest, exc: TokenRefused) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="govhall", error="invalid_token"'
    return response


BAD_JSON = "请求体不是有效的 JSON，请检查格式（UTF-8 编码的 JSON 对象）"


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    # ninja's own words for a body it cannot parse; everything else raised here is already Chinese.
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = BAD_JSON
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "未找到请求的资源"}, status=404)


api.add_router("/", catalog_router)
api.add_router("/", org_router)
api.add_router("/", cases_router)
api.add_router("/", bundles_router)
api.add_router("/", stats_router)
api.add_router("/", hotline_router)
api.add_router("/", disclosure_router)
api.add_router("/", integrity_router)
api.add_router("/", integrity_staff_router)
