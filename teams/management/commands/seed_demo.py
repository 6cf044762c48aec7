from django.core.management.base import BaseCommand

from teams.demo import DEMO_PASSWORD, ROLE_LOGINS, seed_demo


class Command(BaseCommand):
    help = "Create (or leave unchanged) the demo organisation with one login per role. Idempotent."

    def handle(self, *args: object, **options: object) -> None:
        org = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo organisation ready: /o/{org.slug}/"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for spec in ROLE_LOGINS:
            self.stdout.write(f"  {spec.role:<8} {spec.email:<24} {spec.name}")
