"""The API's JSON, encoded by orjson when it is installed (the big reads: the goal tree, cursor
pages of 1,000 and the NDJSON exports write 1.4–2 MB, which the standard library's encoder takes
tens of milliseconds to write). The text is the one DRF's `JSONRenderer` writes (compact, UTF-8,
U+2028 and U+2029 escaped; only a float below 1e-4 is spelled otherwise, `1e-7` for `1e-07`, the
same number): datetimes, dates and times are written by orjson itself as DRF's encoder writes
them (ISO 8601 with the microseconds, `Z` for a zero offset); decimals, lazy translations and any
other type orjson does not write itself go through the encoder DRF would use; anything orjson
refuses (an integer beyond 64 bits, say) and a request for indented JSON fall back to DRF's
renderer. A large goal read embeds JSON written beforehand (`json_bytes`, `raw_json`) only when
orjson writes the answer (`FastJSONRenderer.writes_with_orjson`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework.renderers import JSONRenderer

try:  # optional: without it the API writes the same JSON with the standard library, slower
    import orjson
except ImportError:  # pragma: no cover - orjson is in requirements/lock.txt
    orjson = None

_DRF_DEFAULT = JSONRenderer.encoder_class().default
_DJANGO_DEFAULT = DjangoJSONEncoder().default


def _options() -> int:
    # Datetimes through `default` (Django's encoder writes milliseconds, orjson microseconds); dict
    # keys that are not text as json.dumps writes them.
    return orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS if orjson else 0


def _native_options() -> int:
    # Datetimes, dates and times written by orjson itself: what DRF's encoder writes (ISO 8601 with
    # the microseconds, `Z` for a zero offset), without a call to `default` for each.
    return orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS if orjson else 0


_OPTIONS = _options()
_NATIVE_OPTIONS = _native_options()


def _escaped(text: bytes) -> bytes:
    """U+2028 and U+2029 escaped, as DRF writes them (JSON that is also JavaScript)."""
    # Their last bytes first (one memchr each, against a slow 3-byte search through text full of
    # dashes and quotes, U+2000-U+203F, that share the first two).
    if b"\xa8" in text or b"\xa9" in text:
        text = text.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return text


class FastJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer, encoding with orjson (REST_FRAMEWORK's DEFAULT_RENDERER_CLASSES)."""

    def writes_with_orjson(self, accepted_media_type: str | None, renderer_context: Any = None) -> bool:
        """Whether this answer is written by orjson (not DRF's encoder: indented JSON, say), so may
        hold JSON already written (`raw_json`)."""
        return (
            orjson is not None
            and self.compact
            and not self.ensure_ascii
            and self.get_indent(accepted_media_type or "", renderer_context or {}) is None
        )

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None or not self.writes_with_orjson(accepted_media_type, renderer_context):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            return _escaped(orjson.dumps(data, default=_DRF_DEFAULT, option=_NATIVE_OPTIONS))
        except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
            return super().render(data, accepted_media_type, renderer_context)


def json_bytes(value: Any) -> bytes:
    """A value written as the API's JSON writers write it (orjson, lazy translations as text), to be
    kept and written again as it is (`orjson.Fragment`, see `raw_json`)."""
    return bytes(orjson.dumps(value, default=_DRF_DEFAULT, option=_NATIVE_OPTIONS))


def raw_json(text: bytes) -> Any:
    """JSON already written (`json_bytes`) for orjson to write as it is; only for a writer that
    encodes with orjson (`FastJSONRenderer.writes_with_orjson`, `ndjson_encoder`)."""
    return orjson.Fragment(text)


class _DRFDatetimesEncoder(DjangoJSONEncoder):
    """Django's encoder, but datetimes as DRF's encoder writes them (with the microseconds)."""

    def default(self, o: Any) -> Any:
        return _DRF_DEFAULT(o) if isinstance(o, datetime) else super().default(o)


def ndjson_encoder(*, drf_datetimes: bool = False) -> Callable[[dict[str, Any]], bytes]:
    """One row as a line of compact JSON (with its newline), in UTF-8: orjson when installed,
    else the standard library; values it does not write itself as Django's encoder writes them,
    datetimes too (in milliseconds) unless `drf_datetimes` (as the API's lists write them)."""
    encoder: Any = _DRFDatetimesEncoder if drf_datetimes else DjangoJSONEncoder
    if orjson is None:
        encode = encoder(ensure_ascii=False, separators=(",", ":")).encode
        return lambda row: (encode(row) + "\n").encode()
    dumps = orjson.dumps
    options = (_NATIVE_OPTIONS if drf_datetimes else _OPTIONS) | orjson.OPT_APPEND_NEWLINE
    slow = encoder(ensure_ascii=False, separators=(",", ":")).encode

    def line(row: dict[str, Any]) -> bytes:
        try:
            return dumps(row, default=_DJANGO_DEFAULT, option=options)
        except TypeError:  # orjson.JSONEncodeError: e.g. an integer beyond 64 bits
            return (slow(row) + "\n").encode()

    return line
