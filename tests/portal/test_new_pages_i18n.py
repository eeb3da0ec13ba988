"""English on the case-handling pages: login, progress query, document verification, workbench, ratings, hotline, queue.

Chinese stays the default even for an English browser; English comes only from the language switch (a cookie)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.test import Client
from django.utils import translation

from tests.cases.conftest import Hall, build_hall, local

pytestmark = pytest.mark.django_db

GOVHALL = Path(settings.BASE_DIR) / "govhall"
# The templates of the case-handling pages; each file is checked on its own, so partials count too.
NEW_TEMPLATES = sorted(
    [
        *(GOVHALL / "cases" / "templates" / "cases").glob("*.html"),
        *(GOVHALL / "documents" / "templates" / "documents").glob("*.html"),
        *(GOVHALL / "workbench" / "templates" / "workbench").glob("*.html"),
        GOVHALL / "templates" / "registration" / "login.html",
        GOVHALL / "portal" / "templates" / "portal" / "item_detail.html",
        # Good/poor ratings, the 12345 hotline and queue calling: staff pages, kiosk, ticket and call screen.
        *(GOVHALL / "ratings" / "templates" / "ratings").glob("*.html"),
        *(GOVHALL / "hotline" / "templates" / "hotline").glob("*.html"),
        *(GOVHALL / "queueing" / "templates" / "queueing").glob("*.html"),
    ]
)


def english(client: Client, next_url: str = "/") -> Client:
    # The same request the language switch in the page header sends; it leaves the cookie on the client.
    response = client.post("/i18n/setlang/", {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


def page(client: Client, url: str, **extra: Any) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response.content.decode()


def marked_messages(path: Path) -> list[tuple[str, str | None, str | None]]:
    """(msgid, plural, context) of every literal {% translate %} and {% blocktranslate %} in one template file."""
    nodelist = engines["django"].from_string(path.read_text(encoding="utf-8")).template.nodelist  # type: ignore[attr-defined]
    found: list[tuple[str, str | None, str | None]] = []
    for node in nodelist.get_nodes_by_type(TranslateNode):
        literal = getattr(node.filter_expression.var, "literal", None)
        if isinstance(literal, str):
            context = node.message_context.var if node.message_context else None
            found.append((literal, None, str(context) if context is not None else None))
    for node in nodelist.get_nodes_by_type(BlockTranslateNode):
        singular, _vars = node.render_token_list(node.singular)
        plural = node.render_token_list(node.plural)[0] if node.plural else None
        context = node.message_context.var if node.message_context else None
        found.append((singular, plural, str(context) if context is not None else None))
    return found


def english_for(msgid: str, plural: str | None, context: str | None) -> str:
    with translation.override("en"):
        if plural is not None:
            if context is not None:
                return translation.npgettext(context, msgid, plural, 2)
            return translation.ngettext(msgid, plural, 2)
        if context is not None:
            return translation.pgettext(context, msgid)
        return translation.gettext(msgid)


def test_the_template_list_is_not_empty() -> None:
    # A moved template directory must not turn the coverage test below into a silent pass.
    assert all(path.exists() for path in NEW_TEMPLATES)
    assert len(NEW_TEMPLATES) > 20
    assert sum(len(marked_messages(path)) for path in NEW_TEMPLATES) > 80


@pytest.mark.parametrize("path", NEW_TEMPLATES, ids=lambda p: str(p.relative_to(GOVHALL)))
def test_every_marked_template_text_has_english(path: Path) -> None:
    # Every source text is Chinese, so an English catalog hit always differs from its msgid.
    missing = [m for m, plural, ctx in marked_messages(path) if english_for(m, plural, ctx) == m]
    assert missing == [], (
        "run `manage.py makemessages -l en --no-obsolete --no-location --ignore=node_modules --ignore=tests ...`, "
        "translate govhall/locale/en/LC_MESSAGES/django.po, then `manage.py compilemessages -l en --ignore=.venv`"
    )


def test_login_page_in_english(client: Client) -> None:
    html = page(english(client, "/accounts/login/"), "/accounts/login/")
    assert '<html data-theme="light" lang="en">' in html
    assert "<title>Log in · Government Service Center</title>" in html
    assert "<h1>Log in</h1>" in html
    assert ">Username</label>" in html and ">Password</label>" in html
    assert "Check progress without logging in, using your case number and check code" in html
    assert "登录" not in html and "账号" not in html


def test_login_error_in_english(client: Client) -> None:
    english(client, "/accounts/login/")
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong-password"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Incorrect username or password. Please try again (both are case-sensitive)." in html
    assert "账号或密码不正确" not in html


def test_progress_page_in_english(client: Client) -> None:
    html = page(english(client, "/progress/"), "/progress/")
    assert '<html data-theme="light" lang="en">' in html
    assert "<h1>Check case progress</h1>" in html
    assert "6-digit check code" in html
    assert ">My cases</a>" in html
    assert '<button type="submit">Look up</button>' in html
    assert "<h1>办件进度查询</h1>" not in html


def test_verify_page_in_english(client: Client) -> None:
    html = page(english(client, "/verify/"), "/verify/")
    assert '<html data-theme="light" lang="en">' in html
    assert "<title>Document verification · Government Service Center</title>" in html
    assert "<h1>Document authenticity check</h1>" in html
    assert '<h2 id="upload-title">Verify an uploaded file</h2>' in html
    assert '<button type="submit">Verify</button>' in html
    assert "文书真伪验证" not in html


@pytest.mark.parametrize(
    ("url", "chinese", "english_text"),
    [
        ("/accounts/login/", "<h1>登录</h1>", "Log in"),
        ("/progress/", "<h1>办件进度查询</h1>", "Check case progress"),
        ("/verify/", "<h1>文书真伪验证</h1>", "Document authenticity check"),
    ],
)
def test_chinese_without_the_cookie(client: Client, url: str, chinese: str, english_text: str) -> None:
    # An English browser alone does not switch the language.
    html = page(client, url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-CN"' in html
    assert chinese in html
    assert english_text not in html


@pytest.fixture(scope="module")
def _hall(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Hall]:
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
                yield build_hall()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def clerk(_hall: Hall, db: Any) -> Iterator[Client]:
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        client = Client()
        client.force_login(_hall["clerk"])
        yield client


def test_workbench_chinese_without_the_cookie(clerk: Client) -> None:
    html = page(clerk, "/workbench/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="zh-CN"' in html
    assert "<h1>工作台</h1>" in html
    assert "政务服务中心" in html


def test_workbench_page_frame_in_english(clerk: Client) -> None:
    html = page(english(clerk, "/workbench/"), "/workbench/")
    assert '<html data-theme="light" lang="en">' in html
    assert "Government Service Center" in html
    assert "Skip to main content" in html
