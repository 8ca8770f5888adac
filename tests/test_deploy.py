"""Production settings come from the environment and pass Django's deployment checks."""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "media.example.com",
    "DJANGO_SETTINGS_MODULE": "dealer_media.settings",
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "dealer-media",
}
LOCAL_MEDIA_ENV = {
    k: v for k, v in PRODUCTION_ENV.items() if k not in {"MEDIA_STORAGE", "AWS_STORAGE_BUCKET_NAME"}
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # A clean environment, as a production host would have: nothing leaks in from the tests.
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_reports_nothing_with_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_s3_storage_is_chosen_by_environment():
    result = _manage(
        "shell",
        "-c",
        'from django.core.files.storage import storages; s = storages["default"]; print(type(s).__name__, s.bucket_name)',
        env={**PRODUCTION_ENV, "MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "dealer-media"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "MediaS3Storage dealer-media"


def test_check_deploy_says_when_nothing_serves_local_media():
    result = _manage("check", "--deploy", env=LOCAL_MEDIA_ENV)
    assert "media_content.W001" in result.stderr + result.stdout
    assert "nothing serves them at /media/" in result.stderr + result.stdout


def test_local_media_served_by_django_or_another_host_pass_the_deploy_check():
    for extra in ({"SERVE_MEDIA": "true"}, {"MEDIA_URL": "https://media-files.example.net/"}):
        result = _manage(
            "check", "--deploy", "--fail-level", "WARNING", env={**LOCAL_MEDIA_ENV, **extra}
        )
        assert result.returncode == 0, (extra, result.stderr + result.stdout)


def _database_settings(env: dict[str, str]) -> dict:
    result = _manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; d = settings.DATABASES['default']; "
        "keys = ('ENGINE', 'CONN_MAX_AGE', 'OPTIONS', 'DISABLE_SERVER_SIDE_CURSORS'); "
        "print(json.dumps({k: d.get(k) for k in keys}))",
        env={**PRODUCTION_ENV, **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_connection_pool_per_process_on_postgresql_when_sized():
    postgres = {"DATABASE_URL": "postgres://dm@db.example.com:5432/dm"}
    assert _database_settings({**postgres, "DATABASE_POOL_MAX_SIZE": "8"}) == {
        "ENGINE": "django.db.backends.postgresql",
        "CONN_MAX_AGE": 0,  # Django refuses persistent connections with a pool
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 8, "timeout": 10.0}},
        "DISABLE_SERVER_SIDE_CURSORS": False,
    }
    unpooled = _database_settings(postgres)
    assert (unpooled["CONN_MAX_AGE"], unpooled["OPTIONS"]) == (60, {})
    # Behind PgBouncer in transaction mode: no cursor held across transactions.
    pgbouncer = _database_settings({**postgres, "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "true"})
    assert pgbouncer["DISABLE_SERVER_SIDE_CURSORS"] is True
    sqlite = _database_settings({"DATABASE_POOL_MAX_SIZE": "8"})
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["CONN_MAX_AGE"] == 60
    assert "pool" not in sqlite["OPTIONS"]
