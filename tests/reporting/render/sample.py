"""A realistic report document, written by hand in English and in French, for the renderers.

Nested sections, tables with suppressed cells and significance markers, bar charts with
intervals and a gap, a trend line with gaps, an importance × performance scatter with a flagged
driver, and comments with accents.
"""

from __future__ import annotations

from feedback.reporting.document import (
    Bullets,
    Cell,
    Chart,
    Document,
    Paragraph,
    Point,
    Quotes,
    Scatter,
    Section,
    Series,
    Table,
)

TEXTS = {
    "en": {
        "title": "Client experience report",
        "subtitle": "July 1 to September 30, 2026",
        "generated": "October 2, 2026",
        "summary": "Executive summary",
        "summary_text": "Satisfaction with passport services rose to 81 % this quarter.",
        "bullets": ("Processing time is the first irritant.", "Staff courtesy is praised."),
        "methodology": "Methodology",
        "disclosure": "Disclosure control",
        "disclosure_text": "Cells based on fewer than 10 clients are suppressed (x).",
        "overview": "Overview",
        "by_channel": "Satisfaction by channel",
        "channel": "Channel",
        "responses": "Responses",
        "satisfied": "Satisfied",
        "interval": "95 % interval",
        "email": "Email",
        "sms": "Text message",
        "phone": "Telephone",
        "note_x": "x: suppressed to protect respondents.",
        "note_up": "▲ significantly higher than the previous quarter.",
        "chart": "Satisfaction by channel, in percent",
        "chart_text": "Email 81 %, text message suppressed, telephone 74 %.",
        "program": "Passport services",
        "trend": "Satisfaction by month",
        "month": "Month",
        "months": ("Apr 2026", "May 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026"),
        "trend_text": (
            "Satisfaction went from 72 % in April to 81 % in September; June is suppressed."
        ),
        "this_year": "This year",
        "last_year": "Last year",
        "drivers": "Drivers of satisfaction",
        "driver": "Driver",
        "importance": "Importance",
        "performance": "Performance",
        "scatter": "Importance and performance of the drivers",
        "scatter_text": "Processing time matters most and performs worst.",
        "x_label": "Importance (share of explained variance, %)",
        "y_label": "Performance (% satisfied)",
        "drivers_list": ("Processing time", "Courtesy of staff", "Clarity", "Reaching someone"),
        "irritants": "Irritants and comments",
        "quotes": (
            "The wait was far too long and nobody answered at [phone].",
            "Staff were courteous; the form was clear.",
        ),
    },
    "fr": {
        "title": "Rapport sur l’expérience client",
        "subtitle": "Du 1er juillet au 30 septembre 2026",
        "generated": "2 octobre 2026",
        "summary": "Sommaire exécutif",
        "summary_text": (
            "La satisfaction à l’égard des services de passeport a atteint 81 % ce trimestre."
        ),
        "bullets": (
            "Le délai de traitement est le premier irritant.",
            "La courtoisie du personnel est saluée.",
        ),
        "methodology": "Méthodologie",
        "disclosure": "Contrôle de la divulgation",
        "disclosure_text": "Les cellules fondées sur moins de 10 clients sont supprimées (x).",
        "overview": "Vue d’ensemble",
        "by_channel": "Satisfaction par canal",
        "channel": "Canal",
        "responses": "Réponses",
        "satisfied": "Satisfaits",
        "interval": "Intervalle à 95 %",
        "email": "Courriel",
        "sms": "Message texte",
        "phone": "Téléphone",
        "note_x": "x : supprimé pour protéger les répondants.",
        "note_up": "▲ nettement plus élevé qu’au trimestre précédent.",
        "chart": "Satisfaction par canal, en pourcentage",
        "chart_text": "Courriel 81 %, message texte supprimé, téléphone 74 %.",
        "program": "Services de passeport",
        "trend": "Satisfaction par mois",
        "month": "Mois",
        "months": ("avr. 2026", "mai 2026", "juin 2026", "juil. 2026", "août 2026", "sept. 2026"),
        "trend_text": (
            "La satisfaction est passée de 72 % en avril à 81 % en septembre; juin est supprimé."
        ),
        "this_year": "Cette année",
        "last_year": "L’an dernier",
        "drivers": "Facteurs de satisfaction",
        "driver": "Facteur",
        "importance": "Importance",
        "performance": "Rendement",
        "scatter": "Importance et rendement des facteurs",
        "scatter_text": "Le délai de traitement compte le plus et obtient le pire résultat.",
        "x_label": "Importance (part de la variance expliquée, %)",
        "y_label": "Rendement (% de satisfaits)",
        "drivers_list": (
            "Délai de traitement",
            "Courtoisie du personnel",
            "Clarté",
            "Joindre quelqu’un",
        ),
        "irritants": "Irritants et commentaires",
        "quotes": (
            "L’attente était beaucoup trop longue et personne n’a répondu au [téléphone].",
            "Le personnel était très courtois; le formulaire était clair.",
        ),
    },
}

PERCENT = {"en": "{}%", "fr": "{}\u202f%"}


def _percent(value: float, language: str) -> str:
    text = f"{value:g}" if language == "en" else f"{value:g}".replace(".", ",")
    return PERCENT[language].format(text)


def _count(value: int, language: str) -> str:
    return f"{value:,}" if language == "en" else f"{value:,}".replace(",", "\u202f")


def sample(language: str) -> Document:
    t = TEXTS[language]
    channels = Table(
        id="by_channel",
        caption=t["by_channel"],
        columns=(t["channel"], t["responses"], t["satisfied"], t["interval"]),
        rows=(
            (
                Cell(t["email"]),
                Cell(_count(1250, language), 1250),
                Cell(_percent(81, language), 0.81, marker="▲"),
                Cell("78–84", None),
            ),
            (
                Cell(t["sms"]),
                Cell("x", None, suppressed=True),
                Cell("x", None, suppressed=True),
                Cell("x", None, suppressed=True),
            ),
            (
                Cell(t["phone"]),
                Cell("412", 412),
                Cell(_percent(74, language), 0.74),
                Cell("70–78", None),
            ),
        ),
        notes=(t["note_x"], t["note_up"]),
    )
    chart = Chart(
        id="by_channel_chart",
        style="bar",
        title=t["chart"],
        categories=(t["email"], t["sms"], t["phone"]),
        series=(Series(t["satisfied"], (81, None, 74), (78, None, 70), (84, None, 78)),),
        unit="%",
        description=t["chart_text"],
        table_id="by_channel",
    )
    trend_values = (72, 75, None, 78, 80, 81)
    trend_table = Table(
        id="passport_trend",
        caption=t["trend"],
        columns=(t["month"], t["this_year"], t["last_year"]),
        rows=tuple(
            (
                Cell(month),
                Cell("x", None, True) if now is None else Cell(_percent(now, language), now / 100),
                Cell(_percent(before, language), before / 100),
            )
            for month, now, before in zip(
                t["months"], trend_values, (70, 71, 69, 73, 74, 72), strict=True
            )
        ),
        notes=(t["note_x"],),
    )
    trend = Chart(
        id="passport_trend_chart",
        style="line",
        title=t["trend"],
        categories=t["months"],
        series=(
            Series(
                t["this_year"], trend_values, (68, 71, None, 74, 77, 78), (76, 79, None, 82, 83, 84)
            ),
            Series(t["last_year"], (70, 71, 69, 73, 74, 72)),
        ),
        unit="%",
        description=t["trend_text"],
        table_id="passport_trend",
        y_min=50,
        y_max=100,
    )
    importance = (0.42, 0.27, 0.19, 0.12)
    performance = (58, 88, 76, 63)
    drivers = Table(
        id="passport_drivers",
        caption=t["drivers"],
        columns=(t["driver"], t["importance"], t["performance"]),
        rows=tuple(
            (
                Cell(name),
                Cell(_percent(round(i * 100), language), i),
                Cell(_percent(p, language), p / 100),
            )
            for name, i, p in zip(t["drivers_list"], importance, performance, strict=True)
        ),
    )
    scatter = Scatter(
        id="passport_drivers_chart",
        title=t["scatter"],
        x_label=t["x_label"],
        y_label=t["y_label"],
        points=tuple(
            Point(name, i * 100, p, flagged=name == t["drivers_list"][3])
            for name, i, p in zip(t["drivers_list"], importance, performance, strict=True)
        ),
        description=t["scatter_text"],
        table_id="passport_drivers",
    )
    return Document(
        language=language,
        title=t["title"],
        subtitle=t["subtitle"],
        generated=t["generated"],
        sections=(
            Section(
                "summary",
                t["summary"],
                (Paragraph(t["summary_text"]), Bullets(t["bullets"])),
            ),
            Section(
                "methodology",
                t["methodology"],
                (Section("disclosure", t["disclosure"], (Paragraph(t["disclosure_text"]),)),),
            ),
            Section("overview", t["overview"], (channels, chart)),
            Section(
                "passport",
                t["program"],
                (
                    trend,
                    trend_table,
                    Section("passport-drivers", t["drivers"], (drivers, scatter)),
                    Section("passport-irritants", t["irritants"], (Quotes(t["quotes"]),)),
                ),
                new_page=True,
            ),
        ),
    )
