"""Emerging themes: clusters among the comments that the taxonomy did not code.

TF-IDF over words and word pairs (lower case, accents removed, English and French stop words
and the scrubbing placeholders left out), then k-means with a fixed seed: the same comments in
the same order always give the same clusters. A cluster is named by the terms nearest its
centre; clusters smaller than `min_size` are dropped (too few comments to speak of a theme).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from feedback.reporting.themes.coding import normalise
from feedback.reporting.themes.scrub import PLACEHOLDERS
from feedback.reporting.themes.stopwords import FRENCH_STOP_WORDS

#: The words of the placeholders ("[client number]", "[numéro de client]"...).
_PLACEHOLDER_WORDS = frozenset(
    word
    for labels in PLACEHOLDERS.values()
    for label in labels.values()
    for word in normalise(label).strip("[]").split()
)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | FRENCH_STOP_WORDS | _PLACEHOLDER_WORDS)
SEED = 0


@dataclass(frozen=True)
class Cluster:
    terms: tuple[str, ...]  # the heaviest terms of its centre
    members: tuple[int, ...]  # indexes into the texts given


def discover(
    texts: Sequence[str], *, max_clusters: int = 5, min_size: int = 3, top_terms: int = 5
) -> list[Cluster]:
    """Clusters of `texts`, largest first (ties: by terms); [] when there are too few."""
    k = min(max_clusters, len(texts) // min_size)
    if k < 1:
        return []
    vectorizer = TfidfVectorizer(
        preprocessor=normalise,
        stop_words=STOP_WORDS,
        token_pattern=r"(?u)\b[a-z][a-z'-]{2,}\b",
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no term occurs in two comments
        return []
    model = KMeans(n_clusters=k, random_state=SEED, n_init=10).fit(matrix)
    terms = vectorizer.get_feature_names_out()
    clusters = []
    for label, centre in enumerate(model.cluster_centers_):
        members = tuple(int(i) for i, assigned in enumerate(model.labels_) if assigned == label)
        heaviest = [int(i) for i in centre.argsort()[::-1][:top_terms] if centre[i] > 0]
        if len(members) >= min_size and heaviest:
            clusters.append(Cluster(tuple(str(terms[i]) for i in heaviest), members))
    return sorted(clusters, key=lambda c: (-len(c.members), c.terms))
