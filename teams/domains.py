"""DNS look-ups for verifying an organisation's e-mail domain (the one place that talks to DNS,
so that tests replace it)."""

from __future__ import annotations

import logging

import dns.exception
import dns.resolver

logger = logging.getLogger(__name__)


def txt_records(name: str) -> list[str]:
    """The TXT strings published at ``name``; an empty list when there are none or DNS fails."""
    try:
        answer = dns.resolver.resolve(name, "TXT", lifetime=5)
    except (dns.exception.DNSException, OSError) as exc:
        logger.info("domain verification: no TXT at %s (%s)", name, type(exc).__name__)
        return []
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]
