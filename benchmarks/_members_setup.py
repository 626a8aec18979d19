"""Shared set-up of the member benchmarks: Django on the configured database
(PostgreSQL: DATABASE_URL), migrated, with a bench mutual and a manager."""

from __future__ import annotations

import json
import os
import platform
import resource
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualis.settings")
    os.environ.setdefault("SECRET_KEY", "benchmarks-only")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_actor(code: str):
    """A manager of the bench mutual (created once), so searches go through the scope filter."""
    from mutualis.core.models import RoleAssignment, User
    from mutualis.core.roles import Role
    from mutualis.members.management.commands.generate import synthetic_mutual

    mutual = synthetic_mutual(code)
    user, _ = User.objects.get_or_create(username=f"bench-{code.lower()}")
    RoleAssignment.objects.get_or_create(user=user, role=Role.MANAGER, organisation=mutual)
    return mutual, user


def copy_file(cursor, statement: str, path: str | Path) -> None:
    """Stream a file into `COPY … FROM STDIN` (a psycopg cursor), a megabyte at a time."""
    with open(path, "rb") as fh, cursor.copy(statement) as cp:
        while block := fh.read(1 << 20):
            cp.write(block)


def peak_rss_mb() -> float:
    """Peak resident memory of this process image.

    On Linux, VmHWM: `ru_maxrss` survives exec, so a spawned child would report
    the peak of the parent that generated the file (700 MB at 1,000,000 rows)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_result(name: str, data: dict) -> Path:
    from django.db import connection

    RESULTS.mkdir(exist_ok=True)
    data = {
        **data,
        "database": connection.vendor,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu",
        "python": platform.python_version(),
        # The machine is shared: its 1-minute load average when the run ended.
        "load_average": round(os.getloadavg()[0], 1),
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path
