"""Demo comments in English and French: a satisfied client mostly praises, a dissatisfied one
names one or two irritants of the taxonomy; about one in five carries a made-up personal detail
(example.com addresses, 555 numbers, invented client and application numbers, names) so the
scrubbing has something to find in the demo."""

from __future__ import annotations

import random

_PRAISE = {
    "en": (
        "The agent was very helpful and patient.",
        "Great service, quick and easy.",
        "Everything was explained clearly, thank you for your help.",
        "The staff at the counter were friendly and professional.",
        "My card arrived sooner than expected. Well done.",
        "Easy process online, no problems at all.",
    ),
    "fr": (
        "L'agente a été très aimable et patiente.",
        "Service rapide et efficace, rien à redire.",
        "On m'a tout expliqué clairement, merci pour votre aide.",
        "Le personnel au comptoir était accueillant et professionnel.",
        "Ma carte est arrivée plus vite que prévu. Bravo!",
        "Démarche facile en ligne, aucun problème.",
    ),
}
_IRRITANTS = {
    "en": (
        "It took almost four months to get my passport.",
        "Nobody could tell me where my application was.",
        "I waited two hours on hold before someone answered.",
        "The website kept logging me out of my account.",
        "I had to send the same documents three times.",
        "The letter was confusing and contradicted what the agent said.",
        "The agent at the counter was rude and impatient.",
        "The fees are far too high for a family.",
        "The page crashed with an error when I tried to submit.",
        "There were no appointments available for six weeks.",
        "Nobody could serve me in French at that office.",
        "There was no ramp for my wheelchair.",
        "I felt I was treated differently because of my accent.",
        "My name was misspelled on the card and they lost my photos.",
        "The parking near the office is always full.",
    ),
    "fr": (
        "Ça a pris presque quatre mois pour avoir mon passeport.",
        "Personne n'a pu me dire où en était ma demande.",
        "J'ai attendu deux heures en attente au téléphone.",
        "Le site Web me déconnecte sans arrêt de mon compte.",
        "J'ai dû envoyer les mêmes documents trois fois.",
        "La lettre était confuse et contredisait ce que l'agent m'avait dit.",
        "Le préposé au comptoir était bête et impatient.",
        "Les frais sont beaucoup trop chers pour une famille.",
        "La page a planté avec un message d'erreur quand j'ai voulu soumettre.",
        "Aucune plage de rendez-vous avant six semaines.",
        "Personne ne pouvait me servir en français à ce bureau.",
        "Il n'y avait pas de rampe pour mon fauteuil roulant.",
        "J'ai eu l'impression d'être traitée différemment à cause de mon accent.",
        "Mon nom était mal orthographié sur la carte et ils ont perdu mes photos.",
        "Le stationnement près du bureau est toujours plein.",
    ),
}
_NAMES = (
    ("Marie", "Tremblay"),
    ("Jean", "Gagnon"),
    ("Sarah", "Wilson"),
    ("Kevin", "Nguyen"),
    ("Priya", "Sharma"),
    ("Luc", "Bouchard"),
)


def _detail(rng: random.Random, language: str) -> str:
    """A sentence with one made-up personal detail."""
    first, last = rng.choice(_NAMES)
    phone = f"{rng.choice((613, 514, 416, 902))}-555-01{rng.randint(0, 99):02d}"
    email = f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@example.com"
    uci = f"{rng.randint(10, 99)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
    application = f"{rng.choice('WEF')}{rng.randint(0, 999_999_999):09d}"
    if language == "fr":
        sentences = (
            f"Rappelez-moi au {phone}.",
            f"Mon courriel : {email}",
            f"Mon IUC est {uci}.",
            f"Numéro de demande {application}.",
            f"Je m'appelle {first} {last}.",
            f"J'habite au {rng.randint(10, 999)}, rue Principale, Laval H7N 3R4.",
        )
    else:
        sentences = (
            f"Call me back at {phone}.",
            f"My email is {email}",
            f"My UCI is {uci}.",
            f"Application {application}.",
            f"My name is {first} {last}.",
            f"I live at {rng.randint(10, 999)} Main Street, Ottawa K1A 0B1.",
        )
    return rng.choice(sentences)


def comment(rng: random.Random, language: str, satisfied: bool) -> str:
    """A plausible comment in `language` ("en" or "fr") from a satisfied client or not."""
    language = "fr" if language == "fr" else "en"
    if satisfied:
        parts = [rng.choice(_PRAISE[language])]
        if rng.random() < 0.25:
            parts.append(rng.choice(_IRRITANTS[language]))
    else:
        parts = rng.sample(_IRRITANTS[language], k=rng.choice((1, 1, 2)))
    if rng.random() < 0.2:
        parts.append(_detail(rng, language))
    return " ".join(parts)
