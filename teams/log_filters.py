"""Logging filters named in settings.LOGGING.

`RefusalOnOneLine` sits on the `django.request` logger: Django logs a page's `PermissionDenied`
(and the services' `NotAllowed`) at WARNING *with its traceback*, although a refusal is an answer,
not a fault. The record keeps its level and path and gains the refusal's reason, on one line."""

from __future__ import annotations

import logging


class RefusalOnOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            error = record.exc_info[1]
            reason = " ".join(str(error).split()) if error is not None else ""
            message = record.getMessage()
            record.msg, record.args = (f"{message} ({reason})" if reason else message), ()
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
