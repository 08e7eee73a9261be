"""The report's words in both official languages, kept together so that they stay of equal quality.

Each entry is {"en": ..., "fr": ...} with str.format placeholders; `say(key, language, **values)`
picks and fills one. Numbers handed in are already formatted for the language (see .numbers).
Long methodology texts live here rather than in the message catalogue: they are report prose,
reviewed as a whole in each language.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

PROSE: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        # --- Document ---------------------------------------------------------------------------
        "title": {
            "en": "Client-perspective report",
            "fr": "Rapport sur la perspective des clients",
        },
        "period": {"en": "{start} to {end}", "fr": "du {start} au {end}"},
        # --- Section titles ---------------------------------------------------------------------
        "summary": {"en": "Executive summary", "fr": "Sommaire"},
        "methodology": {"en": "Methodology", "fr": "Méthodologie"},
        "overview": {"en": "Overview", "fr": "Vue d'ensemble"},
        "appendix": {"en": "Appendix: detailed tables", "fr": "Annexe : tableaux détaillés"},
        "key_figures": {"en": "Key figures", "fr": "Principaux résultats"},
        "trend": {"en": "Trend", "fr": "Tendance"},
        "drivers": {"en": "Drivers of satisfaction", "fr": "Facteurs de satisfaction"},
        "irritants": {"en": "Irritants", "fr": "Irritants"},
        "emerging": {"en": "Emerging themes", "fr": "Thèmes émergents"},
        "you_said": {"en": "You said, we did", "fr": "Vous avez dit, nous avons agi"},
        # --- Executive summary ------------------------------------------------------------------
        "summary_overall": {
            "en": "Overall, {share} of clients were satisfied with the service they received "
            "(95% confidence interval: {low} to {high}; {n} answers), for {responses} completed "
            "questionnaires and a response rate of {rate}.",
            "fr": "Dans l'ensemble, {share} des clients se sont dits satisfaits du service reçu "
            "(intervalle de confiance à 95 % : de {low} à {high}; {n} réponses), pour "
            "{responses} questionnaires remplis et un taux de réponse de {rate}.",
        },
        "summary_overall_suppressed": {
            "en": "Too few clients answered in this period to report overall satisfaction.",
            "fr": "Trop peu de clients ont répondu pendant cette période pour présenter la "
            "satisfaction globale.",
        },
        "summary_no_changes": {
            "en": "No overall figure changed significantly compared with the previous period or "
            "the same period last year.",
            "fr": "Aucun résultat global n'a varié de façon significative par rapport à la "
            "période précédente ou à la même période l'an dernier.",
        },
        "summary_changes": {
            "en": "Significant changes (after correction for multiple comparisons):",
            "fr": "Variations significatives (après correction pour comparaisons multiples) :",
        },
        "summary_change": {
            "en": "{figure}: {current}, {direction} from {previous} {against}.",
            "fr": "{figure} : {current}, en {direction} par rapport à {previous} ({against}).",
        },
        "up": {"en": "up", "fr": "hausse"},
        "down": {"en": "down", "fr": "baisse"},
        "against_previous": {"en": "in the previous period", "fr": "période précédente"},
        "against_last_year": {
            "en": "in the same period last year",
            "fr": "même période l'an dernier",
        },
        "summary_drivers": {
            "en": "The aspects of service that would most improve satisfaction (high importance, "
            "lower performance) are: {names}.",
            "fr": "Les aspects du service dont l'amélioration augmenterait le plus la satisfaction "
            "(importance élevée, rendement plus faible) sont : {names}.",
        },
        "summary_irritants": {
            "en": "The irritants clients mentioned most often are: {names}.",
            "fr": "Les irritants que les clients ont mentionnés le plus souvent sont : {names}.",
        },
        "summary_actions": {
            "en": "Programs recorded {count} actions in response to the irritants shown in this "
            "report.",
            "fr": "Les programmes ont consigné {count} mesures en réponse aux irritants présentés "
            "dans ce rapport.",
        },
        "summary_no_actions": {
            "en": "No action has been recorded yet in response to the irritants shown in this "
            "report.",
            "fr": "Aucune mesure n'a encore été consignée en réponse aux irritants présentés "
            "dans ce rapport.",
        },
        "summary_weighted": {
            "en": "Figures are also shown weighted for non-response (see the methodology).",
            "fr": "Les résultats sont aussi présentés pondérés pour tenir compte de la "
            "non-réponse (voir la méthodologie).",
        },
        # --- Methodology ------------------------------------------------------------------------
        "method_who_title": {"en": "Who was surveyed", "fr": "Personnes sondées"},
        "method_who": {
            "en": "This report covers clients of {programs} whose contact with the department "
            "between {start} and {end} led to a survey invitation. Clients were invited by the "
            "channel their program chose for the kind of contact: by email, by text message, at "
            "the end of a phone call or during a visit in person. {reached} invitations reached a "
            "client and {responses} questionnaires were completed. Every figure is computed "
            "exactly from counts of the answers, kept up to date as responses arrive.",
            "fr": "Ce rapport porte sur les clients de {programs} dont le contact avec le "
            "ministère, entre le {start} et le {end}, a donné lieu à une invitation à répondre "
            "au sondage. Les clients ont été invités par le mode que leur programme a choisi "
            "pour ce type de contact : par courriel, par message texte, à la fin d'un appel ou "
            "lors d'une visite en personne. {reached} invitations ont joint un client et "
            "{responses} questionnaires ont été remplis. Chaque résultat est calculé exactement à "
            "partir des dénombrements des réponses, tenus à jour à mesure qu'elles arrivent.",
        },
        "method_rate_title": {"en": "Response rates", "fr": "Taux de réponse"},
        "method_rate": {
            "en": "A response rate is the number of completed questionnaires divided by the "
            "number of invitations that reached a client. What counts as reaching a client "
            "depends on the channel:",
            "fr": "Le taux de réponse est le nombre de questionnaires remplis divisé par le "
            "nombre d'invitations qui ont joint un client. Ce qui compte comme ayant joint un "
            "client dépend du mode d'invitation :",
        },
        "method_rate_channel": {
            "en": "{channel}: {denominator}.",
            "fr": "{channel} : {denominator}.",
        },
        "method_figures_title": {"en": "Figures and intervals", "fr": "Résultats et intervalles"},
        "method_satisfaction": {
            "en": "Satisfaction is the share of answers in the top two boxes ({top} to {high} on "
            "the {low}-to-{high} scale) of the overall satisfaction question. Each share is shown "
            "with its 95% confidence interval, computed with the Wilson score method, which "
            "stays between 0 % and 100 % and remains accurate for small samples and for shares "
            "close to 0 % or 100 %.",
            "fr": "La satisfaction est la proportion des réponses dans les deux cases supérieures "
            "(de {top} à {high} sur l'échelle de {low} à {high}) à la question de satisfaction "
            "globale. Chaque proportion est accompagnée de son intervalle de confiance à 95 %, "
            "calculé par la méthode du score de Wilson, qui reste entre 0 % et 100 % et demeure "
            "exacte pour les petits échantillons et les proportions proches de 0 % ou de 100 %.",
        },
        "method_nps": {
            "en": "The Net Promoter Score (NPS) is the percentage of promoters ({promoters} to "
            "{high} on the {low}-to-{high} scale) minus the percentage of detractors ({low} to "
            "{detractors}); it ranges from −100 to +100. Its 95% interval uses the variance of "
            "that difference, taking into account that promoters and detractors come from the "
            "same answers.",
            "fr": "Le score net de recommandation (NPS) est le pourcentage de promoteurs (de "
            "{promoters} à {high} sur l'échelle de {low} à {high}) moins le pourcentage de "
            "détracteurs (de {low} à {detractors}); il varie de −100 à +100. Son intervalle à "
            "95 % repose sur la variance de cette différence, compte tenu du fait que "
            "promoteurs et détracteurs proviennent des mêmes réponses.",
        },
        "method_effort": {
            "en": "Effort is measured on a {low}-to-{high} scale ({high}: very easy). The report "
            "gives its mean with its standard deviation and a 95% interval (Student's t "
            "distribution), and the share of low-effort answers ({top} to {high}) with its "
            "Wilson interval.",
            "fr": "L'effort est mesuré sur une échelle de {low} à {high} ({high} : très facile). "
            "Le rapport en donne la moyenne avec son écart-type et un intervalle à 95 % (loi de "
            "Student), ainsi que la proportion de réponses indiquant un faible effort (de {top} "
            "à {high}) avec son intervalle de Wilson.",
        },
        "method_bases": {
            "en": "Every figure comes with its base n, the number of answers it rests on. A base "
            "can be smaller than the number of completed questionnaires, because a client may "
            "skip a question. Invitations, completed questionnaires and response rates are "
            "counted by the day the invitation was sent, answers by the day the questionnaire was "
            "completed: the two can differ slightly at the edges of the period.",
            "fr": "Chaque résultat est accompagné de sa base n, le nombre de réponses sur "
            "lesquelles il repose. Une base peut être inférieure au nombre de questionnaires "
            "remplis, car un client peut sauter une question. Les invitations, les questionnaires "
            "remplis et les taux de réponse sont comptés selon le jour d'envoi de l'invitation, "
            "les réponses selon le jour où le questionnaire a été rempli\u00a0: les deux peuvent "
            "différer légèrement aux limites de la période.",
        },
        "method_changes_title": {
            "en": "Changes and significance",
            "fr": "Variations et signification statistique",
        },
        "method_changes": {
            "en": "Each figure is compared with the previous period of the same length "
            "({previous}) and with the same period last year ({last_year}). Shares are compared "
            "with a two-proportion z-test, Net Promoter Scores with a z-test of the difference "
            "and means with Welch's t-test. Because a page shows many comparisons at once, the "
            "p-values of all comparisons on a page are adjusted with the Holm–Bonferroni "
            "method. A change is marked (▲ increase, ▼ decrease) only when its adjusted p-value "
            "is below 0.05; an unmarked change may be due to chance.",
            "fr": "Chaque résultat est comparé à la période précédente de même durée ({previous}) "
            "et à la même période l'an dernier ({last_year}). Les proportions sont comparées par "
            "un test z de deux proportions, les scores nets de recommandation par un test z de "
            "la différence et les moyennes par le test t de Welch. Comme une page présente de "
            "nombreuses comparaisons à la fois, les valeurs p de toutes les comparaisons d'une "
            "page sont ajustées par la méthode de Holm-Bonferroni. Une variation n'est signalée "
            "(▲ hausse, ▼ baisse) que si sa valeur p ajustée est inférieure à 0,05; une "
            "variation non signalée peut être due au hasard.",
        },
        "method_drivers_title": {"en": "Drivers of satisfaction", "fr": "Facteurs de satisfaction"},
        "method_drivers": {
            "en": "Driver questions ask about specific aspects of the service, such as ease, "
            "timeliness or the helpfulness of staff. The importance of a driver is its share of "
            "the variance of overall satisfaction explained (R²) by a linear regression on all "
            "drivers, averaged over every order in which the drivers can enter the model "
            "(Shapley value decomposition, also called LMG). Unlike regression coefficients, "
            "this measure stays stable when drivers are correlated with one another. The "
            "correlation of each driver with overall satisfaction is also shown. Performance is "
            "the top-two-box share of the driver question. Drivers of high importance and low "
            "performance are the improvements that would matter most to clients. A driver whose "
            "base is below {small} responses with both answers is flagged as a small base: "
            "shown, but to be read with caution.",
            "fr": "Les questions sur les facteurs portent sur des aspects précis du service, "
            "comme la facilité, la rapidité ou l'aide du personnel. L'importance d'un facteur est "
            "sa part de la variance de la satisfaction globale expliquée (R²) par une régression "
            "linéaire sur l'ensemble des facteurs, en moyenne sur tous les ordres dans lesquels "
            "les facteurs peuvent entrer dans le modèle (décomposition des valeurs de Shapley, "
            "aussi appelée LMG). Contrairement aux coefficients de régression, cette mesure "
            "reste stable lorsque les facteurs sont corrélés entre eux. La corrélation de chaque "
            "facteur avec la satisfaction globale est aussi présentée. Le rendement est la "
            "proportion de réponses dans les deux cases supérieures de la question du facteur. "
            "Les facteurs d'importance élevée et de faible rendement sont les améliorations qui "
            "compteraient le plus pour les clients. Un facteur dont la base compte moins de "
            "{small} réponses aux deux questions est signalé comme petite base : il est "
            "présenté, mais doit être interprété avec prudence.",
        },
        "method_weighting_title": {
            "en": "Non-response weighting",
            "fr": "Pondération pour la non-réponse",
        },
        "method_weighting": {
            "en": "Clients who answer may differ from those who do not. Weighted figures are "
            "adjusted by post-stratification: each response in a cell of program × channel "
            "receives a weight equal to the number of invitations that reached a client in that "
            "cell divided by the number of responses in it, so that every cell counts in "
            "proportion to the population reached. Weighting widens the intervals; the effective "
            "sample size (Kish: the square of the sum of the weights divided by the sum of their "
            "squares) is the number of unweighted answers that would give "
            "the same precision, and the weighted intervals and tests use it. Unweighted figures "
            "are shown alongside the weighted ones.",
            "fr": "Les clients qui répondent peuvent différer de ceux qui ne répondent pas. Les "
            "résultats pondérés sont corrigés par post-stratification : chaque réponse d'une "
            "cellule programme × mode reçoit un poids égal au nombre d'invitations qui ont joint "
            "un client dans cette cellule divisé par le nombre de réponses qu'elle compte, de "
            "sorte que chaque cellule pèse en proportion de la population jointe. La pondération "
            "élargit les intervalles; la taille effective de l'échantillon (Kish : le carré de la "
            "somme des poids divisé par la somme de leurs carrés) "
            "est le nombre de réponses non pondérées qui donnerait la même précision, et les "
            "intervalles et tests pondérés l'utilisent. Les résultats non pondérés sont "
            "présentés à côté des résultats pondérés.",
        },
        "method_weighting_collapsed": {
            "en": "Cells of program × channel without any response, or with responses but no "
            "invitation reaching a client in the period, were merged with the other cells of the "
            "same channel. Invitations of channels without any response are not represented in "
            "the weighted figures, and responses that could not be weighted are left out of them.",
            "fr": "Les cellules programme × mode sans aucune réponse, ou comptant des réponses "
            "mais aucune invitation ayant joint un client pendant la période, ont été fusionnées "
            "avec les autres cellules du même mode. Les invitations des modes sans aucune réponse "
            "ne sont pas représentées dans les résultats pondérés, et les réponses qui n'ont pu "
            "être pondérées en sont exclues.",
        },
        "method_disclosure_title": {
            "en": "Protecting the confidentiality of clients",
            "fr": "Protection de la confidentialité des clients",
        },
        "method_disclosure_report": {
            "en": "In this report, a suppressed figure is shown as “x”. When a cell is suppressed, "
            "all of its figures are removed: counts, shares, means, scores and their intervals. "
            "The same suppression applies to every table and chart of the report, so that no "
            "suppressed value can be recovered from totals or from another table.",
            "fr": "Dans ce rapport, un résultat supprimé est indiqué par « x ». Lorsqu'une cellule "
            "est supprimée, tous ses résultats sont retirés : dénombrements, proportions, "
            "moyennes, scores et leurs intervalles. La même suppression s'applique à tous les "
            "tableaux et graphiques du rapport, de sorte qu'aucune valeur supprimée ne puisse "
            "être retrouvée à partir des totaux ou d'un autre tableau.",
        },
        "method_comments_title": {"en": "Comments", "fr": "Commentaires"},
        "method_comments": {
            "en": "Before anyone reads them, open-ended comments are scrubbed of personal "
            "information: email addresses, phone numbers, client identifiers and application "
            "numbers, postal codes, street addresses and people's names are replaced by a "
            "placeholder such as [email] or [name]. Scrubbed comments in English and French are "
            "then coded into the themes of a bilingual taxonomy of public-service irritants; a "
            "comment may carry several themes. Comments that match no theme are grouped by the "
            "words they share to reveal emerging themes (when there are more than {sample} such "
            "comments, among a fixed sample of {sample} of them, the same at every run; the "
            "count of each emerging theme is then estimated for all of them and reads "
            '"about"). Themes are ranked by the number of '
            "comments and described by the share of their authors who were dissatisfied ({low} "
            "to {bottom} on overall satisfaction). Themes mentioned in fewer than {minimum} "
            "comments are not shown.",
            "fr": "Avant que quiconque les lise, les commentaires libres sont épurés des "
            "renseignements personnels : adresses de courriel, numéros de téléphone, "
            "identifiants de client et numéros de demande, codes postaux, adresses municipales "
            "et noms de personnes sont remplacés par un marqueur comme [courriel] ou [nom]. Les "
            "commentaires épurés, en français et en anglais, sont ensuite codés selon les thèmes "
            "d'une taxonomie bilingue des irritants des services publics; un commentaire peut "
            "porter plusieurs thèmes. Les commentaires qui ne correspondent à aucun thème sont "
            "regroupés selon les mots qu'ils partagent afin de révéler des thèmes émergents (s'il "
            "y en a plus de {sample}, parmi un échantillon fixe de {sample} d'entre eux, le même "
            "à chaque production; le nombre de commentaires de chaque thème émergent est alors "
            "estimé pour l'ensemble et précédé de « environ »). Les "
            "thèmes sont classés selon le nombre de commentaires et décrits par la proportion "
            "de leurs auteurs qui étaient insatisfaits (de {low} à {bottom} sur la satisfaction "
            "globale). Les thèmes mentionnés dans moins de {minimum} commentaires ne sont pas "
            "présentés.",
        },
        # --- Channels: the denominator of their response rate ----------------------------------
        "denominator_email": {
            "en": "emails delivered (not returned as undeliverable)",
            "fr": "courriels livrés (non retournés comme non distribuables)",
        },
        "denominator_sms": {"en": "text messages delivered", "fr": "messages texte livrés"},
        "denominator_voice": {
            "en": "calls in which the survey was offered",
            "fr": "appels au cours desquels le sondage a été offert",
        },
        "denominator_walk_in": {
            "en": "walk-in visits at which the survey was offered",
            "fr": "visites en personne au cours desquelles le sondage a été offert",
        },
        "denominator_other": {
            "en": "invitations sent and not reported as undelivered",
            "fr": "invitations envoyées et non signalées comme non livrées",
        },
        "channel_email": {"en": "Email", "fr": "Courriel"},
        "channel_sms": {"en": "Text message", "fr": "Message texte"},
        "channel_voice": {"en": "Phone call", "fr": "Appel téléphonique"},
        "channel_walk_in": {"en": "In person", "fr": "En personne"},
        # --- Common client-group attributes (others are shown by their name) -----------------
        "attribute_region": {"en": "Region", "fr": "Région"},
        "attribute_province": {"en": "Province or territory", "fr": "Province ou territoire"},
        "attribute_office": {"en": "Office", "fr": "Bureau"},
        "attribute_age_band": {"en": "Age group", "fr": "Groupe d'âge"},
        "attribute_gender": {"en": "Gender", "fr": "Genre"},
        "attribute_self_identified_group": {
            "en": "Self-identified group",
            "fr": "Groupe d'auto-identification",
        },
        # --- Table captions and columns ---------------------------------------------------------
        "by_program": {"en": "Results by program", "fr": "Résultats par programme"},
        "by_channel": {
            "en": "Results by invitation channel",
            "fr": "Résultats par mode d'invitation",
        },
        "by_contact_type": {
            "en": "Results by type of contact",
            "fr": "Résultats par type de contact",
        },
        "by_language": {
            "en": "Results by language of service",
            "fr": "Résultats par langue de service",
        },
        "by_group": {"en": "Results by {attribute}", "fr": "Résultats selon : {attribute}"},
        "by_period": {"en": "Satisfaction by {period}", "fr": "Satisfaction par {period}"},
        "period_month": {"en": "month", "fr": "mois"},
        "period_week": {"en": "week", "fr": "semaine"},
        "week_of": {"en": "Week of {day}", "fr": "Semaine du {day}"},
        "col_program": {"en": "Program", "fr": "Programme"},
        "appendix_caption": {
            "en": "Results by program and {dimension}",
            "fr": "Résultats par programme et {dimension}",
        },
        "appendix_intro": {
            "en": "These tables give every figure of each program broken down by channel, type "
            "of contact, language and client group, with its base and 95% interval. The same "
            "suppression as in the rest of the report applies.",
            "fr": "Ces tableaux donnent tous les résultats de chaque programme ventilés par mode, "
            "type de contact, langue et groupe de clients, avec leur base et leur intervalle à "
            "95 %. La même suppression que dans le reste du rapport s'applique.",
        },
        "col_channel": {"en": "Channel", "fr": "Mode"},
        "col_contact_type": {"en": "Type of contact", "fr": "Type de contact"},
        "col_language": {"en": "Language", "fr": "Langue"},
        "col_period": {"en": "Period", "fr": "Période"},
        "col_denominator": {
            "en": "Response rate denominator",
            "fr": "Dénominateur du taux de réponse",
        },
        "col_reached": {
            "en": "Invitations reaching a client",
            "fr": "Invitations ayant joint un client",
        },
        "col_responses": {"en": "Completed questionnaires", "fr": "Questionnaires remplis"},
        "col_rate": {"en": "Response rate", "fr": "Taux de réponse"},
        "col_satisfaction": {"en": "Satisfied", "fr": "Satisfaits"},
        "col_interval": {"en": "95% interval", "fr": "Intervalle à 95 %"},
        "col_n": {"en": "n", "fr": "n"},
        "col_nps": {"en": "Net Promoter Score", "fr": "Score net de recommandation"},
        "col_effort": {"en": "Mean effort", "fr": "Effort moyen"},
        "col_sd": {"en": "Standard deviation", "fr": "Écart-type"},
        "col_low_effort": {"en": "Low effort", "fr": "Faible effort"},
        "col_weighted": {"en": "Satisfied (weighted)", "fr": "Satisfaits (pondéré)"},
        "col_n_effective": {"en": "Effective sample size", "fr": "Taille effective"},
        "col_figure": {"en": "Figure", "fr": "Résultat"},
        "col_current": {"en": "This period", "fr": "Cette période"},
        "col_previous": {"en": "Previous period", "fr": "Période précédente"},
        "col_change_previous": {
            "en": "Change from previous period",
            "fr": "Variation depuis la période précédente",
        },
        "col_last_year": {"en": "Same period last year", "fr": "Même période l'an dernier"},
        "col_change_last_year": {
            "en": "Change from last year",
            "fr": "Variation depuis l'an dernier",
        },
        "col_driver": {"en": "Driver", "fr": "Facteur"},
        "col_importance": {"en": "Importance", "fr": "Importance"},
        "col_correlation": {"en": "Correlation", "fr": "Corrélation"},
        "col_performance": {"en": "Performance", "fr": "Rendement"},
        "col_small_base": {"en": "Small base", "fr": "Petite base"},
        "col_theme": {"en": "Theme", "fr": "Thème"},
        "col_comments": {"en": "Comments", "fr": "Commentaires"},
        "col_share_comments": {"en": "Share of comments", "fr": "Part des commentaires"},
        "col_dissatisfied": {"en": "Dissatisfied authors", "fr": "Auteurs insatisfaits"},
        "col_action": {"en": "Action", "fr": "Mesure"},
        "col_status": {"en": "Status", "fr": "État"},
        "col_date": {"en": "Date", "fr": "Date"},
        "figure_rate": {"en": "Response rate", "fr": "Taux de réponse"},
        "figure_satisfaction": {"en": "Satisfaction", "fr": "Satisfaction"},
        "figure_nps": {"en": "Net Promoter Score", "fr": "Score net de recommandation"},
        "figure_effort": {"en": "Mean effort", "fr": "Effort moyen"},
        "figure_low_effort": {"en": "Low effort", "fr": "Faible effort"},
        "yes": {"en": "Yes", "fr": "Oui"},
        "no": {"en": "No", "fr": "Non"},
        "all": {"en": "All programs", "fr": "Tous les programmes"},
        "total": {"en": "Total", "fr": "Total"},
        "not_stated": {"en": "Not stated", "fr": "Non précisé"},
        "language_en": {"en": "English", "fr": "Anglais"},
        "language_fr": {"en": "French", "fr": "Français"},
        "status_planned": {"en": "Planned", "fr": "Prévue"},
        "status_in_progress": {"en": "In progress", "fr": "En cours"},
        "status_done": {"en": "Done", "fr": "Réalisée"},
        "key_figures_caption": {
            "en": "{program}: key figures and changes",
            "fr": "{program} : principaux résultats et variations",
        },
        "drivers_caption": {
            "en": "{program}: drivers of satisfaction",
            "fr": "{program} : facteurs de satisfaction",
        },
        "irritants_caption": {
            "en": "{program}: most frequent irritants",
            "fr": "{program} : irritants les plus fréquents",
        },
        "actions_caption": {
            "en": "{program}: actions taken on the irritants",
            "fr": "{program} : mesures prises à l'égard des irritants",
        },
        "trend_caption": {
            "en": "{program}: satisfaction by {period}",
            "fr": "{program} : satisfaction par {period}",
        },
        # --- Notes ------------------------------------------------------------------------------
        "note_suppressed": {
            "en": "x: suppressed to protect the confidentiality of clients (fewer than {minimum} "
            "answers in the cell, or needed to protect another cell).",
            "fr": "x : supprimé pour protéger la confidentialité des clients (moins de {minimum} "
            "réponses dans la cellule, ou nécessaire pour protéger une autre cellule).",
        },
        "note_no_data": {
            "en": "—: no answer in this cell.",
            "fr": "— : aucune réponse dans cette cellule.",
        },
        "note_markers": {
            "en": "▲ / ▼: significant increase / decrease (Holm-adjusted p < 0.05 over the {count} "
            "comparisons in this table). Changes are in percentage points for shares and in "
            "points for scores and means.",
            "fr": "▲ / ▼ : hausse / baisse significative (valeur p ajustée selon Holm < 0,05 sur "
            "les {count} comparaisons de ce tableau). Les variations sont en points de "
            "pourcentage pour les proportions et en points pour les scores et les moyennes.",
        },
        "note_channel_denominator": {
            "en": "The response rate of each channel has its own denominator, named in the table.",
            "fr": "Le taux de réponse de chaque mode a son propre dénominateur, indiqué dans le "
            "tableau.",
        },
        "note_periods": {
            "en": "Previous period: {previous}. Same period last year: {last_year}.",
            "fr": "Période précédente : {previous}. Même période l'an dernier : {last_year}.",
        },
        "note_small_base": {
            "en": "Small base: fewer than {small} responses with both answers; read with caution.",
            "fr": "Petite base : moins de {small} réponses aux deux questions; à interpréter avec "
            "prudence.",
        },
        "note_r2": {
            "en": "The drivers together explain {r2} of the variance of overall satisfaction (R²).",
            "fr": "Ensemble, les facteurs expliquent {r2} de la variance de la satisfaction "
            "globale (R²).",
        },
        "note_themes_minimum": {
            "en": "Themes mentioned in fewer than {minimum} comments are not shown.",
            "fr": "Les thèmes mentionnés dans moins de {minimum} commentaires ne sont pas "
            "présentés.",
        },
        "note_weighted": {
            "en": "Weighted by post-stratification on program × channel to the population reached.",
            "fr": "Pondéré par post-stratification selon programme × mode sur la population "
            "jointe.",
        },
        "note_weighted_row": {
            "en": "Weighted row: weighted by post-stratification on program × channel to the "
            "population reached; its n is the effective sample size.",
            "fr": "Ligne pondérée : pondérée par post-stratification selon programme × mode sur "
            "la population jointe; son n est la taille effective de l'échantillon.",
        },
        # --- Charts -----------------------------------------------------------------------------
        "chart_by_program": {
            "en": "Satisfaction by program, with 95% intervals",
            "fr": "Satisfaction par programme, avec intervalles à 95 %",
        },
        "chart_trend": {
            "en": "Satisfaction by {period}, with 95% intervals",
            "fr": "Satisfaction par {period}, avec intervalles à 95 %",
        },
        "chart_point": {"en": "{label}: {value}", "fr": "{label} : {value}"},
        "chart_bar_description": {
            "en": "Bar chart of the share of satisfied clients by program, with 95% intervals. "
            "{points}.",
            "fr": "Graphique à barres de la proportion de clients satisfaits par programme, avec "
            "intervalles à 95 %. {points}.",
        },
        "chart_line_description": {
            "en": "Line chart of the share of satisfied clients by {period}, with 95% intervals. "
            "{points}.",
            "fr": "Graphique linéaire de la proportion de clients satisfaits par {period}, avec "
            "intervalles à 95 %. {points}.",
        },
        "chart_empty": {"en": "No figure to show", "fr": "Aucun résultat à présenter"},
        "scatter_title": {
            "en": "{program}: importance and performance of the drivers",
            "fr": "{program} : importance et rendement des facteurs",
        },
        "scatter_description": {
            "en": "Scatter plot of each driver's importance (horizontal, share of explained "
            "variance) against its performance (vertical, share satisfied). {points}. Drivers "
            "to the right and low down matter most and perform least well.",
            "fr": "Nuage de points de l'importance de chaque facteur (horizontal, part de la "
            "variance expliquée) en fonction de son rendement (vertical, proportion de "
            "satisfaits). {points}. Les facteurs situés à droite et en bas comptent le plus et "
            "ont le plus faible rendement.",
        },
        "scatter_point": {
            "en": "{label}: importance {x}, performance {y}",
            "fr": "{label} : importance {x}, rendement {y}",
        },
        # --- Program sections -------------------------------------------------------------------
        "program_suppressed": {
            "en": "This program's figures are suppressed (“x”) to protect the confidentiality of "
            "clients: fewer than {minimum} clients answered, or its figures would reveal those "
            "of another small group.",
            "fr": "Les résultats de ce programme sont supprimés («\u00a0x\u00a0») afin de protéger "
            "la confidentialité des clients\u00a0: moins de {minimum} clients ont répondu, ou ses "
            "résultats permettraient de retrouver ceux d'un autre petit groupe.",
        },
        "no_drivers": {
            "en": "This program's questionnaire asks no driver question, or too few clients "
            "answered them in this period.",
            "fr": "Le questionnaire de ce programme ne pose aucune question sur les facteurs, ou "
            "trop peu de clients y ont répondu pendant cette période.",
        },
        "no_irritants": {
            "en": "No irritant was mentioned often enough in this period to be shown.",
            "fr": "Aucun irritant n'a été mentionné assez souvent pendant cette période pour "
            "être présenté.",
        },
        "no_emerging": {
            "en": "No emerging theme among the comments that match no theme of the taxonomy.",
            "fr": "Aucun thème émergent parmi les commentaires qui ne correspondent à aucun "
            "thème de la taxonomie.",
        },
        "emerging_line": {
            "en": "{count} comments mention: {terms}.",
            "fr": "{count} commentaires mentionnent : {terms}.",
        },
        "no_action": {
            "en": "No action recorded yet.",
            "fr": "Aucune mesure consignée pour l'instant.",
        },
        "no_program": {
            "en": "No program had survey invitations in this period.",
            "fr": "Aucun programme n'a envoyé d'invitation au sondage pendant cette période.",
        },
    }
)


def say(key: str, language: str, **values: object) -> str:
    """The text `key` in `language` ("en" or "fr"), its placeholders filled with `values`."""
    return PROSE[key]["fr" if language == "fr" else "en"].format(**values)
