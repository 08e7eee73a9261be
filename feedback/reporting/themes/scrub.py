"""Personal information taken out of a comment before anyone reads it.

Each kind of detail is replaced by a placeholder in the comment's language ("[email]",
"[courriel]"...). The patterns, in the order they apply (an earlier one wins):

* email addresses;
* street addresses, English ("123 Main Street", "45 Elm St. W, apt 4") and French
  ("45 rue Sainte-Catherine Est", "10 boul. René-Lévesque", "app. 3"), and post office boxes;
* Canadian postal codes ("H2X 1Y4", "h2x1y4");
* a number after its label ("file number: 2024-ABC-123", "numéro de dossier 12AB34567"): the
  label stays;
* application numbers: one to three letters then 6 to 12 digits (W123456789, E001234567,
  PA12345678);
* a client number after its label ("UCI", "IUC", "client number"), however it is grouped;
* North American phone numbers, with or without +1, in parentheses, dots, hyphens or spaces,
  with an extension (ext., x, poste); ten digits in a row without a label count as a phone;
* client identifiers: a UCI of 8 digits (1234-5678) or 10 digits (12-3456-7890), grouped with
  hyphens or spaces or not, and a social insurance number (123-456-789), two years
  ("2023-2024") excepted;
* any remaining run of 7 or more digits (an identifier of some kind);
* people's names: after a title (Mr, Mrs, Ms, Dr, M., Mme, Mlle, Dre...), after "agent",
  "my name is", "je m'appelle", "nommé(e)"..., and a first name from gender-guesser's name
  list followed by a capitalised surname, or alone in mid-sentence. A stoplist keeps ordinary
  capitalised words (Service Canada, Montréal, May, Grace...) and the start of a sentence.

The name list ships inside the gender-guesser package and is read once, on first use.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from feedback.reporting.themes.stopwords import FRENCH_STOP_WORDS

PLACEHOLDERS: dict[str, dict[str, str]] = {
    "email": {"en": "[email]", "fr": "[courriel]"},
    "phone": {"en": "[phone]", "fr": "[téléphone]"},
    "client": {"en": "[client number]", "fr": "[numéro de client]"},
    "application": {"en": "[application number]", "fr": "[numéro de demande]"},
    "postal": {"en": "[postal code]", "fr": "[code postal]"},
    "address": {"en": "[address]", "fr": "[adresse]"},
    "name": {"en": "[name]", "fr": "[nom]"},
}

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# A capitalised word, O'Neill, McDonald and Jean-François included.
_NAME_PART = rf"[{_UPPER}](?:['’]?[{_UPPER}])?[{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?"
_WORD = rf"{_NAME_PART}(?:-{_NAME_PART})*"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")

_UNIT = (
    r"(?:apt|app|appartement|apartment|unit|unité|suite|bureau|logement|local)"
    r"\.?\s*#?\s*\d+[A-Za-z]?"
)
_NUMBER = rf"(?:(?:{_UNIT}|#\s*\d+)\s*[,-]?\s*)?\d{{1,6}}[A-Za-z]?(?:-\d{{1,6}})?,?"
_EN_TYPES = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|crescent|cres|court|ct|lane|ln|way"
    r"|place|pl|terrace|parkway|pkwy|highway|hwy|circle|cir|trail|square|sq|close|row"
)
_FR_TYPES = (
    r"rue|avenue|av|boulevard|boul|bd|chemin|ch|route|rang|place|mont[ée]e|c[ôo]te|all[ée]e"
    r"|impasse|promenade|croissant|terrasse|carr[ée]|autoroute|rte"
)
_DIRECTION = (
    r"(?:\s+(?:north|south|east|west|est|ouest|nord|sud|n|s|e|w|o|ne|nw|se|sw|no|so)(?![\w'’])\.?)?"
)
_TAIL = rf"(?:\s*,?\s*{_UNIT})?"
_ADDRESS = re.compile(
    "|".join(
        (
            # English: the number, one to four capitalised (or numbered) words, the street type.
            rf"\b{_NUMBER}\s+(?:(?:[{_UPPER}0-9][\w'’.-]*)\s+){{1,4}}(?i:{_EN_TYPES})\b\.?"
            rf"(?i:{_DIRECTION}{_TAIL})",
            # French: the number, the street type, an optional "de la", the name.
            rf"\b{_NUMBER}\s+(?i:{_FR_TYPES})\b\.?\s+(?i:(?:de\s+la|de\s+l['’]|du|des|de|d['’])\s*)?"
            rf"\w[\w'’.-]*(?:[\s-]+(?:[{_UPPER}][\w'’.-]*|de|du|des|la|le))*?"
            rf"(?:\s+[{_UPPER}][\w'’.-]*)?(?i:{_DIRECTION}{_TAIL})",
            r"(?i:\b(?:p\.?\s?o\.?\s+box|c\.p\.|case\s+postale)\s*\d+)",
        )
    )
)
_POSTAL = re.compile(
    r"(?<![\w-])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][\s-]?\d[ABCEGHJ-NPRSTV-Z]\d(?![\w-])",
    re.IGNORECASE,
)
_YEARS = r"(?:19|20)\d\d[\s-](?:19|20)\d\d(?!\d)"
_CLIENT = re.compile(
    rf"(?<![\d-])(?!{_YEARS})(?:\d{{2}}[\s-]?\d{{4}}[\s-]?\d{{4}}|\d{{4}}[\s-]?\d{{4}}"
    r"|\d{3}[\s-]\d{3}[\s-]\d{3})(?![\d-])"
)
_APPLICATION = re.compile(r"\b[A-Za-z]{1,3}-?\d{6,12}\b")
#: A number after its label: the label stays, the number goes.
_LABELLED_NUMBER = re.compile(
    r"(?i:(?P<label>\b(?:(?:application|file|case|reference|ref|confirmation|tracking)\s*(?:number|no\.?|#|num)"
    r"|num[ée]ro\s+(?:de\s+)?(?:demande|dossier|r[ée]f[ée]rence|confirmation|suivi)"
    r"|n[°o]\s*(?:de\s+)?(?:demande|dossier))\s*:?\s*))(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{4,}"
)
_PHONE = re.compile(
    r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)"
    r"(?:\s*,?\s*(?:ext\.?|extension|x|poste|p\.|#)\s*\d{1,6})?",
    re.IGNORECASE,
)
#: A client number after its label, however it is grouped (ten digits would pass for a phone).
_LABELLED_CLIENT = re.compile(
    r"(?i:(?P<label>\b(?:uci|iuc|client\s*(?:id|number|no\.?|#)|num[ée]ro\s+(?:de\s+|d['’])?(?:client|iuc)"
    r"|n[°o]\s*(?:de\s+)?client)\s*(?:is|est|:|#)?\s*))"
    r"(?:\d{2}[\s-]?\d{4}[\s-]?\d{4}|\d{4}[\s-]?\d{4})(?![\d-])"
)
_LONG_NUMBER = re.compile(r"(?<!\d)\d{7,}(?!\d)")

_TITLE = re.compile(
    rf"\b(?:(?:Mr|Mrs|Ms|Mx|Dr|Dre|Mme|Mlle|Mmes|Prof)\.?|M\.|Mister|Miss|Madame|Monsieur|Mademoiselle)"
    rf"\s+((?:{_WORD})(?:\s+{_WORD})?)"
)
_TRIGGER = re.compile(
    r"(?i:\b(?:my name is|name's|i am called|je m['’]appelle|mon nom est|je me nomme"
    r"|s['’]appelle|s['’]appelait|nomm[ée]e?|named|prénommée?"
    r"|agent|agente|officer|clerk|representative|représentante?|préposée?|conseillère|conseiller"
    r"|signed|signé)\s+)"
    rf"((?:{_WORD})(?:\s+{_WORD})?)"
)
_CAPITALISED = re.compile(rf"\b{_WORD}\b")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\"«»\n]\s*|\s[-–]\s*)$")

#: Capitalised words that are names in the list but are far more often something else here.
_COMMON = """
    will may grace hope joy rose victoria paris bill mark art chance justice summer autumn
    royal star honor honour king queen prince bay sunny rich don angel ocean crystal pearl ruby
    harmony sage brook dieu georgia india jordan regina sydney florence lourdes laval august
    june april january february march july september october november december monday tuesday
    wednesday thursday friday saturday sunday janvier février mars avril mai juin juillet août
    septembre octobre novembre décembre lundi mardi mercredi jeudi vendredi samedi dimanche
    canada québec quebec ontario alberta manitoba saskatchewan yukon nunavut montréal montreal
    toronto ottawa gatineau vancouver calgary edmonton winnipeg halifax moncton sherbrooke
    service services passport passeport immigration english french anglais français
    saint sainte ste st street rue avenue office centre center bureau client clients agent
    government gouvernement canadian canadien canadienne my your our mon ma mes notre votre
    thank thanks merci hello bonjour dear please very great good bad the this that these
    online internet web portal portail mail email phone ok okay no yes oui non ce cette
    christmas noël easter pâques god lord lake rivière river mountain north south east west
    mr mrs ms dr dre mme mlle mx prof
"""
COMMON_WORDS = frozenset(_COMMON.split())


@cache
def first_names() -> frozenset[str]:
    """Lower-cased first names from gender-guesser's list (read once), less common words."""
    text = resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_text("utf-8")
    names: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in "#=":
            continue
        name = line.split()[1]
        for variant in {name.replace("+", ""), name.replace("+", "-"), name.split("+")[0]}:
            if len(variant) > 1:
                names.add(variant.lower())
    return frozenset(names - COMMON_WORDS - ENGLISH_STOP_WORDS - FRENCH_STOP_WORDS)


def _placeholder(detail: str, language: str) -> str:
    return PLACEHOLDERS[detail]["fr" if language == "fr" else "en"]


def _is_name(word: str) -> bool:
    names = first_names()
    return word.lower() in names or word.split("-")[0].lower() in names


def _is_surname(word: str) -> bool:
    return word.lower() not in COMMON_WORDS and word.lower() not in ENGLISH_STOP_WORDS


def _names(text: str, language: str) -> str:
    """Replace the words of detected names, keeping titles and trigger words."""
    marker = _placeholder("name", language)

    def keep_lead(match: re.Match[str]) -> str:
        if match.group(1).split()[0].lower() in COMMON_WORDS:  # "agent Service Canada"
            return match.group(0)
        lead = match.group(0)[: match.start(1) - match.start(0)]
        return lead + marker

    text = _TITLE.sub(keep_lead, text)
    text = _TRIGGER.sub(keep_lead, text)

    words = list(_CAPITALISED.finditer(text))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        word = words[i]
        if _is_name(word.group()):
            following = words[i + 1] if i + 1 < len(words) else None
            adjacent = (
                following is not None
                and text[word.end() : following.start()] == " "
                and _is_surname(following.group())
            )
            if adjacent:
                spans.append((word.start(), following.end()))
                i += 2
                continue
            if not _SENTENCE_END.search(text[: word.start()]):
                spans.append((word.start(), word.end()))
        i += 1
    for start, end in reversed(spans):
        text = text[:start] + marker + text[end:]
    return text


#: Applied in this order: an earlier pattern wins (an address's number is not a phone number).
_STEPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_EMAIL, "email"),
    (_ADDRESS, "address"),
    (_POSTAL, "postal"),
    (_LABELLED_NUMBER, "application"),
    (_APPLICATION, "application"),
    (_LABELLED_CLIENT, "client"),
    (_PHONE, "phone"),
    (_CLIENT, "client"),
    (_LONG_NUMBER, "application"),
)


def scrub(text: str, language: str) -> str:
    """The comment with its personal details replaced by placeholders in `language`."""
    for pattern, detail in _STEPS:
        marker = _placeholder(detail, language)
        # A labelled number keeps its label ("file number: [application number]").
        text = pattern.sub(
            lambda match, marker=marker: (match.groupdict().get("label") or "") + marker, text
        )
    return _names(text, language)
