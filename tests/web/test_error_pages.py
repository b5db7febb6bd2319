"""The error pages (400, 403, 404, 500) look like the rest of the project, are in Chinese, fit a
phone and lead home; a body too large for the server gets the same friendly 400 page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from fupin.core.personas import VILLAGE

pytestmark = pytest.mark.django_db


def assert_project_page(response: Any, status: int, heading: str) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "/static/fupin/app.css" in html and "/static/vendor/pico/pico.min.css" in html
    assert heading in html, html[:2000]
    assert 'href="/"' in html  # a way home
    assert 'lang="zh-hans"' in html
    for english in ("Server Error", "Bad Request", "Forbidden", "Not Found"):
        assert english not in html
    return html


@override_settings(DEBUG=False, ROOT_URLCONF="tests.web.error_urls")
def test_the_500_page_is_the_projects_in_chinese() -> None:
    # No login: the 500 page is rendered without a request, so it may use no context processor.
    html = assert_project_page(
        Client(raise_request_exception=False).get("/test-errors/boom/"), 500, "系统出错了"
    )
    assert "本次操作没有保存任何内容" in html


@override_settings(DEBUG=False, ROOT_URLCONF="tests.web.error_urls")
def test_the_500_page_of_a_logged_in_user(client_for: Any) -> None:
    client = client_for("village_clerk")
    client.raise_request_exception = False
    assert_project_page(client.get("/test-errors/boom/"), 500, "系统出错了")


@override_settings(DEBUG=False, ROOT_URLCONF="tests.web.error_urls")
def test_the_403_page(client_for: Any) -> None:
    assert_project_page(client_for("village_clerk").get("/test-errors/refuse/"), 403, "无权")


@override_settings(DEBUG=False)
def test_an_expired_form_gets_a_chinese_403_not_djangos_csrf_page() -> None:
    client = Client(enforce_csrf_checks=True)
    html = assert_project_page(client.post("/login/", {"username": "x", "password": "y"}), 403, "表单已过期")
    assert "CSRF" not in html


@override_settings(DEBUG=False)
@pytest.mark.parametrize("who", ["anonymous", "village_clerk"])
def test_the_404_page(who: str, client_for: Any) -> None:
    client = Client() if who == "anonymous" else client_for(who)
    assert_project_page(client.get("/no-such-page/"), 404, "未找到")


def _csrf_client(url: str) -> tuple[Client, str]:
    """A client that sends the CSRF token like a browser, so the middleware reads the body."""
    client = Client(enforce_csrf_checks=True)
    client.get(url)
    return client, client.cookies["csrftoken"].value


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=100_000)
def test_an_oversized_self_report_gets_the_friendly_400() -> None:
    url = f"/report/?village={VILLAGE}"
    client, token = _csrf_client(url)
    response = client.post(url, {"csrfmiddlewaretoken": token, "description": "困" * 200_000})
    html = assert_project_page(response, 400, "提交的内容无法受理")
    assert "过大" in html


@override_settings(DEBUG=False)
def test_too_many_fields_get_the_friendly_400() -> None:
    url = f"/report/?village={VILLAGE}"
    client, token = _csrf_client(url)
    fields = {f"f{i}": "x" for i in range(1500)}  # past DATA_UPLOAD_MAX_NUMBER_FIELDS (1000)
    assert_project_page(client.post(url, {"csrfmiddlewaretoken": token, **fields}), 400, "提交的内容无法受理")


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=100_000)
def test_an_oversized_form_of_a_logged_in_user_gets_the_friendly_400(personas: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["village_clerk"])
    client.get("/households/new/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/households/new/", {"csrfmiddlewaretoken": token, "head_name": "石" * 300_000, "area": VILLAGE}
    )
    assert_project_page(response, 400, "提交的内容无法受理")


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_NUMBER_FILES=2)
def test_too_many_files_get_the_friendly_400(personas: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["county_admin"])
    client.get("/households/import/")
    token = client.cookies["csrftoken"].value
    files = [SimpleUploadedFile(f"h{i}.xlsx", b"x") for i in range(5)]
    response = client.post("/households/import/", {"csrfmiddlewaretoken": token, "file": files})
    assert_project_page(response, 400, "提交的内容无法受理")
