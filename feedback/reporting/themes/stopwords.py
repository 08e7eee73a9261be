"""A short French stop list (scikit-learn ships only an English one), accents kept and removed."""

from __future__ import annotations

import unicodedata

_WORDS = """
a à afin ai aie aient ainsi alors as au aucun aucune aupres auprès aussi autre autres aux avais
avait avant avec avez avoir avons ayant c ça ca car ce ceci cela celle celles celui ces cet cette
chez ci comme comment d dans de des deja déjà depuis devant doit donc dont du elle elles en encore
entre es est et etaient étaient etais étais etait était ete été etre être eu eux fait faire fois
font hors ici il ils j je jusqu jusque l la le les leur leurs lors lui m ma mais me meme même mes
moi moins mon n ne ni nos notre nous on ont ou où par parce pas peu peut plus pour pourquoi qu
quand que quel quelle quelles quels qui quoi s sa sans se sera ses si sien soit son sont sous
suis sur t ta te tes toi ton tous tout toute toutes tres très trop tu un une uns vos votre vous
vu y avoir eté cest jai jetais quil quelle dun dune
"""


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


FRENCH_STOP_WORDS: frozenset[str] = frozenset(
    {w for w in _WORDS.split()} | {_plain(w) for w in _WORDS.split()}
)
