"""Serve the platform over ASGI (uvicorn) with the background worker beside it."""

import os
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform (ASGI) on HOST:PORT and start the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--no-worker", action="store_true", help="do not start the background worker")

    def handle(self, *args, **options):
        import uvicorn
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "yangguang.cli", "worker"])
        try:
            uvicorn.run("yangguang.asgi:application", host=options["host"], port=options["port"],
                        workers=options["workers"], log_level="info", lifespan="off")
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
