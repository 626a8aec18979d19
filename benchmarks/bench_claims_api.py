"""Single-claim path over HTTP: POST /api/v1/claims (3 lines, adjudicated at once)
under concurrent clients on loopback, beside GET /api/v1/ping in the same run.

    python -m benchmarks.bench_claims_api --clients 8 --seconds 20

Builds a fresh demo database (`mutualis migrate` + `mutualis demo`: 2 000
households, catalogue, packages, agreements) in a temporary MUTUALIS_HOME (SQLite),
or, when DATABASE_URL is PostgreSQL, in `<its name>_claims_api`, dropped and created
again at each run, so every run starts from the same data; gives the
health centre's agent an API token, serves with the production server
(`mutualis serve`, granian WSGI), then runs N client processes, each with a
keep-alive connection: first the trivial authenticated endpoint, then claims
(each with a fresh idempotency key, a covered beneficiary, a date of care in the
last 60 days). Prints requests/s, p50 and p99 for both, and the ratio.
Target (issue 6): >= 200 claims/s; openIMIS does ~2 claims/s on this kind of machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

SETUP = """
import json
from datetime import timedelta
from mutualis.core import services
from mutualis.core.models import User
from mutualis.members.models import CoveragePeriod, Membership
from mutualis.claims.services import local_today
agent = User.objects.get(username="agent.cs")
_t, key = services.api_token_create(actor=agent, user=agent, name="bench")
today = local_today(agent.assignments.first().organisation)
households = CoveragePeriod.objects.filter(
    status="active", start_on__lte=today - timedelta(days=60), expiry_on__gte=today
).values("household_id")
numbers = list(Membership.objects.filter(household_id__in=households, status="active")
               .values_list("number", flat=True)[:3000])
print("BENCH" + json.dumps({"key": key, "numbers": numbers, "today": today.isoformat()}))
"""


def _fresh_database(url: str) -> str:
    """A new, empty `<name>_claims_api` beside the PostgreSQL database of `url`, so that
    every run starts from the same demo (claims left by an earlier run would lengthen
    each household's history)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_claims_api"
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return parts._replace(path=f"/{name}").geturl()


def _env(home: str) -> dict:
    env = {**os.environ, "MUTUALIS_HOME": home, "PYTHONPATH": str(ROOT / "src")}
    if env.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"] = _fresh_database(env["DATABASE_URL"])
    env.setdefault("SECRET_KEY", "bench-only-secret-key")
    env["DEBUG"] = "0"
    return env


def _manage(env, *args, capture=False):
    return subprocess.run(
        [PY, "-m", "mutualis", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def _client(args) -> list[float]:
    """One client: keep-alive connection, requests until the deadline; latencies in s."""
    port, kind, key, numbers, today, deadline, seed = args
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    from datetime import date, timedelta

    day0 = date.fromisoformat(today)
    lat: list[float] = []
    n = 0
    errors = 0
    while time.monotonic() < deadline:
        n += 1
        if kind == "ping":
            method, path, body = "GET", "/api/v1/ping", None
            h = headers
        else:
            start = day0 - timedelta(days=rng.randrange(1, 60))
            body = json.dumps(
                {
                    "card_number": rng.choice(numbers),
                    "start_on": start.isoformat(),
                    "diagnoses": ["J06.9"],
                    "lines": [
                        {"item": "CONS-CS", "quantity": 1, "unit_price": "1000"},
                        {"item": "PARA500", "quantity": 12, "unit_price": "10"},
                        {"item": "TDR-PALU", "quantity": 1, "unit_price": "1000"},
                    ],
                }
            )
            method, path = "POST", "/api/v1/claims"
            h = {**headers, "Idempotency-Key": f"bench-{seed}-{n}"}
        t0 = time.perf_counter()
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        resp.read()
        lat.append(time.perf_counter() - t0)
        if resp.status >= 300:
            errors += 1
            if errors < 3:
                print(f"  {kind}: HTTP {resp.status}", file=sys.stderr)
    conn.close()
    return lat


def _run(port, kind, key, numbers, today, clients, seconds) -> tuple[float, float, float, int]:
    deadline = time.monotonic() + seconds
    with mp.get_context("fork").Pool(clients) as pool:
        results = pool.map(
            _client,
            [(port, kind, key, numbers, today, deadline, 1000 * i + 7) for i in range(clients)],
        )
    lat = sorted(x for r in results for x in r)
    if not lat:
        return 0.0, 0.0, 0.0, 0
    rate = len(lat) / seconds
    return (
        rate,
        lat[len(lat) // 2] * 1000,
        lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
        len(lat),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="mutualis-bench-claims-")
    env = _env(home)
    print(f"setting up a demo database in {home} …", flush=True)
    _manage(env, "migrate", "-v0")
    _manage(env, "demo", capture=True)
    out = _manage(env, "shell", "-c", SETUP, capture=True).stdout
    setup = json.loads(out.split("BENCH", 1)[1])
    port = _free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "mutualis",
            "serve",
            "--no-worker",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait(port)
        key, numbers, today = setup["key"], setup["numbers"], setup["today"]
        _run(port, "ping", key, numbers, today, args.clients, 2)  # warm-up
        _run(port, "claim", key, numbers, today, args.clients, 2)
        ping = _run(port, "ping", key, numbers, today, args.clients, args.seconds)
        claim = _run(port, "claim", key, numbers, today, args.clients, args.seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(
        f"{db}, granian {args.workers} workers, {args.clients} clients, {args.seconds:.0f} s each"
    )
    print(
        f"GET /api/v1/ping   {ping[0]:8.1f} req/s   p50 {ping[1]:6.1f} ms   p99 {ping[2]:6.1f} ms"
    )
    print(
        f"POST /api/v1/claims {claim[0]:7.1f} claims/s "
        f"p50 {claim[1]:6.1f} ms   p99 {claim[2]:6.1f} ms"
        f"   (3 lines each; {claim[0] / ping[0]:.2f} x ping; target 200/s; openIMIS ~2/s)"
    )


if __name__ == "__main__":
    main()
