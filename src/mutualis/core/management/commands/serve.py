import os
import shutil
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Mutualis with the production server (granian, WSGI)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))

    def handle(self, *args, host, port, workers, **options):
        granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which(
            "granian"
        )
        if not granian:
            self.stderr.write("granian is not installed; run `make run`.")
            sys.exit(1)
        self.stdout.write(f"Mutualis on http://{host}:{port}/  (Ctrl+C to stop)")
        sys.stdout.flush()
        os.execv(
            granian,
            [
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
            ],
        )
