"""The integrator's feeds: the deletions (tombstones) and the API floor (docs/api.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from .api_base import OrgAPIView, UserAPIView
from .api_support import Pagination
from .api_sync import PARAM, parse_updated_since
from .models import Tombstone
from .sync import RESOURCES


class TombstoneSerializer(serializers.ModelSerializer[Tombstone]):
    class Meta:
        model = Tombstone
        fields = ("resource", "object_id", "deleted_at")


class DeletedView(OrgAPIView):
    """The rows of one resource deleted at or after `updated_since` (all kept deletions without
    it), oldest first: remove them from a mirror. Deletions of payout lines are for the people
    who see money."""

    pagination_class = Pagination
    serializer_class = TombstoneSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "resource",
                str,
                required=True,
                description="The resource whose deletions to list.",
                enum=sorted(RESOURCES) or None,
            ),
            OpenApiParameter(
                PARAM,
                str,
                description="Only deletions at or after this moment (ISO 8601 with its offset).",
            ),
        ],
        responses=TombstoneSerializer(many=True),
    )
    def get(self, request: Request, org_slug: str) -> Response:
        resource = request.query_params.get("resource", "")
        tracked = RESOURCES.get(resource)
        if tracked is None:
            raise exceptions.ValidationError(
                {"resource": [_("Choose one of: %(names)s.") % {"names": ", ".join(sorted(RESOURCES))}]}
            )
        if not tracked.may_read(self.membership):
            raise exceptions.PermissionDenied(_("Your role cannot read these deletions."))
        rows = Tombstone.objects.filter(org_id=self.org.pk, resource=resource).order_by("deleted_at", "id")
        since = parse_updated_since(request.query_params)
        if since is not None:
            rows = rows.filter(deleted_at__gte=since)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(TombstoneSerializer(page, many=True).data)


class FloorView(UserAPIView):
    """An authenticated endpoint that does nothing: the floor the HTTP benchmark compares every
    read with (bench/http_api.py)."""

    @extend_schema(responses=inline_serializer("Floor", fields={}))
    def get(self, request: Request) -> Response:
        return Response({})
