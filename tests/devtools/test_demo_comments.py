"""Demo comments: varied, in the language asked, touching the taxonomy, some with made-up
details that the scrubbing removes."""

from __future__ import annotations

import random
import re

from feedback.devtools.demo_comments import comment
from feedback.reporting.themes.coding import code
from feedback.reporting.themes.scrub import scrub

DETAIL = re.compile(
    r"@example\.com|555-01\d\d|\d{2}-\d{4}-\d{4}|[WEF]\d{9}|H7N 3R4|K1A 0B1"
    r"|Main Street|rue Principale|Tremblay|Gagnon|Wilson|Nguyen|Sharma|Bouchard"
)


def test_comments_are_varied_coded_and_their_details_scrubbed():
    rng = random.Random(7)
    for language in ("en", "fr"):
        texts = [comment(rng, language, satisfied) for satisfied in (True, False) * 150]
        assert len(set(texts)) > 100
        themes = {theme for text in texts for theme in code(text, language)}
        assert {"praise", "processing_time", "phone_access", "fees"} <= themes
        with_details = [text for text in texts if DETAIL.search(text)]
        assert 20 <= len(with_details) <= 120
        for text in with_details:
            assert not DETAIL.search(scrub(text, language)), text


def test_satisfied_clients_praise_and_the_others_complain():
    rng = random.Random(3)
    satisfied = [code(comment(rng, "fr", True), "fr") for _ in range(50)]
    unhappy = [code(comment(rng, "en", False), "en") for _ in range(50)]
    assert sum("praise" in themes for themes in satisfied) >= 45
    assert sum("praise" in themes for themes in unhappy) <= 5


def test_the_same_seed_gives_the_same_comments():
    assert comment(random.Random(1), "en", False) == comment(random.Random(1), "en", False)
