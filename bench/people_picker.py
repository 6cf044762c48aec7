"""The people pickers on `seed_scale` data (5,000 people): the search endpoint by name, e-mail and
pinyin (with --chinese-names, "zw" and "zhangwei" find 张伟), and the pages whose forms choose several people (team settings, squads), in-process.

    .venv/bin/python bench/people_picker.py --database wt_x                   # measure as it is
    .venv/bin/python bench/people_picker.py --database wt_x --chinese-names   # first give everyone a
                                                                              # Chinese name (once)

Median wall and CPU (this process) milliseconds of `--repeat` requests after a warm-up, the page's
size and how many options it lists (matches, checkboxes, <option>s), and PostgreSQL's plan and server time for the search of "zw"
and "zhangwei"."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "person0000@scale.stretch"
MANAGER = "person0100@scale.stretch"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文飞云峰鑫波宁"


def chinese_names() -> None:
    from django.db import connection

    from teams.models import User
    from teams.pinyin import name_search_key

    users = list(User.objects.filter(email__endswith="@scale.stretch").order_by("pk"))
    for n, user in enumerate(users):
        given = GIVEN[n % len(GIVEN)] + ("" if n % 3 == 0 else GIVEN[(n * 7 + 3) % len(GIVEN)])
        user.display_name = SURNAMES[(n * 13) % len(SURNAMES)] + given
        user.search_key = name_search_key(user.display_name, user.email)
    User.objects.bulk_update(users, ["display_name", "search_key"], batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE teams_user")
    print(f"{len(users):,} people renamed, e.g. {users[0].display_name}, {users[1].display_name}")


def measure(client, url: str, repeat: int) -> tuple[float, float, int, int, int]:
    client.get(url)
    walls, cpus = [], []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(url)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    found = sum(response.content.count(mark) for mark in (b"data-value=", b'type="checkbox"', b"<option"))
    return (
        statistics.median(walls),
        statistics.median(cpus),
        response.status_code,
        len(response.content),
        found,
    )


def explain(text: str) -> str:
    from django.db import connection

    from teams.models import Organization
    from teams.people_picker import active_people
    from teams.scale import SCALE_ORG_SLUG

    org = Organization.objects.get(slug=SCALE_ORG_SLUG)
    people = active_people(org)
    if not hasattr(people.model.user.field.related_model, "search_key"):
        return "(no search key in this version)"
    qs = people
    for word in text.lower().split():
        qs = qs.filter(user__search_key__contains=word)
    sql, params = qs.order_by("user__display_name", "user__email", "pk")[:21].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    uses = "trigram index" if any("search_key_trgm" in line for line in plan) else "sequential scan"
    total = next((line for line in plan if line.startswith("Execution Time")), "")
    return f"{uses}, {total}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="an existing database holding seed_scale data")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--chinese-names", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.local", CELERY_TASK_ALWAYS_EAGER="false", DEBUG="false",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
    )  # fmt: skip
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from teams.models import User
    from teams.scale import SCALE_ORG_SLUG

    if args.chinese_names:
        chinese_names()
    clients = {}
    for email in (ADMIN, MANAGER):
        clients[email] = Client()
        clients[email].force_login(User.objects.get(email=email))
    pick = reverse("people_pick", args=[SCALE_ORG_SLUG, "people"]) + "?for=id_managers&q="
    rows = [
        ("team settings (admin)", ADMIN, reverse("team_list", args=[SCALE_ORG_SLUG])),
        ("squads (manager)", MANAGER, reverse("plan_squads", args=[SCALE_ORG_SLUG])),
        *[
            (f"picker q={q!r}", MANAGER, pick + q)
            for q in ("", "张", "zw", "zhangwei", "zhang wei", "person0042", "nobody")
        ],
    ]
    print("| request | wall ms | CPU ms | HTTP | bytes | options |\n|---|--:|--:|--:|--:|--:|")
    for name, who, url in rows:
        wall, cpu, status, size, found = measure(clients[who], url, args.repeat)
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {status} | {size:,} | {found} |")
    for text in ("zw", "zhangwei", "person0042"):
        print(f"search {text!r}: {explain(text)}")


if __name__ == "__main__":
    main()
