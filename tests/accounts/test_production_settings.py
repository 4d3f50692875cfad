"""Production settings: required environment, `check --deploy` and HTTPS headers.

Each test starts a new Python process, because settings are read once per
process.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "kx3Vq9-5nL0s2Rj7YwTb8cZ4mP1dHfA6gUe-iOoNQtSvWyXzBrCaDlEhJpKuMnIb"

# A request over HTTPS in production, printing the headers that matter. It asks
# for a page that does not exist: production static files need collectstatic,
# and Django's own 404 page uses none.
HEADERS_SCRIPT = """
import django
django.setup()
from django.test import Client
response = Client().get("/no-such-page/", secure=True)
print(response.status_code)
print(response["Strict-Transport-Security"])
print(Client().get("/no-such-page/").status_code)
"""


def run_firstcontact(env_changes, *args, script=None):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
    }
    env.update(env_changes)
    env["DJANGO_SETTINGS_MODULE"] = "firstcontact.settings"
    command = (
        [sys.executable, "-c", script]
        if script
        else [
            sys.executable,
            "-m",
            "firstcontact",
            *args,
        ]
    )
    return subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def production(tmp_path):
    return {
        "FIRSTCONTACT_ENV": "production",
        "FIRSTCONTACT_DATA_DIR": str(tmp_path),
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "firstcontact.example.org,testserver",
    }


def test_production_refuses_to_start_without_secret_key(production):
    del production["SECRET_KEY"]

    result = run_firstcontact(production, "check")

    assert result.returncode != 0
    assert "SECRET_KEY is missing" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(production):
    del production["ALLOWED_HOSTS"]

    result = run_firstcontact(production, "check")

    assert result.returncode != 0
    assert "ALLOWED_HOSTS is missing" in result.stderr


def test_production_refuses_empty_allowed_hosts(production):
    production["ALLOWED_HOSTS"] = " , "

    result = run_firstcontact(production, "check")

    assert "ALLOWED_HOSTS is missing" in result.stderr


def test_deploy_check_is_clean(production):
    result = run_firstcontact(production, "check", "--deploy", "--fail-level", "DEBUG")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_sends_hsts_and_redirects_to_https(production):
    result = run_firstcontact(production, script=HEADERS_SCRIPT)

    assert result.returncode == 0, result.stderr
    secure_status, hsts, plain_status = result.stdout.split("\n")[:3]
    assert secure_status == "404"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert plain_status == "301"
