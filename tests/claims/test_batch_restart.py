"""A batch killed mid-way (kill -9) leaves every claim untouched or fully decided, and
running it again ends exactly where an uninterrupted run ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from mutualis.claims.batch import KIND, PAUSE_ENV, claim_defer, claims_adjudicate
from mutualis.claims.models import Claim, ClaimEvent, ClaimLine, ConsumptionCounter
from mutualis.core.models import BatchLog

from .conftest import TODAY
from .test_batch import _random_inputs, decisions

ROOT = Path(__file__).resolve().parents[2]

# The command in another process, with the test world's package and catalogue.
SCRIPT = """
import sys
import django
django.setup()
from django.core.management import call_command
from mutualis.claims import facts
from tests.claims.conftest import _catalogue, _version

package = int(sys.argv[1])
version, catalogue = _version(str(package)), _catalogue()
with facts.override_sources(
    packages=lambda ids: (version,) if package in {int(i) for i in ids} else (),
    catalogue=lambda mutual, codes=None: {
        k: v for k, v in catalogue.items() if codes is None or k in codes
    },
):
    call_command("adjudicate", "--mutual", "MAF", "--today", sys.argv[2], "--chunk", "3")
"""


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
    name = str(s["NAME"])
    if name.startswith(":memory:") or "mode=memory" in name:
        pytest.skip("the test database lives in memory: another process cannot open it")
    return f"sqlite:///{Path(name).resolve()}"


def _reset() -> None:
    """Every claim back to `entered`, as before the first run."""
    ClaimEvent.objects.filter(kind="decided").delete()
    Claim.objects.update(status="entered", accepted=0, mutual_share=0, member_share=0, payee="")
    ClaimLine.objects.update(
        status="", reasons=[], notes=[], accepted_quantity=0, accepted=0, mutual_share=0,
        member_share=0, deductible=0, payee="", package_id=None, item_rule=False,
    )  # fmt: skip
    ConsumptionCounter.objects.update(accepted=0, mutual_share=0)


@pytest.mark.django_db(transaction=True)
def test_a_killed_run_resumes_to_the_same_decisions(world, provider, claims_officer, org_tree):
    claims = [
        claim_defer(actor=claims_officer, provider=provider, data=d, today=TODAY)
        for d in _random_inputs(4, 24)
    ]
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "mutualis.settings",
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        PAUSE_ENV: "2",
    }
    run = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(world.package.pk), TODAY.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not Claim.objects.exclude(status="entered").exists():
            assert run.poll() is None, run.stderr.read().decode()
            assert time.monotonic() < deadline, "the first chunk never committed"
            time.sleep(0.05)
        os.kill(run.pid, signal.SIGKILL)  # during the pause after the first chunk
    finally:
        run.wait()

    decided = Claim.objects.exclude(status="entered")
    assert 0 < decided.count() < len(claims)
    assert not ClaimLine.objects.filter(claim__in=decided, status="").exists()
    assert not ClaimLine.objects.filter(claim__status="entered").exclude(status="").exists()

    claims_adjudicate(actor=None, mutual=org_tree.mutual, today=TODAY, chunk=5)
    resumed = decisions(claims)
    if connection.vendor == "postgresql":  # the killed run's log no longer says "running"
        logs = BatchLog.objects.filter(kind=KIND).order_by("pk")
        assert [log.status for log in logs] == ["failed", "succeeded"]
        assert logs[0].message.startswith("Interrupted")
    _reset()
    claims_adjudicate(actor=None, mutual=org_tree.mutual, today=TODAY)

    assert decisions(claims) == resumed
    assert not Claim.objects.filter(status="entered").exists()
    assert ClaimEvent.objects.filter(kind="decided").count() == len(claims)
