"""Load the demo data: a city with 8 counties, their centres, one account per role, and each app's demo.

Idempotent: every loader looks up before it creates, so a second run changes nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_LOADERS = [
    "yangguang.accounts.demo",
    "yangguang.catalogue.demo",
    "yangguang.suppliers.demo",
    "yangguang.projects.demo",
    "yangguang.notices.demo",
    "yangguang.tendering.demo",
    "yangguang.auctions.demo",
    "yangguang.experts.demo",
    "yangguang.bidding.demo",
    "yangguang.evaluation.demo",
]


class Command(BaseCommand):
    help = "Load the demo data (idempotent)."

    def handle(self, *args, **options):
        from importlib import import_module

        from yangguang.core.eventlog import checkpoint_sign
        from yangguang.core.services import calendar_seed_from_package

        calendar_seed_from_package()
        for name in DEMO_LOADERS:
            module = import_module(name)
            with transaction.atomic():
                summary = module.load()
            self.stdout.write(f"{name.rsplit('.', 2)[-2]}: {summary}")
        checkpoint_sign(reason="demo loaded")
