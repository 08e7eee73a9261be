"""Figures as document cells: the text in the report's language, the raw number beside it.

Compose formats every number here so that a renderer never has to. Shares are carried in
per cent (0-100) in `Cell.number`, the unit the text shows. Babel's Canadian locales give the
department's conventions ("72 %" and "1 234,5" in French, "72%" and "1,234.5" in English).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from feedback.reporting.document import Cell
from feedback.reporting.estimates.changes import Change
from feedback.reporting.estimates.intervals import Estimate

#: Statistics Canada's convention: "x" marks a figure suppressed to protect confidentiality.
SUPPRESSED = Cell(text="x", number=None, suppressed=True)
#: Nothing to compute (no answer in the cell).
NO_DATA = Cell(text="—", number=None)
UP, DOWN = "▲", "▼"


@dataclass(frozen=True)
class Numbers:
    """Number formats of one language ("en" or "fr")."""

    language: str

    @property
    def locale(self) -> str:
        return "fr_CA" if self.language == "fr" else "en_CA"

    # --- words ----------------------------------------------------------------------------------
    def integer(self, value: float) -> str:
        return format_decimal(value, "#,##0", locale=self.locale)

    def decimal(self, value: float, places: int = 1) -> str:
        return format_decimal(value, "#,##0." + "0" * places, locale=self.locale)

    def percent(self, share: float) -> str:
        """A share in [0, 1] as a whole percentage in the language's style."""
        return format_percent(share, locale=self.locale)

    def signed(self, value: float, places: int = 1) -> str:
        zeros = "0" * places
        return format_decimal(value, f"+#,##0.{zeros};−#,##0.{zeros}", locale=self.locale)

    def points(self, value: float) -> str:
        """An NPS in points, signed."""
        return format_decimal(value, "+#,##0;−#,##0", locale=self.locale)

    def day(self, value: date) -> str:
        return format_date(value, "long", locale=self.locale)

    def month(self, value: date) -> str:
        return format_date(value, "MMMM y", locale=self.locale)

    # --- cells ----------------------------------------------------------------------------------
    def count(self, value: int | None) -> Cell:
        return NO_DATA if value is None else Cell(self.integer(value), value)

    def share(self, estimate: Estimate) -> Cell:
        if estimate.value is None:
            return NO_DATA
        return Cell(self.percent(estimate.value), 100 * estimate.value)

    def share_interval(self, estimate: Estimate) -> Cell:
        """A share's 95 % interval in per cent, e.g. "65–78 %" (the text only: two bounds)."""
        if estimate.value is None or estimate.low is None or estimate.high is None:
            return NO_DATA
        low, high = self.integer(100 * estimate.low), self.percent(estimate.high)
        return Cell(f"{low}–{high}")

    def nps(self, estimate: Estimate) -> Cell:
        if estimate.value is None:
            return NO_DATA
        return Cell(self.points(estimate.value), estimate.value)

    def nps_interval(self, estimate: Estimate) -> Cell:
        if estimate.value is None or estimate.low is None or estimate.high is None:
            return NO_DATA
        return Cell(f"{self.points(estimate.low)} – {self.points(estimate.high)}")

    def mean_interval(self, estimate: Estimate) -> Cell:
        if estimate.value is None or estimate.low is None or estimate.high is None:
            return NO_DATA
        return Cell(f"{self.decimal(estimate.low)}–{self.decimal(estimate.high)}")

    def interval(self, estimate: Estimate, measure: str) -> Cell:
        """The 95 % interval of an estimate by its measure: "share", "score" (NPS) or "mean"."""
        methods = {
            "share": self.share_interval,
            "score": self.nps_interval,
            "mean": self.mean_interval,
        }
        return methods[measure](estimate)

    def mean(self, estimate: Estimate) -> Cell:
        if estimate.value is None:
            return NO_DATA
        return Cell(self.decimal(estimate.value), estimate.value)

    def sd(self, estimate: Estimate) -> Cell:
        if estimate.sd is None:
            return NO_DATA
        return Cell(self.decimal(estimate.sd), estimate.sd)

    def base(self, estimate: Estimate) -> Cell:
        return self.count(estimate.n)

    def effective(self, estimate: Estimate) -> Cell:
        if estimate.n_effective is None:
            return NO_DATA
        return Cell(self.decimal(estimate.n_effective), estimate.n_effective)

    def estimate(self, estimate: Estimate, measure: str) -> Cell:
        """The figure of an estimate by its measure: "share", "score" (NPS) or "mean"."""
        return {"share": self.share, "score": self.nps, "mean": self.mean}[measure](estimate)

    def change(self, change: Change | None, measure: str) -> Cell:
        """The difference in the figure's display unit (percentage points for shares), with a
        marker only when the change is significant after Holm's correction."""
        if change is None or change.difference is None:
            return NO_DATA
        difference = 100 * change.difference if measure == "share" else change.difference
        marker = (UP if difference > 0 else DOWN) if change.significant else None
        text = self.points(difference) if measure == "score" else self.signed(difference)
        return Cell(f"{text} {marker}" if marker else text, difference, marker=marker)

    def ratio(self, value: float | None) -> Cell:
        """A share of variance or a correlation, e.g. importance 0.31 shown as "31 %"."""
        if value is None:
            return NO_DATA
        return Cell(self.percent(value), 100 * value)

    def correlation(self, value: float | None) -> Cell:
        if value is None:
            return NO_DATA
        return Cell(self.decimal(value, 2), value)
