import os
import shutil
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve Mutualis with the production server (granian, WSGI) and, unless --no-worker, "
        "one background worker for queued work (large imports, batch runs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background worker (run `mutualis db_worker` yourself).",
        )

    def handle(self, *args, host, port, workers, no_worker, **options):
        granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which(
            "granian"
        )
        if not granian:
            self.stderr.write("granian is not installed; run `make run`.")
            sys.exit(1)
        server_cmd = [
            granian,
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            os.environ.get("THREADS", "8"),
            "--backpressure",
            os.environ.get("THREADS", "8"),
            "--no-ws",
            "mutualis.wsgi:application",
        ]
        self.stdout.write(f"Mutualis on http://{host}:{port}/  (Ctrl+C to stop)")
        sys.stdout.flush()
        if no_worker:
            os.execv(granian, server_cmd)
        worker = subprocess.Popen(
            [sys.executable, "-m", "mutualis.manage", "db_worker", "--queue-name", "*", "-v", "0"]
        )
        self.stdout.write("Background worker started (queued imports and batch runs).")
        sys.stdout.flush()
        server = subprocess.Popen(server_cmd)

        def stop(signum, frame):
            for proc in (server, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            code = server.wait()
        finally:
            stop(None, None)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        sys.exit(code)
