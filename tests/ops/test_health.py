"""/health/: database, cache, storage and broker; no sign-in; any host; 5xx naming the failure."""

import socket

import pytest
from celery import current_app
from django.db import connections

pytestmark = pytest.mark.django_db


def broker_key() -> str:
    """The check's name in the answer: the broker's transport (filesystem, redis, ...)."""
    return f"Broker(transport='{current_app.conf.broker_url.split('://')[0]}')"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def broker_url(monkeypatch):
    """Point the Celery app at another broker for one test, then back."""
    original = current_app.conf.broker_url

    def _point(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery prefers it to the setting
        current_app.conf.broker_url = url

    yield _point
    current_app.conf.broker_url = original


def test_healthy_answer_without_signing_in(client):
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
        "Storage(alias='default')": "OK",
        broker_key(): "OK",
    }
    assert "no-cache" in response["Cache-Control"]


def test_plain_text_and_html_answers(client):
    text = client.get("/health/", HTTP_ACCEPT="text/plain")
    assert text.status_code == 200
    assert f"{broker_key()}: OK" in text.content.decode()
    html = client.get("/health/")
    assert html.status_code == 200
    assert "All systems working" in html.content.decode()
    assert "<style" not in html.content.decode()  # styles from a file, for the CSP


def test_a_load_balancer_probing_by_ip_over_plain_http_gets_an_answer(client, settings):
    settings.ALLOWED_HOSTS = ["dealers.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/health/?format=json", HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200
    assert response.json()[broker_key()] == "OK"
    assert client.get("/health", HTTP_HOST="10.0.3.17").status_code == 200  # no slash either
    # Everything else still refuses an unknown host and redirects plain HTTP.
    assert client.get("/accounts/login/", HTTP_HOST="10.0.3.17:8000").status_code == 400
    redirect = client.get("/accounts/login/", HTTP_HOST="dealers.example.com")
    assert redirect.status_code == 301
    assert redirect["Location"].startswith("https://")


@pytest.mark.parametrize("scheme", ["redis", "amqp"])
def test_broker_down_fails_naming_it(client, broker_url, scheme):
    broker_url(f"{scheme}://127.0.0.1:{_closed_port()}/0")
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    body = response.json()
    assert body[f"Broker(transport='{scheme}')"].startswith(
        "Unavailable: cannot connect to the Celery broker"
    )
    assert "127.0.0.1" not in body[f"Broker(transport='{scheme}')"]  # no address to the public
    assert body["Database(alias='default')"] == "OK"


def test_filesystem_broker_without_its_folder_fails(client, tmp_path, broker_url):
    broker_url("filesystem://")
    missing = str(tmp_path / "gone")
    original = current_app.conf.broker_transport_options
    current_app.conf.broker_transport_options = {
        "data_folder_in": missing,
        "data_folder_out": missing,
    }
    try:
        response = client.get("/health/?format=json")
    finally:
        current_app.conf.broker_transport_options = original
    assert response.status_code == 500
    assert "data_folder_in folder is missing" in response.json()["Broker(transport='filesystem')"]


def test_database_down_fails_naming_it(client, monkeypatch):
    connection = connections["default"]
    if connection.vendor == "sqlite":
        monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/dir/db.sqlite3")
    else:
        monkeypatch.setitem(connection.settings_dict, "PORT", str(_closed_port()))
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    assert response.json()["Database(alias='default')"].startswith("Unavailable")
    assert response.json()[broker_key()] == "OK"


@pytest.mark.redis
def test_a_real_redis_broker_answers(client, broker_url, settings):
    broker_url(settings.CELERY_BROKER_URL)
    response = client.get("/health/?format=json")
    assert response.status_code == 200
    assert response.json()["Broker(transport='redis')"] == "OK"
