"""Accuracy of scrubbing and coding on a labelled set of comments.

The set is JSON lines: {"lang": "en"|"fr", "text": ..., "themes": [codes], "pii": [details]}.
A planted detail counts as left when it still appears in the scrubbed text (compared without
case). Every fourth comment (lines 4, 8, 12...) is held out: it was never inspected while the
patterns were written, so its scores say how the coding does on comments it was not tuned on.
Run: `python -m feedback.reporting.themes.evaluate [FILE.jsonl]`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedback.reporting.themes.coding import code
from feedback.reporting.themes.scrub import scrub
from feedback.reporting.themes.taxonomy import THEMES

DEFAULT_SET = Path(__file__).parents[3] / "tests/reporting/themes/data/labelled_comments.jsonl"


@dataclass(frozen=True)
class ThemeScore:
    code: str
    support: int  # comments labelled with the theme
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Evaluation:
    comments: int
    themes: tuple[ThemeScore, ...]
    micro_f1: float
    macro_f1: float
    details_planted: int
    details_left: tuple[str, ...]

    @property
    def share_left(self) -> float:
        return len(self.details_left) / self.details_planted if self.details_planted else 0.0


def load(path: Path = DEFAULT_SET) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def held_out(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The held-out quarter of a labelled set: lines 4, 8, 12..."""
    return rows[3::4]


def evaluate(rows: Iterable[Mapping[str, Any]]) -> Evaluation:
    """Scrub then code every comment (as the platform does) and compare with the labels."""
    counts = {theme: [0, 0, 0, 0] for theme in THEMES}  # support, tp, fp, fn
    planted = 0
    left: list[str] = []
    n = 0
    for row in rows:
        n += 1
        scrubbed = scrub(row["text"], row["lang"])
        planted += len(row["pii"])
        left += [d for d in row["pii"] if d.lower() in scrubbed.lower()]
        expected, found = set(row["themes"]), set(code(scrubbed, row["lang"]))
        for theme in expected:
            counts[theme][0] += 1
        for theme in expected & found:
            counts[theme][1] += 1
        for theme in found - expected:
            counts[theme][2] += 1
        for theme in expected - found:
            counts[theme][3] += 1
    scores = tuple(ThemeScore(theme, *values) for theme, values in counts.items())
    tp = sum(s.true_positives for s in scores)
    fp = sum(s.false_positives for s in scores)
    fn = sum(s.false_negatives for s in scores)
    micro = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    scored = [s for s in scores if s.support]
    macro = sum(s.f1 for s in scored) / len(scored) if scored else 0.0
    return Evaluation(n, scores, micro, macro, planted, tuple(left))


def table(result: Evaluation) -> str:
    """The scores as a Markdown table (the one in docs/comment-coding.md)."""
    lines = [
        "| Theme | Support | Precision | Recall | F1 |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in result.themes:
        lines.append(
            f"| {s.code} | {s.support} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} |"
        )
    lines += [
        f"| **micro F1** | | | | {result.micro_f1:.2f} |",
        f"| **macro F1** | | | | {result.macro_f1:.2f} |",
        "",
        f"Comments: {result.comments}. Planted personal details: {result.details_planted}, "
        f"left after scrubbing: {len(result.details_left)} ({result.share_left:.1%}).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    labelled = load(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SET)
    print("## Whole set\n")
    print(table(evaluate(labelled)))
    print("\n## Held-out quarter\n")
    print(table(evaluate(held_out(labelled))))
