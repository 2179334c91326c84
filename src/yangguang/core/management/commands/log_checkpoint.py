from django.core.management.base import BaseCommand

from yangguang.core.eventlog import checkpoint_sign


class Command(BaseCommand):
    help = "Sign a checkpoint (tree head) of the event log now."

    def handle(self, *args, **options):
        cp = checkpoint_sign(reason="command")
        self.stdout.write(f"signed checkpoint: size {cp.size}, root {cp.root_hash}")
