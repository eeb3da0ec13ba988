from __future__ import annotations

import pytest
from django.utils import translation

from govhall.portal.choice_labels import TRANSLATED_CHOICES

pytestmark = pytest.mark.django_db


def switch_to_english(client, next_url: str = "/items/"):
    # The cookie set_language writes is what a kiosk keeps between pages.
    return client.post("/i18n/setlang/", {"language": "en", "next": next_url})


def test_switcher_posts_to_setlang(client, catalog):
    html = client.get("/items/").content.decode()
    assert 'action="/i18n/setlang/" method="post"' in html
    assert 'name="language" value="en"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_english_switch_renders_english_labels(client, catalog):
    response = switch_to_english(client, "/items/?q=营业执照")
    assert response.status_code == 302
    assert response["Location"] == "/items/?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7"
    html = client.get("/items/", {"q": "营业执照"}).content.decode()
    assert '<html data-theme="light" lang="en">' in html
    assert "Service guides" in html
    assert "Government Service Center" in html
    assert "2 services found for “营业执照”" in html
    assert "Administrative licensing" in html
    assert "Same-day item" in html
    assert "1 working day" in html and "15 working days" in html
    assert "Level 4: fully online" in html
    assert "简体中文" in html  # the way back
    # Data stays as entered.
    assert "企业营业执照设立登记" in html


def test_english_guide(client, catalog):
    switch_to_english(client)
    html = client.get(f"/items/{catalog.item('居民身份证申领').impl_code}/").content.decode()
    for text in [
        "Required documents",
        "Fees",
        "Legal time limit",
        "60 calendar days",
        "Entrusted by a higher level",
    ]:
        assert text in html, text


def test_every_public_choice_label_is_translated():
    with translation.override("en"):
        untranslated = [
            f"{cls.__name__}.{label}"
            for cls in TRANSLATED_CHOICES
            for label in cls.labels
            if translation.gettext(label) == label
        ]
    assert untranslated == [], "add these to choice_labels.py and govhall/locale/en/LC_MESSAGES/django.po"
