"""The background worker: the chronograph and the log's periodic checkpoints.

Safe to run several at once: due objects are claimed with SKIP LOCKED, checkpoints under a lock."""

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from yangguang.core.chronograph import chronograph_run
from yangguang.core.eventlog import checkpoint_sign, head, log_size

log = logging.getLogger("yangguang.worker")


class Command(BaseCommand):
    help = "Run the background worker (chronograph + signed log checkpoints)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one tick and exit")

    def handle(self, *args, **options):
        stop = {"now": False}

        def _stop(*_a):
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        last_checkpoint = 0.0
        while not stop["now"]:
            close_old_connections()
            handled = 0
            try:
                handled = chronograph_run()
                if handled:
                    log.info("chronograph applied %s due steps", handled)
                latest = head()
                due = time.monotonic() - last_checkpoint >= settings.YANGGUANG_CHECKPOINT_INTERVAL
                if latest is None or (due and latest.size != log_size()):
                    cp = checkpoint_sign(reason="periodic")
                    last_checkpoint = time.monotonic()
                    log.info("signed checkpoint size=%s", cp.size)
            except Exception:
                log.exception("worker tick failed; retrying next tick")
            if options["once"]:
                break
            if not handled:  # a busy tick (a backlog after downtime) goes straight on to the next one
                time.sleep(settings.YANGGUANG_WORKER_TICK)
