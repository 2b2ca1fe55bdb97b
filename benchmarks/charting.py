"""Charting endpoint under concurrent nurses in several facilities: requests/s and p95, before and after
per-facility audit chains (issue 13).

Every charted assessment appends an audit event inside the service's transaction, and appending locks its
chain's head row until that transaction commits. With ONE global chain, a COWS charted in one facility
waited for every other facility's open write; with one chain per facility only that facility's writes
queue. So this seeds FACILITIES synthetic facilities, spreads CLIENTS nurses over them (nurse i signs in to
facility i % FACILITIES, as that facility's nurse) and has each post REQUESTS COWS assessments (with
vitals), through the API, the same service the charting screen uses, to its own facility's stabilizing
episodes. It does so for two configurations, each time on a freshly seeded database and a fresh threaded
development server on a free loopback port, for ROUNDS rounds that alternate which goes first, and pools
each configuration's requests:

- before: the single global chain, emulated by starting the server through benchmarks/_global_chain_server.py,
  which makes every append lock one shared row first (see its docstring); no production code path or setting;
- after: the code as it is, one chain per facility.

On PostgreSQL the difference is the row lock. On SQLite the whole database has one writer lock anyway, so
every write is serialised in both configurations and the ratio shows only noise; the output says so.
Bounded in count (about half a minute per configuration with the defaults on 2 cores, seeding included);
loopback only.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python -m benchmarks.charting
    BENCH_FACILITIES=2 BENCH_CLIENTS=4 BENCH_REQUESTS=100 DATABASE_URL=postgres://... (same command)
"""

import http.cookiejar
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

FACILITIES = int(os.environ.get("BENCH_FACILITIES", "3"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "6"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))  # untimed requests per nurse: first-request costs out of the figure
ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "detoxflow-demo"  # noqa: S105  (the published demo password, detoxflow.demo.synthetic)
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


@dataclass(frozen=True)
class Configuration:
    """How the server is started: `name` is what the output calls it."""

    name: str
    chains: str
    launcher: tuple[str, ...]


CONFIGURATIONS = (
    Configuration(
        "before",
        "one global chain (emulated by benchmarks/_global_chain_server.py)",
        ("-m", "benchmarks._global_chain_server"),
    ),
    Configuration("after", "one chain per facility (the code as it is)", ("manage.py",)),
)


@dataclass(frozen=True)
class Result:
    """One configuration's timed requests."""

    configuration: Configuration
    timings: tuple[float, ...]
    wall: float

    @classmethod
    def pooled(cls, results: list["Result"]) -> "Result":
        """Several runs of one configuration as one: all their requests over all their wall time."""
        return cls(results[0].configuration, tuple(t for r in results for t in r.timings), sum(r.wall for r in results))

    @property
    def rate(self) -> float:
        return len(self.timings) / self.wall

    @property
    def median_ms(self) -> float:
        return statistics.median(self.timings) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.timings)
        return ordered[int(len(ordered) * 0.95) - 1] * 1000


def nurse_username(facility_index: int) -> str:
    """The seeded nurse of the facility-th facility: as detoxflow.demo.synthetic._place_and_staff names them,
    the first facility carries the demo logins ("nurse"), the n-th after it "site00n-nurse"."""
    return "nurse" if facility_index == 0 else f"site{facility_index:03d}-nurse"


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

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.username = username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(f"{base}/sign-in/").read()
        form = urllib.parse.urlencode(
            {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": self.csrf()}
        ).encode()
        request = urllib.request.Request(f"{base}/sign-in/", data=form, headers={"Referer": f"{base}/sign-in/"})
        self.opener.open(request).read()
        if not any(c.name == "sessionid" for c in self.jar):
            raise RuntimeError(f"{username} could not sign in; is the seed's naming still nurse_username's?")

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


def wait_until_up(server: subprocess.Popen[bytes], base: str) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode} before answering")
        try:
            urllib.request.urlopen(f"{base}/sign-in/").read()  # noqa: S310  (loopback)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not answer within 20 s")


def run(configuration: Configuration, env: dict[str, str]) -> Result:
    """Fresh seed, fresh server, CLIENTS nurses charting at once; the timed requests and the wall time."""
    manage("flush", "--no-input", env=env)
    manage("seed", "-v", "0", "--facilities", str(FACILITIES), env=env)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, *configuration.launcher, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, base)
        nurses = [Nurse(base, nurse_username(i % FACILITIES)) for i in range(CLIENTS)]
        # Each facility's episodes as its own nurse sees them: the API scopes them to the facility.
        episodes = {i: nurses[i].stabilizing_episodes() for i in range(min(FACILITIES, CLIENTS))}
        seen = [e for facility in episodes.values() for e in facility]
        if not all(episodes.values()) or len(seen) != len(set(seen)):
            raise RuntimeError(f"expected separate, non-empty stabilizing episodes per facility, got {episodes}")
        timings: list[float] = []
        lock = threading.Lock()
        warmed = threading.Barrier(CLIENTS + 1)  # the clock starts when every nurse has done its warm-up

        def work(index: int, nurse: Nurse) -> None:
            own = episodes[index % FACILITIES]
            offset = index // FACILITIES * 3  # nurses of one facility start on different patients
            for n in range(WARMUP + REQUESTS):
                if n == WARMUP:
                    warmed.wait()
                spent = nurse.post_cows(own[(offset + n) % len(own)])
                if n >= WARMUP:
                    with lock:
                        timings.append(spent)

        threads = [threading.Thread(target=work, args=(i, nurse)) for i, nurse in enumerate(nurses)]
        for t in threads:
            t.start()
        warmed.wait(timeout=120)
        started = time.perf_counter()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    if len(timings) != CLIENTS * REQUESTS:
        raise RuntimeError(f"{CLIENTS * REQUESTS - len(timings)} requests failed; see the tracebacks above")
    return Result(configuration, tuple(timings), wall)


def main() -> None:
    if FACILITIES < 2 or CLIENTS < FACILITIES or ROUNDS < 1:
        raise SystemExit("BENCH_FACILITIES must be at least 2, BENCH_CLIENTS at least that, BENCH_ROUNDS at least 1.")
    with tempfile.TemporaryDirectory(prefix="detoxflow-bench-") as checkpoints:
        compare(checkpoints)


def compare(checkpoints: str) -> None:
    """Both configurations, ROUNDS times each, on DATABASE_URL; prints each run, the pooled figures and ratios."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "detoxflow.settings.development",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        # The benchmark's chain checkpoints must not land in var/ next to a real database's.
        "AUDIT_CHECKPOINT_FILE": str(Path(checkpoints) / "checkpoints.jsonl"),
    }
    database = env.get("DATABASE_URL", "sqlite (default)").split(":")[0]
    manage("migrate", "--no-input", "-v", "0", env=env)
    print(
        f"database: {database}; {FACILITIES} facilities, {CLIENTS} concurrent nurses spread over them, "
        f"{REQUESTS} COWS each (after {WARMUP} untimed) through POST /api/episodes/<id>/assessments; "
        f"rounds: {ROUNDS}, alternating which configuration goes first"
    )
    runs: dict[str, list[Result]] = {c.name: [] for c in CONFIGURATIONS}
    for number in range(ROUNDS):
        # Before, after, then after, before...: drift over the run (caches, table growth) cancels out.
        for configuration in CONFIGURATIONS if number % 2 == 0 else CONFIGURATIONS[::-1]:
            result = run(configuration, env)
            runs[configuration.name].append(result)
            print(
                f"  round {number + 1}, {configuration.name:<6}: {result.rate:.0f} requests/s; "
                f"median {result.median_ms:.0f} ms, p95 {result.p95_ms:.0f} ms"
            )
    before, after = (Result.pooled(runs[c.name]) for c in CONFIGURATIONS)
    for result in (before, after):
        print(
            f"  {result.configuration.name:<6} {result.configuration.chains}\n"
            f"         database {database}, {FACILITIES} facilities, {CLIENTS} nurses: {len(result.timings)} "
            f"requests in {result.wall:.1f} s: {result.rate:.0f} requests/s; "
            f"median {result.median_ms:.0f} ms, p95 {result.p95_ms:.0f} ms"
        )
    print(
        f"  after/before: throughput {after.rate / before.rate:.2f}x, p95 {after.p95_ms / before.p95_ms:.2f}x "
        "(throughput above 1 and p95 below 1 are better)"
    )
    if database.startswith("sqlite"):
        print(
            "  SQLite has one writer lock for the whole database, so both configurations serialise every write "
            "alike: the ratio here is noise, not the chains. PostgreSQL's figures are the ones that tell."
        )


if __name__ == "__main__":
    main()
