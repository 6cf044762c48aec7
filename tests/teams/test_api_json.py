"""The API's JSON encoded by orjson (teams.api_json) is the JSON DRF's renderer writes: an
integrator sees the same bytes, only sooner."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from teams import api_json
from teams.api_json import FastJSONRenderer, ndjson_encoder

needs_orjson = pytest.mark.skipif(api_json.orjson is None, reason="orjson is not installed")

SAMPLE = {
    "id": 7,
    "title": 'Grow revenue — 营收\u2028line\u2029para "quoted" \\ \t\n',
    "weight": Decimal("1.50"),
    "ratio": 0.1,
    "done": True,
    "none": None,
    "start_date": date(2026, 1, 31),
    "at": datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
    "local": datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8))),
    "naive": datetime(2026, 3, 1, 9, 30, 15, 5000),  # noqa: DTZ001 - DRF's encoder is handed naive ones too
    "label": gettext_lazy("Reporting"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "nested": [{"a": [1, 2, {"b": None}]}, [], {}],
    "by_id": {1: "one", 2: "two"},
}


@needs_orjson
def test_the_api_json_is_byte_for_byte_what_drf_writes():
    assert FastJSONRenderer().render(SAMPLE) == JSONRenderer().render(SAMPLE)
    assert FastJSONRenderer().render([SAMPLE, SAMPLE]) == JSONRenderer().render([SAMPLE, SAMPLE])


@needs_orjson
def test_a_very_small_float_is_the_same_number_spelled_shorter():
    tiny = {"tiny": 1e-07, "small": 1e-05}
    assert FastJSONRenderer().render(tiny) == b'{"tiny":1e-7,"small":0.00001}'
    assert json.loads(FastJSONRenderer().render(tiny)) == json.loads(JSONRenderer().render(tiny)) == tiny


@needs_orjson
def test_what_orjson_refuses_is_written_by_drf_and_indented_json_still_indents():
    huge = {"count": 2**70}
    assert (
        FastJSONRenderer().render(huge) == JSONRenderer().render(huge) == b'{"count":1180591620717411303424}'
    )
    indented = FastJSONRenderer().render({"a": 1}, "application/json; indent=2")
    assert indented == JSONRenderer().render({"a": 1}, "application/json; indent=2") == b'{\n  "a": 1\n}'
    assert FastJSONRenderer().render(None) == b""


def test_without_orjson_the_same_json_is_written(monkeypatch):
    monkeypatch.setattr(api_json, "orjson", None)
    assert FastJSONRenderer().render(SAMPLE) == JSONRenderer().render(SAMPLE)
    lines = b"".join(ndjson_encoder()(row) for row in (SAMPLE, {"count": 2**70}))
    assert [json.loads(line) for line in lines.splitlines()] == [_parsed(SAMPLE), {"count": 2**70}]


def _parsed(row: dict) -> dict:
    return json.loads(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False))


@needs_orjson
def test_an_ndjson_line_is_one_row_as_django_writes_it():
    line = ndjson_encoder()
    text = line(SAMPLE) + line({"count": 2**70})
    assert text.endswith(b"\n")
    first, second = text.decode().split("\n")[:2]
    assert json.loads(first) == _parsed(SAMPLE)
    assert json.loads(first)["at"] == "2026-03-01T09:30:15.123Z"  # milliseconds, as Django writes them
    assert json.loads(second) == {"count": 2**70}


@pytest.mark.parametrize("with_orjson", [True, False])
def test_an_ndjson_line_can_write_datetimes_as_the_api_lists_do(monkeypatch, with_orjson):
    """The goals export writes a row's datetimes as the goals list does (DRF's encoder: with the
    microseconds, `Z` for UTC); everything else as Django writes it (a decimal as text)."""
    if not with_orjson:
        monkeypatch.setattr(api_json, "orjson", None)
    elif api_json.orjson is None:
        pytest.skip("orjson is not installed")
    row = {key: SAMPLE[key] for key in ("at", "local", "naive", "weight", "label", "start_date")}
    line = ndjson_encoder(drf_datetimes=True)(row)
    listed = json.loads(JSONRenderer().render(row))
    assert json.loads(line) == {**listed, "weight": "1.50"}  # DRF writes a decimal as a number
    assert line == (
        b'{"at":"2026-03-01T09:30:15.123456Z","local":"2026-03-01T09:30:00+08:00",'
        b'"naive":"2026-03-01T09:30:15.005000","weight":"1.50","label":"Reporting","start_date":"2026-01-31"}\n'
    )
