import sys
import time

from django.core.management.base import BaseCommand

from yangguang.core.eventlog import verify_log


class Command(BaseCommand):
    help = "Recompute every event's hash, the chain, the Merkle nodes and every signed checkpoint."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=20000)

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = verify_log(batch=options["batch"])
        elapsed = time.perf_counter() - started
        if report.error:
            self.stderr.write(f"LOG ALTERED: {report.error}")
            sys.exit(1)
        self.stdout.write(
            f"log intact: {report.size} events, {report.nodes} Merkle nodes, {report.checkpoints} signed "
            f"checkpoints verified in {elapsed:.2f} s"
        )
