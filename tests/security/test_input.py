"""Hostile input through the whole stack (Django test client): NUL bytes, path tricks and bidi characters in
filenames, unparseable JSON, over-long URLs, files left behind by rolled-back requests, and the error pages."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from govhall.cases.models import Case, CaseMaterial
from tests.api.cases_support import CANCEL, Api, World, application, basic, has_chinese


def _client(world: World | None = None, user: str | None = None) -> Client:
    client = Client(raise_request_exception=False)
    if world is not None and user is not None:
        client.force_login(world.hall[user])
    return client


def _post_case(world: World, body: Any, client: Client | None = None) -> Any:
    return (client or _client()).post(
        "/api/v1/cases",
        body if isinstance(body, str | bytes) else json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic("clerk"),
    )


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- NUL bytes --------------------------------------------------------------------------------------------------


def _nul_application(world: World, where: str) -> dict[str, Any]:
    body = application(world.item(CANCEL))
    if where == "name":
        body["applicant"]["name"] = "张\x00三"
    elif where == "form":
        body["form_data"] = {"reason": "歇\x00业"}
    else:
        body["materials"][0]["filename"] = "scan\x00.pdf"
    return body


@pytest.mark.parametrize("where", ["name", "form", "filename"])
def test_nul_in_json_body_is_a_chinese_400_and_writes_nothing(world: World, media: Path, where: str) -> None:
    response = _post_case(world, _nul_application(world, where))
    assert response.status_code == 400, response.content.decode()
    assert "空字符" in response.json()["detail"]
    assert not Case.objects.exists() and not _files(media)


@pytest.mark.parametrize(
    "path,user",
    [
        ("/api/v1/items?q=%00", None),
        ("/api/v1/progress?number=%00&check_code=123456", None),
        ("/verify/%00/", None),
        ("/workbench/cases/%00/", "clerk"),
        ("/items/?q=a%00b", None),
    ],
)
def test_nul_in_url_is_a_chinese_400(world: World, path: str, user: str | None) -> None:
    response = _client(world, user).get(path)
    assert response.status_code == 400, response.content.decode()
    assert "空字符" in response.content.decode()
    if path.startswith("/api/"):
        assert has_chinese(response.json()["detail"])


def test_nul_in_form_fields_urlencoded_and_multipart(world: World, media: Path) -> None:
    client = _client(world, "applicant")
    page = client.post("/progress/", {"number": "2026\x000302", "check_code": "123456"})
    assert page.status_code == 400 and "空字符" in page.content.decode()
    item = world.item(CANCEL)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    response = client.post(f"/apply/{item.impl_code}/", {"name": "张\x00三", "file": upload})
    assert response.status_code == 400 and "空字符" in response.content.decode()
    assert not Case.objects.exists() and not _files(media)


@pytest.mark.parametrize("content_type", ["application/octet-stream", "", "application/x-anything"])
@pytest.mark.parametrize(
    "body",
    [b'{"decision": "refuse", "reasons": "a\\u0000b"}', b'{"decision": "refuse", "reasons": "a\x00b"}'],
)
def test_nul_in_an_api_body_of_any_content_type_is_a_chinese_400(
    world: World, content_type: str, body: bytes
) -> None:
    # django-ninja parses the body as JSON whatever the Content-Type says, so the gate must not trust it.
    number = world.submit()
    before = world.case(number).status
    response = _client().generic(
        "POST",
        f"/api/v1/cases/{number}/intake",
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=basic("clerk"),
    )
    assert response.status_code == 400, response.content.decode()
    assert "空字符" in response.json()["detail"]
    assert world.case(number).status == before


@pytest.mark.parametrize(
    "reasons",
    [b"a\\ud800b", b"\\uDFFF", b"\\ude00\\ud83d", b"ok\\ud83d"],
    ids=["high", "low", "reversed", "end"],
)
def test_a_lone_surrogate_in_an_api_body_is_a_chinese_400(world: World, reasons: bytes) -> None:
    # JSON may escape half of a surrogate pair alone; no UTF-8 text (a column, the audit chain's hash) can hold it.
    number = world.submit()
    before = world.case(number).status
    response = _client().generic(
        "POST",
        f"/api/v1/cases/{number}/intake",
        b'{"decision": "refuse", "reasons": "' + reasons + b'"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=basic("clerk"),
    )
    assert response.status_code == 400, response.content.decode()
    assert "孤立代理项" in response.json()["detail"]
    assert world.case(number).status == before


def test_a_surrogate_pair_is_one_character_and_passes(world: World) -> None:
    number = world.submit()
    response = _client().generic(
        "POST",
        f"/api/v1/cases/{number}/intake",
        b'{"decision": "refuse", "reasons": "\\ud83d\\ude00 \xe6\x9d\x90\xe6\x96\x99\xe4\xb8\x8d\xe5\x85\xa8"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=basic("clerk"),
    )
    assert response.status_code == 200, response.content.decode()
    assert world.case(number).intake_reason.startswith("\U0001f600")


def test_an_escaped_backslash_before_u0000_is_not_a_nul(world: World) -> None:
    number = world.submit()
    response = _client().generic(
        "POST",
        f"/api/v1/cases/{number}/intake",
        b'{"decision": "refuse", "reasons": "\\\\u0000 \xe6\x9d\x90\xe6\x96\x99\xe4\xb8\x8d\xe5\x85\xa8"}',
        content_type="application/octet-stream",
        HTTP_AUTHORIZATION=basic("clerk"),
    )
    assert response.status_code == 200, response.content.decode()


@pytest.mark.postgres_only
def test_octet_stream_nul_never_reaches_a_postgresql_text_column(world: World) -> None:
    number = world.submit()
    response = _client().post(
        f"/api/v1/cases/{number}/intake",
        b'{"decision": "refuse", "reasons": "a\\u0000b"}',
        content_type="application/octet-stream",
        HTTP_AUTHORIZATION=basic("clerk"),
    )
    assert response.status_code == 400, response.content.decode()
    assert "空字符" in response.json()["detail"]


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "HTTP_USER_AGENT", "HTTP_AUTHORIZATION"])
def test_nul_in_a_header_value_is_a_chinese_400(world: World, header: str) -> None:
    response = _client().get("/api/v1/items", **{header: "1.2.3.4\x00evil"})
    assert response.status_code == 400, response.content.decode()
    assert "空字符" in response.json()["detail"]


# --- files of rolled-back requests ------------------------------------------------------------------------------


def test_a_request_that_fails_after_storing_files_leaves_none(
    world: World, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govhall.cases.actions import intake

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("notification outage")

    monkeypatch.setattr(intake, "tell_applicant", broken)
    response = _post_case(world, application(world.item(CANCEL)))
    assert response.status_code == 500
    assert not Case.objects.exists() and not CaseMaterial.objects.exists()
    assert not _files(media)


def test_a_committed_request_keeps_its_files(world: World, media: Path) -> None:
    response = _post_case(world, application(world.item(CANCEL)))
    assert response.status_code == 201, response.content.decode()
    stored = {Path(m.file.path) for m in CaseMaterial.objects.all()}
    assert stored and stored == set(_files(media))


def test_second_file_with_a_path_in_its_name_is_refused_before_anything_is_written(
    world: World, media: Path
) -> None:
    body = application(world.item(CANCEL))
    assert len(body["materials"]) >= 2
    body["materials"][1]["filename"] = "..\\..\\settings.pdf"
    response = _post_case(world, body)
    assert response.status_code == 422, response.content.decode()
    error = response.json()["detail"][0]
    assert error["loc"] == ["materials", 1] and "路径" in error["msg"]
    assert not Case.objects.exists() and not _files(media)


@pytest.mark.parametrize("char", ["\u202e", "\u202d", "\u2066", "\u200f", "\x07"])
def test_bidi_and_control_characters_in_a_filename_are_refused(world: World, media: Path, char: str) -> None:
    body = application(world.item(CANCEL))
    body["materials"][0]["filename"] = f"invoice{char}fdp.exe.pdf"
    response = _post_case(world, body)
    assert response.status_code == 422, response.content.decode()
    assert "控制字符" in response.json()["detail"][0]["msg"]
    assert not _files(media)


# --- Chinese errors ---------------------------------------------------------------------------------------------


def test_unparseable_json_is_a_chinese_400_listed_in_the_openapi(world: World) -> None:
    response = _post_case(world, '{"item": ')
    assert response.status_code == 400
    assert response.json() == {"detail": "请求体不是有效的 JSON，请检查格式（UTF-8 编码的 JSON 对象）"}
    schema = Api().get("/openapi.json").json()
    assert "400" in schema["paths"]["/api/v1/cases"]["post"]["responses"]


def test_an_over_long_url_is_a_chinese_414(world: World, settings: Any) -> None:
    settings.GOVHALL_MAX_URL_LENGTH = 2000
    page = _client().get("/items/", {"q": "税" * 1500})
    assert page.status_code == 414 and "地址过长" in page.content.decode()
    api = _client().get("/api/v1/items", {"q": "x" * 2500})
    assert api.status_code == 414 and "地址过长" in api.json()["detail"]
    assert _client().get("/items/", {"q": "税务"}).status_code == 200


def test_the_url_limit_counts_the_percent_encoded_uri(world: World, settings: Any) -> None:
    # 800 Chinese characters are 7200 bytes on the request line (percent-encoded) though PATH_INFO holds only 800.
    settings.GOVHALL_MAX_URL_LENGTH = 2000
    page = _client().get("/items/" + "税" * 800 + "/")
    assert page.status_code == 414 and "地址过长" in page.content.decode()
    raw = _client().get("/items/", REQUEST_URI="x", RAW_URI="/items/?q=" + "%E7%A8%8E" * 300)
    assert raw.status_code == 414


def test_the_cluster_lets_django_answer_long_urls(tmp_path: Path) -> None:
    from govhall.core.cluster import Cluster

    cluster = Cluster(servers=1, workers=0, watchers=0)
    argv = cluster.members[0].argv
    assert "--limit-request-line=8190" in argv


def test_403_page_is_chinese_in_the_site_style_without_a_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = _client(world, "applicant").get("/complaints/register/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权访问" in body and "政务服务中心" in body and "Forbidden" not in body
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.exc_info is None and not r.exc_text for r in records)


def test_400_and_500_pages_are_chinese(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    bad_host = _client().get("/", HTTP_HOST="evil.example")
    assert bad_host.status_code == 400 and "请求无效" in bad_host.content.decode()
    from govhall.cases import portal_views

    def broken(*args: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(portal_views, "find_by_check_code", broken)
    crash = _client().post("/progress/", {"number": "20260302000001", "check_code": "123456"})
    assert crash.status_code == 500 and "系统出现错误" in crash.content.decode()
