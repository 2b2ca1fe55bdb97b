"""Charting endpoint under concurrent nurses: requests per second and p95 latency.

Starts Django's threaded development server on a free loopback port against DATABASE_URL, signs in
CLIENTS nurses, and has each post REQUESTS COWS assessments (with vitals) through the API, the same
service the charting screen uses. Bounded in count; loopback only.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python -m benchmarks.charting
"""

import http.cookiejar
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
ROOT = Path(__file__).resolve().parent.parent
COWS = {
    "pulse": 2,
    "sweating": 1,
    "restlessness": 3,
    "pupils": 1,
    "aches": 2,
    "runny_nose": 1,
    "gi_upset": 2,
    "tremor": 1,
    "yawning": 1,
    "anxiety": 2,
    "gooseflesh": 0,
}
VITALS = {"heart_rate": 104, "systolic_bp": 138, "diastolic_bp": 88, "respiratory_rate": 18, "spo2": 97}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,  # noqa: S603
        stdout=subprocess.DEVNULL,
    )


class Nurse:
    """One signed-in browser-less client with its own cookies."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(f"{base}/sign-in/").read()
        form = urllib.parse.urlencode(
            {"username": "nurse", "password": "detoxflow-demo", "csrfmiddlewaretoken": self.csrf()}
        ).encode()
        request = urllib.request.Request(f"{base}/sign-in/", data=form, headers={"Referer": f"{base}/sign-in/"})
        self.opener.open(request).read()

    def csrf(self) -> str:
        return next(c.value or "" for c in self.jar if c.name == "csrftoken")

    def stabilizing_episodes(self) -> list[int]:
        with self.opener.open(f"{self.base}/api/episodes?stage=stabilization&limit=100") as response:
            return [e["id"] for e in json.load(response)["items"]]

    def post_cows(self, episode_id: int) -> float:
        body = json.dumps({"instrument": "COWS", "items": COWS, "vitals": VITALS}).encode()
        request = urllib.request.Request(
            f"{self.base}/api/episodes/{episode_id}/assessments",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf(), "Referer": self.base},
        )
        started = time.perf_counter()
        with self.opener.open(request) as response:
            response.read()
            assert response.status == 201
        return time.perf_counter() - started


def main() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "detoxflow.settings.development",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    manage("flush", "--no-input", env=env)
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("seed", "-v", "0", env=env)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/sign-in/").read()  # noqa: S310  (loopback)
                break
            except OSError:
                time.sleep(0.1)
        nurses = [Nurse(base) for _ in range(CLIENTS)]
        episodes = nurses[0].stabilizing_episodes()
        timings: list[float] = []
        lock = threading.Lock()

        def work(nurse: Nurse, offset: int) -> None:
            for n in range(REQUESTS):
                spent = nurse.post_cows(episodes[(offset + n) % len(episodes)])
                with lock:
                    timings.append(spent)

        started = time.perf_counter()
        threads = [threading.Thread(target=work, args=(nurse, i * 5)) for i, nurse in enumerate(nurses)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"database: {env.get('DATABASE_URL', 'sqlite (default)').split(':')[0]}; {CLIENTS} concurrent nurses, "
            f"{REQUESTS} COWS each through POST /api/episodes/<id>/assessments"
        )
        print(
            f"  {len(timings)} requests in {wall:.1f} s: {len(timings) / wall:.0f} requests/s; "
            f"median {statistics.median(timings) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
