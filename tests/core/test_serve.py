"""`mutualis serve` (what `make run` ends with) serves pages and runs the background worker
that large imports and batch runs are queued for, and stops both on Ctrl+C."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _children(pid: int) -> list[tuple[int, str]]:
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[1]) == pid:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                out.append((int(proc.name), cmd))
        except OSError:
            continue
    return out


@pytest.mark.django_db(transaction=True)
def test_serve_starts_the_worker_beside_the_server_and_stops_both():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": _database_url(), "WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mutualis.manage", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        status, deadline = None, time.monotonic() + 120
        while status is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as r:
                    status = r.status
            except OSError:
                time.sleep(0.5)
        assert status == 200
        workers = [pid for pid, cmd in _children(proc.pid) if "db_worker" in cmd]
        assert len(workers) == 1
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        assert not Path(f"/proc/{workers[0]}").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
