# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these messages.
"""The indicators dashboard (``/indicateurs/``), its CSV exports and the JSON API (``/api/v1/indicators``).

Reads only. Who sees which issuers is decided in ``indicators.selectors`` (``scope_for``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from badges_service.api_schema import errors
from badges_service.errors import ApplicationError, PermissionDenied
from learners import policy

from . import charts, selectors, tables

DEFAULT_WEEKS = 26
FORBIDDEN = {  # templates/forbidden.html
    "section": _lazy("Indicateurs"),
    "title": _lazy("Indicateurs : accès réservé"),
    "reason": _lazy("Les indicateurs sont réservés à l’équipe projet et aux gestionnaires des émetteurs, chacun pour "
                    "les émetteurs dont il a la charge."),
    "advice": _lazy("Si vous gérez les badges d’une direction, demandez à l’administration de la plateforme de vous "
                    "donner ce rôle."),
}
MAX_DAYS = 3700  # about ten years: the weekly chart stays drawable
COMPETENCIES_SHOWN = 20


@dataclass(frozen=True)
class Filters:
    issuer: str
    start: datetime.date
    end: datetime.date


def filters_parse(*, issuer: str | None, start: str | None, end: str | None,
                  today: datetime.date) -> tuple[Filters | None, dict[str, str]]:
    """The filters from a query string; by default the last 26 weeks (from a Monday) up to today."""
    problems: dict[str, str] = {}

    def day(value: str | None, name: str) -> datetime.date | None:
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            problems[name] = _("Date invalide : utilisez le format AAAA-MM-JJ.")
            return None

    last = day(end, "end") or today
    first = day(start, "start") or selectors.monday_of(last) - datetime.timedelta(weeks=DEFAULT_WEEKS - 1)
    if not problems:
        if first > last:
            problems["start"] = _("La date de début doit précéder la date de fin.")
        elif (last - first).days > MAX_DAYS:
            problems["start"] = _("La période ne peut pas dépasser dix ans.")
    if problems:
        return None, problems
    return Filters((issuer or "").strip(), first, last), {}


# The usage channels in words (docs/glossary.md); a channel not listed is shown as recorded.
CHANNEL_LABELS = {
    "link": gettext_lazy("lien copié"), "linkedin": gettext_lazy("LinkedIn"),
    "png": gettext_lazy("image PNG"), "svg": gettext_lazy("image SVG"), "json": gettext_lazy("fichier JSON"),
    "pdf": gettext_lazy("attestation PDF"), "page": gettext_lazy("page de vérification"),
    "api": gettext_lazy("API de vérification"), "wallet": gettext_lazy("portefeuille numérique"),
}


def _weekly_chart(indicators: selectors.Indicators) -> str:
    bars = []
    for monday, n in indicators.weeks:
        long_date = formats.date_format(monday, "SHORT_DATE_FORMAT")
        bars.append(charts.Bar(key=monday.isoformat(), label=formats.date_format(monday, "d/m"),
                               text=ngettext("Semaine du %(date)s : %(n)s badge délivré",
                                             "Semaine du %(date)s : %(n)s badges délivrés", n) % {
                                   "date": long_date, "n": n},
                               value=n))
    busiest = max(indicators.weeks, key=lambda w: w[1], default=None)
    desc = _("Du %(start)s au %(end)s : %(total)s badges délivrés en %(weeks)s semaines.") % {
        "start": formats.date_format(indicators.start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(indicators.end, "SHORT_DATE_FORMAT"),
        "total": indicators.totals["issued"], "weeks": len(indicators.weeks)}
    if busiest and busiest[1]:
        desc += " " + _("Semaine la plus active : celle du %(date)s (%(n)s).") % {
            "date": formats.date_format(busiest[0], "SHORT_DATE_FORMAT"), "n": busiest[1]}
    title = _("Badges délivrés par semaine")
    # Two drawings of the same chart; CSS shows the narrow one on phones (the other is display: none, so
    # assistive technologies meet one chart only).
    return (charts.bar_chart_svg(bars, title=title, desc=desc, element_id="weekly-chart", css_class="chart chart--wide")
            + charts.bar_chart_svg(bars, title=title, desc=desc, element_id="weekly-chart-narrow",
                                   css_class="chart chart--narrow", **charts.NARROW))


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not policy.can_view_indicators(policy.request_roles(request)):
        return render(request, "forbidden.html", FORBIDDEN, status=403)
    visible = selectors.visible_issuers(roles=policy.request_roles(request))
    filters, problems = filters_parse(issuer=request.GET.get("emetteur"), start=request.GET.get("du"),
                                      end=request.GET.get("au"), today=timezone.localdate())
    context = {"issuers": visible, "problems": problems, "query": request.GET.urlencode(),
               "values": {"emetteur": request.GET.get("emetteur", ""), "du": request.GET.get("du", ""),
                          "au": request.GET.get("au", "")}}
    if problems:
        return render(request, "indicators/dashboard.html", context, status=400)
    try:
        scope = selectors.scope_for(roles=policy.request_roles(request), issuer_slug=filters.issuer)
    except PermissionDenied:
        return render(request, "forbidden.html", FORBIDDEN, status=403)
    indicators = selectors.indicators_get(scope=scope, start=filters.start, end=filters.end)
    context["values"].update(du=filters.start.isoformat(), au=filters.end.isoformat())
    context.update({
        "filters": filters, "scope": scope, "ind": indicators, "chart": mark_safe(_weekly_chart(indicators)),  # noqa: S308 (built with escaping)
        "competencies_top": indicators.competencies[:COMPETENCIES_SHOWN],
        "all_issuers": scope.issuer_ids is None,
        "usage_totals": [(_("Vérifications"), indicators.totals["verification"]),
                         (_("Partages"), indicators.totals["share"]),
                         (_("Téléchargements"), indicators.totals["download"])],
        "kind_labels": dict(selectors.CredentialUsage.Kind.choices),
        "channel_labels": CHANNEL_LABELS,
    })
    return render(request, "indicators/dashboard.html", context)


@require_GET
@login_required
def export_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in tables.COLUMNS:
        raise Http404
    if not policy.can_view_indicators(policy.request_roles(request)):
        return render(request, "forbidden.html", FORBIDDEN, status=403)
    filters, problems = filters_parse(issuer=request.GET.get("emetteur"), start=request.GET.get("du"),
                                      end=request.GET.get("au"), today=timezone.localdate())
    if problems:
        return HttpResponse(" ".join(problems.values()), status=400, content_type="text/plain; charset=utf-8")
    try:
        scope = selectors.scope_for(roles=policy.request_roles(request), issuer_slug=filters.issuer)
    except PermissionDenied:
        return render(request, "forbidden.html", FORBIDDEN, status=403)
    indicators = selectors.indicators_get(scope=scope, start=filters.start, end=filters.end)
    response = HttpResponse(tables.table_csv(indicators, table), content_type="text/csv; charset=utf-8")
    name = f"indicateurs-{table}-{filters.issuer or 'tous'}-{filters.start.isoformat()}-{filters.end.isoformat()}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


class IndicatorsApi(APIView):
    """The dashboard's figures as JSON, for platform admins and issuer staff (the same scope as the page)."""

    @extend_schema(
        operation_id="indicators_get",
        parameters=[
            OpenApiParameter("issuer", OpenApiTypes.STR, description="An issuer's slug: it and the issuers below it."),
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day (local), default 26 weeks back."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (local, inclusive), default today."),
        ],
        responses={200: OpenApiTypes.OBJECT, **errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        if not policy.can_view_indicators(policy.request_roles(request)):
            raise PermissionDenied("Indicators are for platform admins and issuer staff.")
        filters, problems = filters_parse(issuer=request.query_params.get("issuer"),
                                          start=request.query_params.get("start"),
                                          end=request.query_params.get("end"), today=timezone.localdate())
        if problems:
            raise ApplicationError("The filters are not valid.", code="invalid", extra={"fields": problems})
        scope = selectors.scope_for(roles=policy.request_roles(request), issuer_slug=filters.issuer)
        indicators = selectors.indicators_get(scope=scope, start=filters.start, end=filters.end)
        return Response({
            "period": {"start": filters.start.isoformat(), "end": filters.end.isoformat()},
            "issuer": filters.issuer or None,
            "totals": indicators.totals,
            **{name: tables.table_dicts(indicators, name) for name in tables.COLUMNS},
        })
