from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from teams.access import ALL_ROLES, OrgRequest, org_page


@org_page(roles=ALL_ROLES)
@require_GET
def index_view(request: OrgRequest) -> HttpResponse:
    return render(request, "plans/index.html")
