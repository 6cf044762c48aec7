# ruff: noqa: F811 - the fixtures imported from test_alerts are the arguments of the tests
"""Plain-JSON webhooks carry a timestamp in their signature, and the receiver's check documented in
docs/tracking.md ("Verifying a plain-JSON webhook") accepts a fresh delivery and refuses a replay
older than 5 minutes, a changed timestamp and a changed body."""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.tracking.test_alerts import behind, goal, lead, sales  # noqa: F401 - fixtures
from tracking import channels, services

DOC = Path(__file__).resolve().parents[2] / "docs" / "tracking.md"


def documented_verify():
    """The receiver's check exactly as the docs print it."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Verifying a plain-JSON webhook", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]


class RawReceiver(BaseHTTPRequestHandler):
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        RawReceiver.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def raw_receiver():
    RawReceiver.received = []
    server = HTTPServer(("127.0.0.1", 0), RawReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_delivered_json_webhook_verifies_now_and_is_refused_as_a_replay(
    org,
    admin,
    lead,
    goal,
    raw_receiver,
    django_capture_on_commit_callbacks,
):
    services.channel_save(org=org, actor=admin, name="json", kind="json", url=f"{raw_receiver}/hook",
                          secret="s3cret", team_id=goal.team_id)  # fmt: skip
    behind(org, lead, goal, "9.6")
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_evaluate(org=org)
    assert len(RawReceiver.received) == 1
    headers, body = RawReceiver.received[0]
    stamp = int(headers["X-Stretch-Timestamp"])
    assert abs(time.time() - stamp) < 60
    verify = documented_verify()
    assert verify("s3cret", headers, body)
    assert verify("s3cret", headers, body, now=stamp + 299)
    assert not verify("s3cret", headers, body, now=stamp + 301)  # replayed more than 5 minutes later
    assert not verify("other", headers, body)
    assert not verify("s3cret", headers, body + b" ")
    moved = {**headers, "X-Stretch-Timestamp": str(stamp + 200)}  # a fresher timestamp on an old request
    assert not verify("s3cret", moved, body, now=stamp + 400)
    assert not verify("s3cret", {k: v for k, v in headers.items() if k != "X-Stretch-Timestamp"}, body)


def test_the_signature_covers_the_timestamp_and_the_body():
    seconds = 1_700_000_000
    request = channels.build(kind="json", url="https://example.com/hook", secret="k", text="t", event={"a": 1},
                             now_seconds=seconds)  # fmt: skip
    assert request.headers["X-Stretch-Timestamp"] == str(seconds)
    assert request.headers["X-Stretch-Signature"] == channels.json_sign("k", seconds, request.body)
    assert documented_verify()("k", request.headers, request.body, now=seconds + 10)
    later = channels.build(kind="json", url="https://example.com/hook", secret="k", text="t", event={"a": 1},
                           now_seconds=seconds + 1)  # fmt: skip
    assert (
        later.body == request.body
        and later.headers["X-Stretch-Signature"] != request.headers["X-Stretch-Signature"]
    )
