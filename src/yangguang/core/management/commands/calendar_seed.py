from django.core.management.base import BaseCommand

from yangguang.core.services import calendar_seed_from_package


class Command(BaseCommand):
    help = "Seed holidays and make-up working days from the chinese-calendar package (idempotent)."

    def handle(self, *args, **options):
        years = calendar_seed_from_package()
        self.stdout.write(f"seeded years: {years or 'none (all present)'}")
