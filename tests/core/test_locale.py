import pytest

pytestmark = pytest.mark.django_db


def test_chinese_first_even_for_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "办事指南" in response.content.decode()


def test_english_when_the_visitor_chooses_it(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response["Content-Language"] == "en"
    page = response.content.decode()
    assert "Online service hall" in page
    assert page.count("Look up a service guide") == 1


def test_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "xx"
    assert client.get("/")["Content-Language"] == "zh-hans"
