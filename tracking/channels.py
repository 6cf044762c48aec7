"""Webhook payloads and signatures for Feishu, DingTalk, WeCom, Slack and plain JSON — plain
functions, so tests check the exact bytes each platform receives.

Signing follows each platform's documentation:
- Feishu (custom bot): `timestamp` (seconds) and `sign` = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}",
  message=b"")) in the body.
- DingTalk (custom robot): `timestamp` (milliseconds) and `sign` = url-encoded base64(HMAC-SHA256(key=secret,
  message=f"{timestamp}\\n{secret}")) as query parameters.
- Plain JSON: headers `X-Stretch-Timestamp: <unix seconds>` and
  `X-Stretch-Signature: sha256=<hex HMAC-SHA256(key=secret, message=f"{timestamp}." + body)>`; the
  receiver refuses a timestamp more than 5 minutes from its clock, so a captured request cannot be
  replayed later (docs/tracking.md, "Verifying a plain-JSON webhook").
- WeCom and Slack incoming webhooks carry their secret in the URL and are not signed.

`blocked_address` is the one check of where a webhook may point: run when a channel is saved and
again before every delivery (a name may resolve elsewhere later).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import urllib.parse
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()


def blocked_address(url: str, *, allow_private: bool) -> str:
    """The first address the URL's host resolves to that a webhook may not call — loopback,
    private, link-local, multicast, reserved, unspecified or any other non-public address — or ""
    when it may. Everything may when `allow_private` (WEBHOOK_ALLOW_PRIVATE_NETWORKS) is on. A
    host that does not resolve is not blocked here: sending to it fails like any unreachable host."""
    if allow_private:
        return ""
    try:
        host = urllib.parse.urlsplit(url).hostname or ""
        infos = socket.getaddrinfo(host, None) if host else []
    except (OSError, ValueError):  # not resolvable (gaierror), or not a valid host name (IDNA)
        return ""
    for info in infos:
        try:
            address = ipaddress.ip_address(str(info[4][0]))
        except ValueError:
            continue
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
            or not address.is_global
        ):
            return str(address)
    return ""


def feishu_sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def json_sign(secret: str, timestamp: int, body: bytes) -> str:
    """The plain-JSON signature: HMAC-SHA256 over "<timestamp>." and the body, hex, with its scheme."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def build(*, kind: str, url: str, secret: str, text: str, event: dict[str, Any], now_seconds: int) -> Request:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if kind == "feishu":
        body: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
        if secret:
            body.update(timestamp=str(now_seconds), sign=feishu_sign(secret, now_seconds))
        return Request(url, _json(body), headers)
    if kind == "dingtalk":
        body = {"msgtype": "text", "text": {"content": text}}
        if secret:
            millis = now_seconds * 1000
            query = urllib.parse.urlencode({"timestamp": millis, "sign": dingtalk_sign(secret, millis)})
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        return Request(url, _json(body), headers)
    if kind == "wecom":
        return Request(url, _json({"msgtype": "text", "text": {"content": text}}), headers)
    if kind == "slack":
        return Request(url, _json({"text": text}), headers)
    payload = _json({"text": text, **event})
    if secret:
        headers["X-Stretch-Timestamp"] = str(now_seconds)
        headers["X-Stretch-Signature"] = json_sign(secret, now_seconds, payload)
    return Request(url, payload, headers)
