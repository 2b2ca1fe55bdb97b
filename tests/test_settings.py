"""Configuration comes from the environment; production passes Django's deployment check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from detoxflow.settings.env import env_bool, env_int, env_str

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, env):
    return subprocess.run(  # noqa: S603  (fixed argv, our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_with_no_warnings():
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is a test-only switch that a deployment must not carry.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "detoxflow.settings.production",
        "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-for-the-check-" + "y" * 20,
        "AUDIT_HMAC_KEY": "z" * 40,
        "ALLOWED_HOSTS": "detox.example.org",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_its_own_audit_key():
    env = {k: v for k, v in os.environ.items() if k != "AUDIT_HMAC_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="detoxflow.settings.production", SECRET_KEY="s" * 60)
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEY is required" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "detoxflow.settings.production"
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("reader", "raw", "message"),
    [
        (
            lambda: env_bool("DETOX_TEST_VAR", False),
            "maybe",
            "DETOX_TEST_VAR has value 'maybe'; expected true or false",
        ),
        (lambda: env_int("DETOX_TEST_VAR", 1), "ten", "DETOX_TEST_VAR has value 'ten'; expected a whole number"),
    ],
    ids=["bool", "int"],
)
def test_bad_values_name_the_variable(monkeypatch, reader, raw, message):
    monkeypatch.setenv("DETOX_TEST_VAR", raw)
    with pytest.raises(ImproperlyConfigured, match=message):
        reader()


def test_missing_required_variable_is_named(monkeypatch):
    monkeypatch.delenv("DETOX_TEST_VAR", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DETOX_TEST_VAR is required"):
        env_str("DETOX_TEST_VAR")
