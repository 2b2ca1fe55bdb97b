"""`make serve` (scripts/serve.sh): the production stack starts on PostgreSQL, answers /readyz, serves its static
files through gunicorn and WhiteNoise, and stops with its background worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_serve_refuses_a_database_that_is_not_postgresql(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    done = subprocess.run(  # noqa: S603
        ["bash", "scripts/serve.sh"],  # noqa: S607
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert b"DATABASE_URL must be a postgres:// URL" in done.stderr


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_production_stack_starts_answers_ready_and_stops_with_its_worker(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("make serve runs on PostgreSQL")
    db, port = connection.settings_dict, free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SECRET_KEY": "synthetic-test-secret-key-" + "x" * 40,
        "AUDIT_HMAC_KEY": "synthetic-test-audit-key",
        "SECURE_SSL_REDIRECT": "false",
        "REQUIRE_TOTP": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "AUDIT_CHECKPOINT_FILE": str(tmp_path / "checkpoints.jsonl"),
        "FHIR_EXPORT_ROOT": str(tmp_path / "exports"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in this process; production refuses it
    stack = subprocess.Popen(  # noqa: S603
        ["bash", "scripts/serve.sh"],  # noqa: S607
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, status = time.monotonic() + 90, 0
        while time.monotonic() < deadline and stack.poll() is None:
            try:
                status, _, body = get(f"{base}/readyz")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200, (status, stack.stdout.read(4000) if stack.poll() is not None and stack.stdout else "")
        css_status, headers, css = get(f"{base}/static/detoxflow.css")
        assert css_status == 200
        assert b".patient-banner" in css
        assert headers.get("X-Request-ID")
        sign_in_status, headers, page = get(f"{base}/sign-in/")
        assert sign_in_status == 200
        assert "Content-Security-Policy" in headers
    finally:
        stack.send_signal(signal.SIGTERM)
        try:
            output, _ = stack.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            output, _ = stack.communicate()
    assert stack.returncode == 0, output.decode()[-3000:]
    assert b"listening" in output or b"gunicorn with 1 workers" in output
    with pytest.raises(urllib.error.URLError, match="refused"):
        get(f"{base}/healthz")  # nothing left listening
    leftover = subprocess.run(  # noqa: S603
        ["pgrep", "-f", "--", f"--bind 127.0.0.1:{port}"],  # noqa: S607
        check=False,
        capture_output=True,
    )
    assert leftover.returncode == 1, leftover.stdout
