from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from teams.access import ALL_ROLES, OrgRequest, org_page

from . import selectors


@org_page(roles=ALL_ROLES)
@require_GET
def index_view(request: OrgRequest) -> HttpResponse:
    return render(request, "retros/index.html")


@org_page(roles=ALL_ROLES)
@require_GET
def retro_detail_view(request: OrgRequest, retro_id: int) -> HttpResponse:
    retro = selectors.retro_get_for(member=request.membership, retro_id=retro_id)
    return render(request, "retros/index.html", {"retro": retro})
