# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these messages.
"""The learner space, "mon passeport": the signed-in learner's badges, sharing, downloads, competency profile,
exports and personal data. Every page requires sign-in; a badge that is not the learner's own is a 404.

Thin views: reads from ``passport.selectors`` and ``skills.profiles``, writes through
``issuers.services`` (visibility) and ``indicators.services`` (usage records).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from badges_service.errors import ApplicationError, NotFound
from competencies.models import Competency, Job, ProficiencyLevel
from indicators.models import CredentialUsage
from indicators.services import usage_record
from issuers.badge_artwork import badge_svg
from learners import selectors as learner_selectors
from learners import services as learner_services
from learners.models import Learner
from learners.selectors import learner_email_of
from learners.services import profile_visibility_choose
from obapi import selectors as obapi_selectors
from obapi import services as obapi_services
from skills import external, profiles
from verification import artefacts, foreign_badges
from verification.certificate import certificate_pdf
from verification.services import credential_verify

from . import exports, selectors
from .forms import ForeignBadgeForm

DOWNLOADS = {  # channel -> (content type, file suffix)
    "png": ("image/png", ".png"),
    "svg": ("image/svg+xml", ".svg"),
    "json": ("application/ld+json", ".json"),
    "pdf": ("application/pdf", ".pdf"),
}


USAGE_LABELS = {
    "share/link": _lazy("Lien copié"), "share/linkedin": _lazy("Ajouté à LinkedIn"),
    "download/png": _lazy("Téléchargé en PNG"), "download/svg": _lazy("Téléchargé en SVG"),
    "download/json": _lazy("Téléchargé en JSON"), "download/pdf": _lazy("Attestation téléchargée"),
    "verification/page": _lazy("Vérifié sur sa page"), "verification/api": _lazy("Vérifié par l'API"),
}


def _own(request: HttpRequest, public_id: str):
    try:
        return selectors.my_credential_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _attachment(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = artefacts.file_response(content, content_type, filename, disposition="attachment",
                                       cache_control="private, no-store")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    badges = selectors.my_badges(user=request.user)
    return render(request, "passport/home.html", {
        "badges": badges, "public_count": sum(1 for b in badges if b.credential.is_public),
        "email": learner_email_of(user=request.user),
        "foreign": learner_selectors.foreign_badges_of_user(user=request.user).defer("image", "original", "report"),
    })


@require_GET
@login_required
def badge_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = _own(request, public_id)
    document = json.loads(credential.document)
    badge = selectors.MyBadge(credential, selectors.credential_state(credential))
    return render(request, "passport/badge.html", {
        "badge": badge, "credential": credential, "document": document,
        "linkedin_url": selectors.linkedin_add_url(credential=credential),
        "usage": [(USAGE_LABELS.get(key, key), count) for key, count in
                  sorted(selectors.usage_counts(credentials=[credential]).get(credential.id, {}).items())],
    })


@require_POST
@login_required
def badge_visibility(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = _own(request, public_id)
    public = request.POST.get("public") == "1"
    learner_services.credential_visibility_choose(credential=credential, public=public, actor=request.user)
    messages.success(request, _("Votre badge est maintenant public : son lien de partage fonctionne pour tout le "
                                "monde.") if public else
                     _("Votre badge est maintenant privé : sa page et ses fichiers ne sont plus visibles que par "
                       "vous et son émetteur."))
    return redirect("passport:badge", public_id=credential.public_id)


@require_POST
@login_required
def badge_share(request: HttpRequest, public_id: str, channel: str) -> HttpResponse:
    """Record a share ("link": the link was copied; "linkedin": off to LinkedIn's add-to-profile form)."""
    credential = _own(request, public_id)
    usage_record(credential=credential, kind=CredentialUsage.Kind.SHARE, channel=channel)
    if channel == "linkedin":
        return HttpResponseRedirect(selectors.linkedin_add_url(credential=credential))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"recorded": True})
    messages.info(request, _("Le lien de votre badge est affiché ci-dessous : copiez-le pour le partager."))
    return redirect(reverse("passport:badge", kwargs={"public_id": credential.public_id}) + "#partage")


@require_GET
@login_required
def badge_download(request: HttpRequest, public_id: str, channel: str) -> HttpResponse:
    """The badge as a baked PNG or SVG, its OB 3.0 JSON (for a wallet) or its PDF certificate; each download
    is counted."""
    credential = _own(request, public_id)
    content_type, suffix = DOWNLOADS[channel]
    if channel == "json":
        content: bytes | str = credential.document  # the signed bytes, exactly as issued
    elif channel == "pdf":
        content = certificate_pdf(credential, credential_verify(document=json.loads(credential.document)))
    else:
        content = artefacts.baked_image(credential, f"ob3.{channel}")
    usage_record(credential=credential, kind=CredentialUsage.Kind.DOWNLOAD, channel=channel)
    prefix = "attestation" if channel == "pdf" else "badge"
    return _attachment(content, content_type, f"{prefix}-{credential.public_id}{suffix}")


@require_GET
@login_required
def competency_profile(request: HttpRequest) -> HttpResponse:
    email = learner_email_of(user=request.user)
    profile = profiles.learner_profile(email=email) if email else {}
    competencies = Competency.objects.in_bulk(profile.keys())
    levels = ProficiencyLevel.objects.in_bulk({p.level_id for p in profile.values()})
    proven = sorted(({"competency": competencies[cid], "level": levels.get(p.level_id),
                      "evidence": len(p.credential_ids)} for cid, p in profile.items()),
                    key=lambda r: (r["competency"].framework_id, r["competency"].code))
    learner = Learner.objects.filter(email__iexact=email).select_related("job", "job__framework").first() \
        if email else None
    attested = external.external_profile(email=email) if email else {}
    current = ranked = None
    if learner and learner.job:
        current = _fit_rows(profiles.job_fit(profile=profile, job=learner.job, attested=attested), learner.job,
                            attested)
        ranked_fits = profiles.jobs_ranked(profile=profile, framework=learner.job.framework, attested=attested)[:5]
        jobs = Job.objects.in_bulk(f.job_id for f in ranked_fits)
        ranked = [{"job": jobs[f.job_id], "score": round(f.score * 100), "met": f.count(profiles.MET),
                   "met_elsewhere": f.count(profiles.MET, proof=profiles.EXTERNAL),
                   "partial": f.count(profiles.PARTIAL), "missing": f.count(profiles.MISSING)} for f in ranked_fits]
    return render(request, "passport/profile.html", {"proven": proven, "learner": learner, "current": current,
                                                     "ranked": ranked,
                                                     "external": _external_rows(attested, profile)})


def _external_rows(attested: external.ExternalProfile, profile: profiles.Profile) -> list[dict]:
    """Competencies attested by badges from elsewhere, apart from the city's proof (marked when both)."""
    competencies = Competency.objects.select_related("framework").in_bulk(attested.keys())
    levels = ProficiencyLevel.objects.in_bulk({a.level_id for a in attested.values() if a.level_id})
    return sorted(({"competency": competencies[cid], "level": levels.get(a.level_id), "issuers": a.issuers,
                    "city_proven": cid in profile} for cid, a in attested.items()),
                  key=lambda r: (r["competency"].framework_id, r["competency"].code))


@require_POST
@login_required
def profile_visibility(request: HttpRequest) -> HttpResponse:
    """The switch "my profile is visible to the managers of other directions" (``visible`` = "1" or "0")."""
    try:
        learner = profile_visibility_choose(visible=request.POST.get("visible") == "1", actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    messages.success(request, _("Votre profil est maintenant visible par les encadrants des autres directions.")
                     if learner.profile_visible else
                     _("Votre profil n’est plus visible que par les encadrants de votre direction."))
    return redirect(reverse("passport:profile") + "#visibilite")


def _fit_rows(fit: profiles.JobFit, job: Job, attested: external.ExternalProfile) -> dict:
    competencies = Competency.objects.in_bulk(r.competency_id for r in fit.requirements)
    levels = ProficiencyLevel.objects.in_bulk(r.required_level_id for r in fit.requirements)
    return {"job": job, "score": round(fit.score * 100), "city_score": round(fit.city_score * 100),
            "met": fit.count(profiles.MET), "met_elsewhere": fit.count(profiles.MET, proof=profiles.EXTERNAL),
            "partial": fit.count(profiles.PARTIAL), "missing": fit.count(profiles.MISSING),
            "total": len(fit.requirements),
            "requirements": [{"competency": competencies[r.competency_id], "level": levels.get(r.required_level_id),
                              "essential": r.essential, "status": r.status, "proof": r.proof,
                              "attested_by": attested[r.competency_id].issuers if r.proof == profiles.EXTERNAL else []}
                             for r in fit.requirements]}


@require_GET
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    data = selectors.personal_data(user=request.user)
    return render(request, "passport/data.html", {"data": data, "summary": selectors.data_summary(data),
                                                  "pretty": json.dumps(data, ensure_ascii=False, indent=2)})


@require_GET
@login_required
def my_data_download(request: HttpRequest) -> HttpResponse:
    data = selectors.personal_data(user=request.user)
    return _attachment(json.dumps(data, ensure_ascii=False, indent=2), "application/json; charset=utf-8",
                       "mes-donnees-villeapp-badges.json")


def _export(request: HttpRequest, build, content_type: str, filename: str) -> HttpResponse:
    """A signed export as a download, or the page that says why it cannot be made now (no platform key...)."""
    try:
        document = build()
    except ApplicationError as exc:
        return render(request, "passport/export_unavailable.html", {"message": exc.message}, status=503)
    return _attachment(json.dumps(document, ensure_ascii=False, indent=2), content_type, filename)


@require_GET
@login_required
def export_presentation(request: HttpRequest) -> HttpResponse:
    """A signed Verifiable Presentation of the learner's valid badges. A verifier may ask for its own
    ``?challenge=`` and ``?domain=`` (both bound into the signature)."""
    challenge = request.GET.get("challenge", "")[:200] or None
    domain = request.GET.get("domain", "")[:200] or None
    return _export(request, lambda: exports.presentation_export(user=request.user, challenge=challenge, domain=domain),
                   "application/vp+ld+json", "presentation-badges.json")


@require_GET
@login_required
def export_clr(request: HttpRequest) -> HttpResponse:
    """A signed 1EdTech CLR 2.0 ``ClrCredential`` of the learner's valid badges."""
    return _export(request, lambda: exports.clr_export(user=request.user), "application/vc+ld+json",
                   "releve-clr-badges.json")


@require_GET
@login_required
def applications(request: HttpRequest) -> HttpResponse:
    """The applications the learner allowed to act for them (Open Badges API), each with a way to withdraw it."""
    return render(request, "passport/applications.html", {"grants": obapi_selectors.grants_of(user=request.user)})


@require_POST
@login_required
def application_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    grant = next((g for g in obapi_selectors.grants_of(user=request.user) if g.application_id == application_id), None)
    if grant is None:
        raise Http404  # not one of this person's applications (or already withdrawn)
    obapi_services.grant_withdraw(user=request.user, application_id=application_id)
    messages.info(request, _("L’application « %(name)s » n’a plus accès à vos badges.") % {"name": grant.name})
    return redirect("passport:applications")


# --- Badges obtenus ailleurs ----------------------------------------------------------------------------------


def _own_foreign(request: HttpRequest, public_id: str):
    try:
        return learner_selectors.foreign_badge_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
def foreign_add(request: HttpRequest) -> HttpResponse:
    """Add a badge earned elsewhere, by file or URL. It is verified first; a badge that does not verify is
    refused with its report (4xx), and nothing is stored."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    if request.method == "GET":
        return render(request, "passport/foreign_add.html", {"form": ForeignBadgeForm()})
    form = ForeignBadgeForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "passport/foreign_add.html", {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    try:
        badge = foreign_badges.foreign_badge_add(
            user=request.user, upload=upload.read() if upload else None,
            content_type=upload.content_type if upload else None, url=form.cleaned_data["url"] or None,
            recipient_email=form.cleaned_data["email"] or None)
    except ApplicationError as exc:  # refused (with its report), a duplicate, a hostile image
        report = exc.extra.get("report") if isinstance(getattr(exc, "extra", None), dict) else None
        return render(request, "passport/foreign_add.html", {"form": form, "refusal": exc.message,
                                                             "refusal_code": exc.code, "report": report},
                      status=exc.status_code)
    messages.success(request, _("Le badge « %(name)s » a été vérifié et ajouté à votre passeport.")
                     % {"name": badge.name})
    return redirect("passport:foreign", public_id=badge.public_id)


@require_GET
@login_required
def foreign_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    badge = _own_foreign(request, public_id)
    return render(request, "passport/foreign.html", {"badge": badge, "checks": badge.report.get("checks", []),
                                                     "public_url": _foreign_public_url(badge)})


def _foreign_public_url(badge) -> str:
    return reverse("verification:foreign-badge", kwargs={"public_id": badge.public_id})


@require_GET
@login_required
def foreign_image(request: HttpRequest, public_id: str) -> HttpResponse:
    badge = _own_foreign(request, public_id)
    if not badge.image:  # a remote image is never fetched: a generated one stands in
        svg = badge_svg(name=badge.name, seed=str(badge.public_id), issuer_name=badge.issuer_name)
        return artefacts.file_response(svg, "image/svg+xml", f"badge-{badge.public_id}.svg",
                                       cache_control="private, no-store")
    return artefacts.file_response(bytes(badge.image), badge.image_type, f"badge-{badge.public_id}",
                                   cache_control="private, no-store")


@require_POST
@login_required
def foreign_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Re-check now, make public or private, include in the exports or not, or remove."""
    badge = _own_foreign(request, public_id)
    if action == "supprimer":
        learner_services.foreign_badge_delete(badge=badge)
        messages.info(request, _("Le badge « %(name)s » a été retiré de votre passeport.") % {"name": badge.name})
        return redirect("passport:home")
    if action == "verifier":
        badge = foreign_badges.foreign_badge_recheck(badge=badge)
        messages.info(request, _("Badge vérifié à nouveau : il est valide.") if badge.is_valid else
                      _("Badge vérifié à nouveau : il n’est plus valide. Le détail est ci-dessous."))
    elif action == "visibilite":
        public = request.POST.get("public") == "1"
        learner_services.foreign_badge_visibility_set(badge=badge, public=public)
        messages.success(request, _("Ce badge est maintenant public.") if public else
                         _("Ce badge est maintenant privé."))
    else:
        include = request.POST.get("include") == "1"
        learner_services.foreign_badge_exports_set(badge=badge, include=include)
        messages.success(request, _("Ce badge figurera dans vos exports et dans l’API Open Badges.") if include else
                         _("Ce badge ne figurera plus dans vos exports ni dans l’API Open Badges."))
    return redirect("passport:foreign", public_id=badge.public_id)
