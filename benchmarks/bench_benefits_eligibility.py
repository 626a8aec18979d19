"""Eligibility API under load, beside a trivial endpoint of the same server.

    python -m benchmarks.bench_benefits_eligibility [--seconds 30] [--clients 16]

Builds a throw-away SQLite database (or uses --database-url, e.g. an empty
PostgreSQL database), seeds one mutual with a basic package and --households
households of 4 beneficiaries, starts the production server (granian, WSGI,
2 workers, as `mutualis serve`) on loopback, then runs, in the same run and
with the same bearer token, 16 concurrent keep-alive clients for --seconds
against:

- GET /api/v1/ping                       (trivial, authenticated)
- GET /api/v1/eligibility?number=…&on=2026-06-15&item=CONS (random beneficiaries)

and prints requests/s, p50 and p99 for each, and the ratio. Targets: p99 <
25 ms and eligibility ≥ 50 % of the trivial endpoint's throughput. The load
generator shares the machine's cores with the server, equally for both runs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ON = "2026-06-15"


def _seed(households: int) -> None:
    """Runs inside a child process with Django set up: data, user and token."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualis.settings")
    django.setup()
    from datetime import date
    from decimal import Decimal as D

    from mutualis.benefits.models import (
        BenefitRule,
        CatalogueItem,
        Limit,
        Package,
        PackageVersion,
        RuleCoverage,
        ServiceCategory,
    )
    from mutualis.core import services as core
    from mutualis.core.models import OrgKind, User
    from mutualis.core.roles import Role
    from mutualis.engine.checkdigit import with_check_digit
    from mutualis.members.models import CoveragePeriod, Household, Membership, Person

    root = User.objects.create_superuser("bench-root", "", "bench-root-password-2026")
    mutual = core.organisation_create(
        actor=root, kind=OrgKind.MUTUAL, name="Bench mutual", code="BM", currency="XOF"
    )
    sections = [
        core.organisation_create(
            actor=root, kind=OrgKind.SECTION, name=f"S{i}", code=f"BM-{i}", parent=mutual
        )
        for i in range(3)
    ]
    user = core.user_create(
        actor=root,
        username="bench",
        password="bench-password-2026",
        role=Role.CLERK,
        organisation=mutual,
    )
    _token, key = core.api_token_create(actor=user, user=user, name="bench")
    cats = {
        c: ServiceCategory.objects.create(mutual=mutual, code=c, name=c)
        for c in ("consultation", "maternity", "pharmacy")
    }
    CatalogueItem.objects.create(
        mutual=mutual,
        code="CONS",
        name="Consultation",
        category=cats["consultation"],
        reference_price=D(1000),
        care_type="out_patient",
    )
    package = Package.objects.create(mutual=mutual, code="BASE", name="Base")
    v = PackageVersion.objects.create(
        package=package, effective_from=date(2026, 1, 1), status="published"
    )
    cons = BenefitRule.objects.create(version=v, category=cats["consultation"], rate=D("0.8"))
    RuleCoverage.objects.create(rule=cons, member_category="indigent", rate=D(1))
    Limit.objects.create(
        version=v, rule=cons, kind="count", scope="beneficiary", max_count=12, unit="visits"
    )
    BenefitRule.objects.create(
        version=v, category=cats["maternity"], rate=D("0.9"), waiting_days=270
    )
    BenefitRule.objects.create(version=v, category=cats["pharmacy"], fixed_copay=D(200))
    Limit.objects.create(version=v, kind="ceiling", scope="beneficiary", amount=D(300000))
    rng = random.Random(2026)
    hh = Household.objects.bulk_create(
        [
            Household(mutual=mutual, section=sections[i % 3], number=f"H{i:07d}")
            for i in range(households)
        ],
        batch_size=2000,
    )
    persons, members = [], []
    for i in range(len(hh)):
        for j in range(4):
            persons.append(
                Person(
                    mutual=mutual,
                    first_name=f"P{i}-{j}",
                    last_name="Bench",
                    sex=rng.choice("FM"),
                    birth_year=rng.randint(1950, 2020),
                    normalised_name=f"p{i}-{j}",
                )
            )
    persons = Person.objects.bulk_create(persons, batch_size=2000)
    numbers = []
    for n, p in enumerate(persons):
        h = hh[n // 4]
        number = with_check_digit(f"{n + 1:09d}")
        numbers.append(number)
        members.append(
            Membership(
                person=p,
                household=h,
                mutual=mutual,
                section=h.section,
                number=number,
                relationship="head" if n % 4 == 0 else "child",
                category="indigent" if rng.random() < 0.1 else "informal",
                status="active",
                joined_on=date(2025, 1, 1),
            )
        )
    Membership.objects.bulk_create(members, batch_size=2000)
    CoveragePeriod.objects.bulk_create(
        [
            CoveragePeriod(
                household=h,
                package=package,
                enrolled_on=date(2025, 12, 1),
                start_on=date(2026, 1, 1),
                expiry_on=date(2026, 12, 31),
                status="active",
            )
            for h in hh
        ],
        batch_size=2000,
    )
    print(json.dumps({"token": key, "numbers": numbers}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load(port: int, token: str, paths: list[str], seconds: float, clients: int):
    """`clients` threads with keep-alive connections; returns (count, errors, latencies)."""
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}"}

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < stop:
            path = paths[rng.randrange(len(paths))]
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    bad += 1
                if resp.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return len(latencies), errors[0], latencies


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        _seed(args.households)
        return
    home = Path(tempfile.mkdtemp(prefix="mutualis-bench-"))
    env = {
        **os.environ,
        "MUTUALIS_HOME": str(home),
        "SECRET_KEY": "bench-only-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url or f"sqlite:///{home}/bench.sqlite3",
        "PYTHONPATH": os.pathsep.join(
            [
                str(Path(__file__).resolve().parent.parent / "src"),
                str(Path(__file__).resolve().parent.parent),
                os.environ.get("PYTHONPATH", ""),
            ]
        ),
    }
    py = sys.executable
    server = None
    try:
        subprocess.run([py, "-m", "mutualis", "migrate", "-v0"], env=env, check=True)
        out = subprocess.run(
            [
                py,
                "-m",
                "benchmarks.bench_benefits_eligibility",
                "--seed",
                "--households",
                str(args.households),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        seed = json.loads(out.strip().splitlines()[-1])
        token, numbers = seed["token"], seed["numbers"]
        port = _free_port()
        granian = shutil.which("granian", path=os.path.dirname(py)) or "granian"
        server = subprocess.Popen(
            [
                granian,
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--no-ws",
                "--log-level",
                "warning",
                "mutualis.wsgi:application",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/api/v1/ping", headers={"Authorization": f"Bearer {token}"})
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        rng = random.Random(7)
        sample = rng.sample(numbers, min(2000, len(numbers)))
        elig = [f"/api/v1/eligibility?number={n}&on={ON}&item=CONS" for n in sample]
        ping = ["/api/v1/ping"]
        _load(port, token, ping + elig, 3, args.clients)  # warm-up: caches, connections
        results = {}
        for name, paths in (("ping", ping), ("eligibility", elig)):
            count, errors, lat = _load(port, token, paths, args.seconds, args.clients)
            results[name] = (count / args.seconds, _pct(lat, 0.5), _pct(lat, 0.99), errors)
        db = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
        print(
            f"{args.clients} clients x {args.seconds:.0f} s, granian {args.workers} workers, "
            f"{db}, {len(numbers):,} beneficiaries"
        )
        for name, (rps, p50, p99, errors) in results.items():
            print(
                f"  {name:12s} {rps:8,.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
                f"  errors {errors}"
            )
        ratio = results["eligibility"][0] / results["ping"][0]
        p99 = results["eligibility"][2]
        print(
            f"  eligibility = {ratio:.0%} of ping throughput (target >= 50%), "
            f"p99 {p99:.1f} ms (target < 25 ms): "
            f"{'OK' if ratio >= 0.5 and p99 < 25 else 'MISSED'}"
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
