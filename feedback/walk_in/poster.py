"""The printable poster of a walk-in point: one letter-size PDF page, in English and French,
with the office's name, a short invitation, the QR code of the open link and the link written
out for those who type it (reportlab and its own QR encoder: nothing more to install)."""

from __future__ import annotations

import io

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from feedback.walk_in.models import WalkInPoint
from feedback.walk_in.services import link

LANGUAGES = ("en", "fr")
MARGIN = 0.75 * inch
QR_SIZE = 3.6 * inch
#: Names are at most 80 characters (the form), which always leaves this much for the code.
MIN_QR_SIZE = 2 * inch
GAP = 0.3 * inch
#: The height of the two lines under the code and of the link written out.
ADDRESS_LINES = 2 * 17 + 30


def _texts(point: WalkInPoint) -> dict[str, dict[str, str]]:
    """The poster's texts in each language, whatever the language of the page that asked."""
    texts = {}
    for language in LANGUAGES:
        with force_locale(language):
            texts[language] = {
                "office": point.name(language),
                "program": point.program.name(language),
                "title": _("Tell us about your visit"),
                "invitation": _(
                    "Scan the code with your phone's camera to answer a short survey about the "
                    "service you received today. It takes a few minutes. Answering is voluntary, "
                    "and we do not ask for your name."
                ),
                "address": _("No camera? Type this address:"),
            }
    return texts


def _paragraph(
    canvas: Canvas, text: str, x: float, y: float, width: float, font: str, size: float
) -> float:
    """Write `text` wrapped to `width` from the top `y` down; the y under its last line."""
    leading = size * 1.3
    canvas.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        y -= leading
        canvas.drawString(x, y, line)
    return y


def _qr_code(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code of `url` (error correction M: a poster gets scuffed), `size` points square."""
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def poster_pdf(point: WalkInPoint) -> bytes:
    """The poster of `point` as PDF bytes."""
    texts = _texts(point)
    url = link(point)
    buffer = io.BytesIO()
    width, height = letter
    canvas = Canvas(buffer, pagesize=letter)
    canvas.setTitle(f"{texts['en']['office']} / {texts['fr']['office']}")
    canvas.setAuthor(f"{texts['en']['program']} / {texts['fr']['program']}")
    inner = width - 2 * MARGIN
    y = height - MARGIN
    offices = dict.fromkeys(texts[language]["office"] for language in LANGUAGES)
    for office in offices:  # once when both names are the same
        y = _paragraph(canvas, office, MARGIN, y, inner, "Helvetica-Bold", 24)
    y -= GAP
    column = (inner - GAP) / 2
    bottoms = []
    for index, language in enumerate(LANGUAGES):
        x = MARGIN + index * (column + GAP)
        below = _paragraph(canvas, texts[language]["title"], x, y, column, "Helvetica-Bold", 18)
        bottoms.append(
            _paragraph(canvas, texts[language]["invitation"], x, below - 4, column, "Helvetica", 13)
        )
    y = min(bottoms) - GAP
    # The code takes what the texts leave, down to the address lines and the link (long office
    # names make it smaller, never make the page overflow).
    size = max(MIN_QR_SIZE, min(QR_SIZE, y - GAP - (MARGIN + ADDRESS_LINES + GAP)))
    _qr_code(canvas, url, (width - size) / 2, y - size, size)
    y -= size + GAP
    canvas.setFont("Helvetica", 13)
    for language in LANGUAGES:
        y -= 17
        canvas.drawCentredString(width / 2, y, texts[language]["address"])
    y -= 30
    points = 22.0
    while canvas.stringWidth(url, "Courier-Bold", points) > inner and points > 10:
        points -= 1
    canvas.setFont("Courier-Bold", points)
    canvas.drawCentredString(width / 2, y, url)
    canvas.setFont("Helvetica", 10)
    footer = f"{texts['en']['program']} / {texts['fr']['program']}"
    canvas.drawCentredString(width / 2, MARGIN / 2, footer)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
