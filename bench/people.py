"""People (一对一沟通, pulses, burnout signal) at scale, in-process against PostgreSQL, against the
floor page `/o/<org>/floor/` measured in the same run:

- pulse results for 5,000 people over 52 weekly organisation pulses (3–4 questions each, about
  800,000 anonymous answers): the results page (the latest pulse, with a team's trend), the
  `pulse-results/` API, and the team trend read over all 52 pulses;
- the one-on-one page with a year of history: 26 meetings every two weeks, each with talking
  points and an action, plus a year of stand-ups, stars, nominations, growth notes and failed
  experiments for the member, who owns an active goal;
- the burnout signal for a 40-person team: the team load page and the `team-burnout/` API, each
  person with a goal and ten weeks of stand-ups.

    .venv/bin/python bench/people.py                 # prints a Markdown section
    .venv/bin/python bench/people.py --write         # also adds it to docs/benchmarks.md
    ... --database NAME --redis N --repeat 5
    ... --database NAME --existing                  # measure a database seeded before (no reseed)

Recreates the database (default `stretch_bench_people`), PostgreSQL on 127.0.0.1:5432; Redis db
given by --redis (default 15). Each page is requested with Django's test client, one request at a
time, after a warm-up; the figure is the median wall time and the median CPU time of this process."""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta

from inprocess import ROOT, publish, use_database

PEOPLE = 5000
WEEKS = 52
TEAM_SIZE = 50
LOAD_TEAM = 40


def _arg(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def seed() -> dict[str, object]:  # noqa: PLR0915 - one straight seeding script
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from people import services as people_services
    from people.models import Cadence, Pulse
    from people.services.pulses import pulse_make
    from plans.models import Initiative, Status
    from recognition.models import GrowthReward, Nomination, RewardKind, Star
    from teams import services as team_services
    from teams.models import Membership, Role, Team
    from teams.selectors import org_today
    from tests import factories
    from tracking.models import Standup

    user_model = get_user_model()
    founder = user_model.objects.create_user("founder@people.bench", None, display_name="Founder")
    org = team_services.organization_create(name="People bench", slug="people-bench", creator=founder,
                                            default_language="en")  # fmt: skip
    today = org_today(org)
    with transaction.atomic():
        users = user_model.objects.bulk_create(
            [
                user_model(email=f"p{n:04d}@people.bench", display_name=f"Person {n:04d}")
                for n in range(PEOPLE)
            ]
        )
        roles = [
            Role.HR if n == 0 else Role.MANAGER if n % TEAM_SIZE == 1 else Role.MEMBER for n in range(PEOPLE)
        ]
        people = Membership.objects.bulk_create(
            [Membership(org=org, user=u, role=r) for u, r in zip(users, roles, strict=True)]
        )
        # The load team: a manager and 40 members; the rest in teams of 50.
        load_manager, load_members = people[1], people[2 : 2 + LOAD_TEAM]
        load_team = team_services.team_create(org=org, name="Load team", parent=None, managers=[load_manager])
        through = Membership.teams.through
        links = [through(membership_id=m.pk, team_id=load_team.pk) for m in [load_manager, *load_members]]
        rest = people[2 + LOAD_TEAM :]
        teams = Team.objects.bulk_create(
            [Team(org=org, name=f"Team {n:03d}") for n in range(len(rest) // TEAM_SIZE + 1)]
        )
        links += [through(membership_id=m.pk, team_id=teams[n // TEAM_SIZE].pk) for n, m in enumerate(rest)]
        through.objects.bulk_create(links)
    # 52 weekly organisation pulses, all closed; every person answers each (SQL, in the database).
    hr = people[0]
    for week in range(WEEKS, 0, -1):
        opens = today - timedelta(weeks=week)
        pulse_make(
            org=org, team=None, opens_on=opens, closes_on=opens + timedelta(days=4), threshold=5, actor=hr
        )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO people_pulseanswer (id, org_id, pulse_id, question_id, team_id, score)
            SELECT gen_random_uuid(), %(org)s, q.pulse_id, q.id, mt.team_id, 1 + floor(random() * 5)::int
            FROM people_pulsequestion q
            JOIN teams_membership m ON m.org_id = %(org)s
            LEFT JOIN LATERAL (SELECT team_id FROM teams_membership_teams t WHERE t.membership_id = m.id
                               ORDER BY team_id LIMIT 1) mt ON true
            WHERE q.org_id = %(org)s
            """,
            {"org": org.pk},
        )
        cursor.execute(
            """
            INSERT INTO people_pulseparticipation (org_id, pulse_id, member_id)
            SELECT %(org)s, p.id, m.id FROM people_pulse p JOIN teams_membership m ON m.org_id = %(org)s
            WHERE p.org_id = %(org)s
            """,
            {"org": org.pk},
        )
        cursor.execute("SELECT count(*) FROM people_pulseanswer WHERE org_id = %s", [org.pk])
        answers = cursor.fetchone()[0]
        cursor.execute("ANALYZE")
    # The load team: a goal each and ten weeks of stand-ups with mood and blockers.
    member = load_members[0]
    goals = [factories.goal(org, m, actor=load_manager, team=load_team, scope="team", status="active")
             for m in load_members]  # fmt: skip
    Standup.objects.bulk_create(
        [Standup(org=org, member=m, day=today - timedelta(days=d), today="Work", mood=1 + (d + n) % 5,
                 blockers="Waiting on data" if d % 9 == 0 else "")
         for n, m in enumerate(load_members) for d in range(1, 71)]
    )  # fmt: skip
    # A year of one-on-ones between the manager and the first member, every two weeks.
    series = people_services.series_start(actor=load_manager, team=load_team, member=member,
                                          cadence=Cadence.BIWEEKLY, next_date=today + timedelta(days=1))  # fmt: skip
    current = series.meetings.get()
    for n in range(26):
        people_services.agenda_add(meeting=current, author=member, text=f"Point {n}")
        people_services.action_add(
            meeting=current, actor=load_manager, owner=member, text=f"Action {n}", due=None
        )
        current = people_services.meeting_hold(meeting=current, actor=load_manager)
    for n in range(12):
        month = (today.replace(day=1) - timedelta(days=31 * n)).replace(day=1)
        Star.objects.create(org=org, team=load_team, month=month, member=member, citation=f"Star {n}")
        Nomination.objects.create(
            org=org, month=month, nominator=load_members[1], nominee=member, reason="Helped"
        )
        GrowthReward.objects.create(org=org, member=member, kind=RewardKind.TRAINING, title=f"Course {n}")
        Initiative.objects.create(org=org, goal=goals[0], owner=member, title=f"Experiment {n}", start_date=today,
                                  baseline_start=today, is_experiment=True, status=Status.FAILED,
                                  finished_at=today - timedelta(days=7 * n), lesson="Learnt")  # fmt: skip
    latest = Pulse.objects.filter(org=org).order_by("-closes_on").first()
    return {"org": org, "hr": hr, "manager": load_manager, "team": load_team, "series": series,
            "pulse": latest, "answers": answers, "teams": len(teams) + 1}  # fmt: skip


def existing() -> dict[str, object]:
    """The seeded data of a database seeded before (`--existing`), found again."""
    from django.db import connection

    from people.models import Pulse, Series
    from teams.models import Membership, Organization, Team

    org = Organization.objects.get(slug="people-bench")
    series = Series.objects.select_related("manager", "team").filter(org=org).order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_pulseanswer WHERE org_id = %s", [org.pk])
        answers = cursor.fetchone()[0]
    return {"org": org, "hr": Membership.objects.get(org=org, user__email="p0000@people.bench"),
            "manager": series.manager, "team": series.team, "series": series,  # type: ignore[union-attr]
            "pulse": Pulse.objects.filter(org=org).order_by("-closes_on").first(), "answers": answers,
            "teams": Team.objects.filter(org=org).count()}  # fmt: skip


def measure(client: object, path: str, repeat: int) -> tuple[int, float, float]:
    """(status, median wall ms, median CPU ms) after one warm-up request."""
    status = client.get(path).status_code  # type: ignore[attr-defined]
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(path)  # type: ignore[attr-defined]
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return status, statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def main() -> None:
    database = _arg("--database", "stretch_bench_people")
    repeat = int(_arg("--repeat", "5"))
    if "--existing" in sys.argv:
        sys.path.insert(0, str(ROOT))
        os.environ.update(DJANGO_SETTINGS_MODULE="config.settings.local", CELERY_TASK_ALWAYS_EAGER="false",
                          DEBUG="false", DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}")  # fmt: skip
    else:
        use_database(database)
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:6379/{_arg('--redis', '15')}"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from people import selectors

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    data = existing() if "--existing" in sys.argv else seed()
    seeded = time.perf_counter() - started
    org, slug = data["org"], data["org"].slug  # type: ignore[attr-defined]
    clients = {}
    for key in ("hr", "manager"):
        clients[key] = Client()
        clients[key].force_login(data[key].user)  # type: ignore[attr-defined]
    pulse, team, series = data["pulse"], data["team"], data["series"]
    rows: list[tuple[str, str, str]] = [
        ("floor: an organisation page rendering only base.html", f"/o/{slug}/floor/", "hr"),
        (f"pulse results page, latest of {WEEKS} pulses of {PEOPLE:,} people, with a team's trend",
         f"/o/{slug}/people/pulses/{pulse.pk}/results/?team={team.pk}", "hr"),  # type: ignore[attr-defined]
        ("`pulse-results/` API (latest closed pulse)", f"/api/v1/orgs/{slug}/pulse-results/", "hr"),
        ("one-on-one page with a year of history", f"/o/{slug}/people/one-on-ones/{series.pk}/", "manager"),  # type: ignore[attr-defined]
        (f"burnout signal: team load page, a {LOAD_TEAM}-person team",
         f"/o/{slug}/people/load/?team={team.pk}", "manager"),  # type: ignore[attr-defined]
        (f"burnout signal: `team-burnout/` API, a {LOAD_TEAM}-person team",
         f"/api/v1/orgs/{slug}/team-burnout/?team={team.pk}", "manager"),  # type: ignore[attr-defined]
    ]  # fmt: skip
    results = [(name, *measure(clients[who], path, repeat)) for name, path, who in rows]
    floor = results[0][2]
    trend_times = []
    for _ in range(repeat):
        wall = time.perf_counter()
        selectors.team_trend(org=org, team=team, limit=WEEKS)  # type: ignore[arg-type]
        trend_times.append(time.perf_counter() - wall)
    trend = statistics.median(trend_times) * 1000
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
    lines = [
        f"### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — people at scale, in-process",
        "",
        f"Command: `.venv/bin/python bench/people.py --write` ({pg}; 2-core machine shared with other "
        f"sessions, so loaded: figures are indicative; {PEOPLE:,} people in {data['teams']} teams, "
        f"{WEEKS} closed weekly pulses with {data['answers']:,} anonymous answers; seeding took {seeded:.0f} s). "
        f"Median of {repeat} requests after a warm-up, one at a time (Django's test client).",
        "",
        "| what | status | median wall | median CPU (this process) | ÷ floor |",
        "|---|--:|--:|--:|--:|",
        *[
            f"| {name} | {status} | {wall:.0f} ms | {cpu:.0f} ms | {wall / floor:.1f}× |"
            for name, status, wall, cpu in results
        ],  # fmt: skip
        f"| `team_trend` selector over all {WEEKS} pulses (not a page) | — | {trend:.0f} ms | — | {trend / floor:.1f}× |",
        "",
        "The issue's bar is within 5× the floor page for pulse results, the one-on-one page and the "
        "burnout signal of a 40-person team.",
        "",
    ]
    publish("\n".join(lines))


if __name__ == "__main__":
    main()
