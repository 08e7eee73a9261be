"""Renderers of the report document: PDF (pdf.write), HTML (html.render), CSV and XLSX (tables).

Every text of the document is already in its language; a renderer only needs the few fixed
words of its own layout (page numbers, the table of contents, chart legends). They live here,
in both languages, so that rendering needs no Flask application or locale.
"""

from __future__ import annotations

from collections.abc import Mapping

from feedback.reporting.document import Cell, Table

WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "page": "Page {n} of {m}",
        "generated": "Generated on {date}",
        "contents": "Contents",
        "notes": "Notes",
        "about": "About",
        "period": "Period",
        "title": "Title",
        "see_table": "The figures of this chart are in the table “{caption}”.",
        "see_table_link": "See the figures in a table",
        "interval": "Lines on the bars: 95% confidence interval.",
        "flagged": "Hollow marker: small base, interpret with care",
        "priority": "Priority to improve",
        "strength": "Strength to keep",
        "chart": "Chart",
    },
    "fr": {
        "page": "Page {n} de {m}",
        "generated": "Produit le {date}",
        "contents": "Table des matières",
        "notes": "Notes",
        "about": "À propos",
        "period": "Période",
        "title": "Titre",
        "see_table": "Les données de ce graphique figurent dans le tableau « {caption} ».",
        "see_table_link": "Voir les données dans un tableau",
        "interval": "Traits sur les barres : intervalle de confiance à 95 %.",
        "flagged": "Marqueur creux : petite base, à interpréter avec prudence",
        "priority": "Priorité d’amélioration",
        "strength": "Force à maintenir",
        "chart": "Graphique",
    },
}


def words(language: str) -> Mapping[str, str]:
    """The fixed words of the layout in `language` (English for a language without its own)."""
    return WORDS.get(language, WORDS["en"])


def _figure_like(cell: Cell) -> bool:
    return cell.number is not None or cell.suppressed or not any(c.isalpha() for c in cell.text)


def numeric_columns(table: Table) -> list[bool]:
    """Which columns hold figures (right-aligned): every cell a number, suppressed, or letterless
    ("78–84", "—"). The first column holds the row headers and never counts as one."""
    return [False] + [
        all(_figure_like(row[j]) for row in table.rows) for j in range(1, len(table.columns))
    ]
