"""A covering index that covers on every database Stretch runs on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models


class CoveringIndex(models.Index):
    """An index whose `covering` columns ride along so that a read needing only them never visits
    the table: `INCLUDE (…)` where the database supports it (PostgreSQL), trailing key columns
    elsewhere (SQLite, where Django ignores `Index(include=…)` and its system check warns).

        CoveringIndex(fields=["goal", "supporting_metric", "day"], covering=["value"], name="…")
    """

    def __init__(self, *args: Any, covering: list[str] | tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.covering = list(covering)

    def deconstruct(self) -> tuple[str, Sequence[Any], dict[str, Any]]:
        path, args, kwargs = super().deconstruct()
        kwargs["covering"] = self.covering
        return "teams.indexes.CoveringIndex", args, kwargs

    def _plain(self, schema_editor: Any) -> models.Index:
        if schema_editor.connection.features.supports_covering_indexes:
            return models.Index(fields=self.fields, include=self.covering, name=self.name)
        return models.Index(fields=[*self.fields, *self.covering], name=self.name)

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        return self._plain(schema_editor).create_sql(model, schema_editor, using=using, **kwargs)
