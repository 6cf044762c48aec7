import time

from django.core.management.base import BaseCommand, CommandParser

from teams.scale import SCALE_PASSWORD, seed_scale


class Command(BaseCommand):
    help = "Create a large organisation for benchmarks (bulk inserts). Skips when it exists unless --reset."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=500,
            help="People created with the teams; the payroll extension then tops the organisation up "
            "to STRETCH_SCALE_PAYROLL (5,000 by default).",
        )
        parser.add_argument("--teams", type=int, default=50)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--reset", action="store_true", help="Delete and recreate the scale organisation."
        )

    def handle(self, *args: object, **options: int | bool) -> None:
        started = time.perf_counter()
        result = seed_scale(
            people=int(options["people"]),
            teams=int(options["teams"]),
            seed=int(options["seed"]),
            reset=bool(options["reset"]),
        )
        verb = "Created" if result.created else "Kept existing"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} /o/{result.org.slug}/: {result.teams} teams, {result.people} people "
                f"in {time.perf_counter() - started:.1f}s"
            )
        )
        self.stdout.write(
            f"Any person{{0000..{result.people - 1:04d}}}@scale.stretch signs in with {SCALE_PASSWORD}"
        )
