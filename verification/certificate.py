# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 and the en dash are the right characters here.
"""The printable certificate of a credential: one A4 page in French (reportlab).

It shows the badge, the learner's name, the achievement, the issuer, the dates, the competencies and the
QR code of the verification page, and says so plainly when the credential is revoked, suspended or
expired. It is a presentation of the credential, not the credential: the QR code leads to the live check.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.formats import date_format
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from badges_service.openbadges import ob3
from badges_service.openbadges.report import Report
from issuers import identifiers

from . import artefacts

if TYPE_CHECKING:
    from issuers.models import Credential

BLUE = colors.HexColor("#12358c")
GREY = colors.HexColor("#4a4f5c")
RED = colors.HexColor("#b3261e")


def _notice(credential: Credential, status: str) -> str | None:
    """What the certificate must say when the credential is not valid (the live status, from the report)."""
    if status == "revoked":
        when = f" le {_date(credential.revoked_at)}" if credential.revoked_at else ""
        reason = f" Motif : {_text(credential.revocation_reason)}" if credential.revocation_reason else ""
        return f"Ce badge a été révoqué par son émetteur{when} : il n’est plus valide.{reason}"
    if status == "suspended":
        when = f" le {_date(credential.suspended_at)}" if credential.suspended_at else ""
        reason = f" Motif : {_text(credential.suspension_reason)}" if credential.suspension_reason else ""
        return f"Ce badge a été suspendu par son émetteur{when} : il n’est pas valide pour le moment.{reason}"
    if status == "expired":
        when = f" le {_date(credential.valid_until)}" if credential.valid_until else ""
        return f"Ce badge a expiré{when} : il n’est plus valide."
    if status == "not_yet_valid":
        return "Ce badge n’est pas encore valide."
    if status != "valid":
        return "Ce badge n’a pas passé la vérification : ne vous y fiez pas."
    return None


def _text(value) -> str:
    """The standard PDF fonts use WinAnsi: characters outside it (emoji) are left out rather than boxed."""
    return escape(str(value or "").encode("cp1252", "ignore").decode("cp1252"))


def _style(name: str, size: float, *, bold: bool = False, color=colors.black, leading: float | None = None,
           align=TA_CENTER) -> ParagraphStyle:
    return ParagraphStyle(name, fontName="Helvetica-Bold" if bold else "Helvetica", fontSize=size,
                          leading=leading or size * 1.25, textColor=color, alignment=align)


def _paragraph(canvas: Canvas, text: str, style: ParagraphStyle, *, top: float, width: float, left: float) -> float:
    """Draw ``text`` from ``top`` down; return the new top."""
    paragraph = Paragraph(text, style)
    _, height = paragraph.wrapOn(canvas, width, 1000)
    paragraph.drawOn(canvas, left, top - height)
    return top - height


def _date(value) -> str:
    with translation.override("fr"):
        return date_format(value, "j F Y")


def certificate_pdf(credential: Credential, report: Report) -> bytes:
    document = json.loads(credential.document)
    achievement = document["credentialSubject"]["achievement"]
    competencies = ob3.competencies_of(achievement, document["credentialSubject"].get("result", []))
    page_url = identifiers.credential_url(credential.public_id)
    width, height = A4
    margin = 20 * mm
    inner = width - 2 * margin
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Attestation – {achievement['name']}")
    canvas.setAuthor(document["issuer"].get("name", ""))
    canvas.setSubject("Attestation de badge numérique (Open Badges 3.0)")
    canvas.setCreator("Ville@pp Badges")

    canvas.setFillColor(BLUE)
    canvas.rect(0, height - 28 * mm, width, 28 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(margin, height - 17 * mm, "Ville@pp Badges")
    canvas.setFont("Helvetica", 11)
    canvas.drawRightString(width - margin, height - 17 * mm, "Attestation de badge numérique")

    badge = ImageReader(io.BytesIO(artefacts.badge_png(credential)))
    size = 48 * mm
    canvas.drawImage(badge, (width - size) / 2, height - 36 * mm - size, size, size, mask="auto")
    top = height - 42 * mm - size

    recipient = credential.recipient_name or "la personne titulaire de ce badge"
    top = _paragraph(canvas, "Décerné à", _style("lead", 12, color=GREY), top=top, width=inner, left=margin)
    top = _paragraph(canvas, _text(recipient), _style("name", 24, bold=True), top=top - 2 * mm, width=inner,
                     left=margin)
    top = _paragraph(canvas, "pour le badge", _style("lead2", 12, color=GREY), top=top - 5 * mm, width=inner,
                     left=margin)
    top = _paragraph(canvas, _text(achievement["name"]), _style("badge", 20, bold=True, color=BLUE), top=top - 2 * mm,
                     width=inner, left=margin)
    issued = f"délivré par <b>{_text(document['issuer'].get('name'))}</b> le {_date(credential.valid_from)}"
    top = _paragraph(canvas, issued, _style("issuer", 12), top=top - 5 * mm, width=inner, left=margin)
    validity = (f"Valable jusqu’au {_date(credential.valid_until)}" if credential.valid_until
                else "Sans date d’expiration")
    top = _paragraph(canvas, validity, _style("validity", 11, color=GREY), top=top - 2 * mm, width=inner, left=margin)

    notice = _notice(credential, report.status)
    if notice:
        top -= 6 * mm
        box = Paragraph(f"<b>{notice}</b>", _style("notice", 12, color=RED))
        _, box_height = box.wrapOn(canvas, inner - 8 * mm, 200)
        canvas.setStrokeColor(RED)
        canvas.rect(margin, top - box_height - 6 * mm, inner, box_height + 6 * mm, stroke=1, fill=0)
        box.drawOn(canvas, margin + 4 * mm, top - box_height - 3 * mm)
        top -= box_height + 6 * mm

    if competencies:
        top = _paragraph(canvas, "Compétences attestées", _style("comp-title", 13, bold=True), top=top - 8 * mm,
                         width=inner, left=margin)
        left_style = _style("comp", 10.5, align=0, leading=14)
        for item in competencies[:12]:
            detail = ", ".join(_text(v) for v in (item.get("framework"), item.get("level")) if v)
            line = f"• {_text(item['name'])}" + (f" <font color='#4a4f5c'>({detail})</font>" if detail else "")
            top = _paragraph(canvas, line, left_style, top=top - 1.5 * mm, width=inner - 20 * mm,
                             left=margin + 10 * mm)

    qr = 38 * mm
    canvas.drawImage(ImageReader(io.BytesIO(artefacts.qr_png(page_url))), margin, margin, qr, qr)
    footer = _style("footer", 9.5, color=GREY, align=0, leading=13)
    text_left = margin + qr + 6 * mm
    text_width = inner - qr - 6 * mm
    _paragraph(canvas, "<b>Vérifier ce badge</b> : scannez le code ou ouvrez l’adresse", footer,
               top=margin + qr - 2 * mm, width=text_width, left=text_left)
    _paragraph(canvas, f"<font color='#12358c'>{_text(page_url)}</font>", footer, top=margin + qr - 8 * mm,
               width=text_width, left=text_left)
    _paragraph(canvas, "Ce document présente un badge numérique signé (Open Badges 3.0). La page de vérification "
               "dit à tout moment s’il est valide, révoqué ou expiré.", footer, top=margin + qr - 18 * mm,
               width=text_width, left=text_left)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
