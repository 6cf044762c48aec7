"""Running work as another request or job would: on other database connections, in threads, all
starting at the same moment (two beats by mistake, a job and a sweep)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from celery._state import _set_task_join_will_block
from django.db import connection


def at_once(*works: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Run each callable in its own thread and connection, released together; returns their
    results in order, and raises the first error any of them met."""
    barrier = threading.Barrier(len(works))
    results: list[Any] = [None] * len(works)
    errors: list[BaseException] = []

    def run(index: int, work: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout)
            results[index] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    # Celery's eager mode keeps a process-wide "joining a result would block" flag that it sets and
    # restores around each job; jobs in two threads at once can leave it set, which would make
    # every later test's `.get()` fail. The threads are done: put it back.
    _set_task_join_will_block(False)
    if errors:
        raise errors[0]
    return results


class Holding:
    """Hold something on another connection (a job lock, as a live worker does) until released."""

    def __init__(self, enter: Callable[[], Any]) -> None:
        self._enter = enter
        self._ready, self._release = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            with self._enter():
                self._ready.set()
                self._release.wait(60)
        finally:
            connection.close()

    def __enter__(self) -> Holding:
        self._thread.start()
        self._ready.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._thread.join(30)
