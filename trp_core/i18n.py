"""The app's own texts in German and English; survey texts come from the survey files."""

from __future__ import annotations

from typing import Final

from .method import LANGUAGES

DEFAULT_LANGUAGE: Final = "en"

TEXTS: Final[dict[str, dict[str, str]]] = {
    # --- frame ---------------------------------------------------------------------------
    "app_title": {"de": "Partner-Selbstcheck", "en": "Partner self-check"},
    "language": {"de": "Sprache", "en": "Language"},
    "page_start": {"de": "Start", "en": "Start"},
    "page_check": {"de": "Fragebogen", "en": "Questionnaire"},
    "page_result": {"de": "Ihr Ergebnis", "en": "Your result"},
    "page_profile": {"de": "Partnerprofil", "en": "Partner profile"},
    "unknown_language": {
        "de": "Die Sprache „{requested}“ gibt es hier nicht; die Seite ist auf Deutsch.",
        "en": "The language “{requested}” is not available; the page is shown in English.",
    },
    "unknown_survey": {
        "de": "Den Fragebogen „{survey}“ gibt es hier nicht. Bitte wählen Sie einen der folgenden.",
        "en": "There is no questionnaire “{survey}” here. Please choose one of the following.",
    },
    "no_surveys": {
        "de": "Derzeit ist kein Fragebogen veröffentlicht. Bitte versuchen Sie es später erneut.",
        "en": "No questionnaire is published at the moment. Please try again later.",
    },
    "storage_down": {
        "de": "Ihr Ergebnis konnte gerade nicht gespeichert werden. Ihre Antworten sind nicht verloren: "
        "Bitte versuchen Sie es in einem Moment erneut.",
        "en": "Your result could not be saved just now. Your answers are not lost: please try again in a "
        "moment.",
    },
    "preview_banner": {
        "de": "Vorschau: Antworten und Ergebnisse werden weder gespeichert noch gezählt.",
        "en": "Preview: answers and results are neither stored nor counted.",
    },
    # --- kiosk ---------------------------------------------------------------------------
    "unknown_event": {
        "de": "Die Veranstaltung „{event}“ ist hier nicht eingerichtet; der Selbstcheck läuft normal.",
        "en": "The event “{event}” is not set up here; the self-check runs as usual.",
    },
    "kiosk_title": {"de": "Der richtige Partner?", "en": "The right partner?"},
    "kiosk_lead": {
        "de": "Finden Sie in 10 Minuten anonym heraus, ob eine Partnerschaft zu Ihnen passt.",
        "en": "Find out in 10 minutes, anonymously, whether a partnership fits you.",
    },
    "kiosk_start": {"de": "Auf Deutsch starten", "en": "Start in English"},
    "kiosk_staff": {"de": "Personal", "en": "Staff"},
    "kiosk_pin": {"de": "PIN des Standpersonals", "en": "Staff PIN"},
    "kiosk_leave": {"de": "Kioskmodus verlassen", "en": "Leave kiosk mode"},
    "kiosk_pin_wrong": {"de": "Die PIN ist falsch.", "en": "The PIN is wrong."},
    "kiosk_done": {"de": "Fertig – für den Nächsten freigeben", "en": "Done – clear for the next visitor"},
    "kiosk_warning": {
        "de": "Noch da? In {seconds} s beginnt der Selbstcheck von vorn. Tippen Sie, um weiterzumachen.",
        "en": "Still there? In {seconds} s the self-check starts over. Touch the screen to go on.",
    },
    "kiosk_qr": {
        "de": "Nehmen Sie Ihr Ergebnis mit: Scannen Sie den Code mit Ihrem Telefon.",
        "en": "Take your result with you: scan the code with your phone.",
    },
    "kiosk_qr_alt": {
        "de": "QR-Code mit dem Link zu Ihrem Ergebnis",
        "en": "QR code with the link to your result",
    },
    # --- start page ----------------------------------------------------------------------
    "start_lead": {
        "de": "Sind Sie der Partner, den wir suchen? Finden Sie es selbst heraus: anonym, in wenigen "
        "Minuten, mit Ihren eigenen Zahlen.",
        "en": "Are you the partner we are looking for? Find out for yourself: anonymously, in a few "
        "minutes, with your own figures.",
    },
    "start_how": {
        "de": "Sie beantworten Fragen zu Ihren Voraussetzungen (Können) und Ihren Plänen (Wollen), "
        "rechnen mit Ihren eigenen Zahlen durch, wann sich die Partnerschaft für Sie trägt, und sehen, "
        "wo Sie in der Matrix stehen, warum, und was Sie weiterbringen würde.",
        "en": "You answer questions about your prerequisites (can) and your plans (want to), work out "
        "with your own figures when the partnership pays for itself, and see where you stand in the "
        "matrix, why, and what would move you forward.",
    },
    "choose_survey": {
        "de": "Welcher Fragebogen passt zu Ihrem Geschäft?",
        "en": "Which questionnaire fits your business?",
    },
    "duration": {
        "de": "Etwa {minutes} Minuten · {questions} Fragen in {steps} Schritten · dazu Ihre eigenen Zahlen",
        "en": "About {minutes} minutes · {questions} questions in {steps} steps · plus your own figures",
    },
    "anonymity_title": {"de": "Anonym – das heißt hier:", "en": "Anonymous – what that means here:"},
    "anonymity_stored": {
        "de": "Gespeichert werden nur Ihre Antworten, Ihr Ergebnis, die Sprache und das Datum (ohne "
        "Uhrzeit).",
        "en": "We store only your answers, your result, the language and the date (without the time of day).",
    },
    "anonymity_not_stored": {
        "de": "Nicht gespeichert werden Name, Firma, E-Mail, IP-Adresse, Browser oder Uhrzeit. Wir fragen "
        "nie, wer Sie sind.",
        "en": "We do not store your name, company, e-mail, IP address, browser or time of day. We never "
        "ask who you are.",
    },
    "anonymity_code": {
        "de": "Am Ende erhalten Sie einen Ergebniscode. Nur wer den Code kennt, kann das Ergebnis wieder "
        "öffnen; wir speichern ihn nur verschlüsselt (als Hash).",
        "en": "At the end you get a result code. Only someone who knows the code can reopen the result; "
        "we keep only a hash of it.",
    },
    "start_button": {"de": "Selbstcheck starten", "en": "Start the self-check"},
    "continue_button": {"de": "Weitermachen, wo Sie waren", "en": "Continue where you left off"},
    "restart_button": {"de": "Neu beginnen", "en": "Start over"},
    "profile_link": {"de": "Was wir von einem Partner erwarten", "en": "What we look for in a partner"},
    "reopen_title": {"de": "Ein gespeichertes Ergebnis öffnen", "en": "Open a saved result"},
    "reopen_label": {"de": "Ergebniscode", "en": "Result code"},
    "reopen_button": {"de": "Ergebnis öffnen", "en": "Open result"},
    "reopen_invalid": {
        "de": "Zu diesem Code gibt es kein Ergebnis. Bitte prüfen Sie die Eingabe.",
        "en": "There is no result for this code. Please check what you entered.",
    },
    "reopen_wait": {
        "de": "Zu viele Versuche. Bitte warten Sie {seconds} Sekunden.",
        "en": "Too many attempts. Please wait {seconds} seconds.",
    },
    # --- questionnaire -------------------------------------------------------------------
    "step_of": {"de": "Schritt {n} von {total}: {name}", "en": "Step {n} of {total}: {name}"},
    "back": {"de": "Zurück", "en": "Back"},
    "next": {"de": "Weiter", "en": "Next"},
    "next_anyway": {"de": "Trotzdem weiter", "en": "Continue anyway"},
    "dont_know": {"de": "Weiß ich nicht", "en": "I don't know"},
    "no_answer_yet": {
        "de": "Noch keine Antwort. Wählen Sie eine Antwort oder „Weiß ich nicht“ – oder gehen Sie ohne "
        "Antwort weiter.",
        "en": "No answer yet. Choose an answer or “I don't know” – or continue without one.",
    },
    "unanswered_summary": {
        "de": "{n} Fragen sind noch offen. Je mehr Sie beantworten, desto aussagekräftiger Ihr Ergebnis.",
        "en": "{n} questions are still open. The more you answer, the more telling your result.",
    },
    "range_hint": {"de": "von {min} bis {max}", "en": "from {min} to {max}"},
    "yes": {"de": "Ja", "en": "Yes"},
    "no": {"de": "Nein", "en": "No"},
    "text_warning": {
        "de": "Optional. Bitte keine Namen von Personen oder Firmen eintragen.",
        "en": "Optional. Please do not enter names of people or companies.",
    },
    "calc_title": {"de": "Ihre Zahlen", "en": "Your figures"},
    "calc_live": {
        "de": "Die Kurve rechnet mit, während Sie Ihre Zahlen ändern. Vorbelegt sind typische Werte.",
        "en": "The curve follows as you change your figures. Typical values are filled in to start with.",
    },
    "calc_fixed": {"de": "vom Hersteller festgelegt", "en": "set by the vendor"},
    "calc_breakeven": {
        "de": "Mit diesen Zahlen trägt sich die Partnerschaft ab Monat {month}.",
        "en": "With these figures the partnership pays for itself from month {month}.",
    },
    "calc_no_breakeven": {
        "de": "Mit diesen Zahlen trägt sich die Partnerschaft innerhalb von {horizon} Monaten nicht.",
        "en": "With these figures the partnership does not pay for itself within {horizon} months.",
    },
    "calc_target_met": {
        "de": "Ziel: höchstens {target} Monate – erreicht.",
        "en": "Target: at most {target} months – met.",
    },
    "calc_target_missed": {
        "de": "Ziel: höchstens {target} Monate – noch nicht erreicht.",
        "en": "Target: at most {target} months – not met yet.",
    },
    "calc_roi": {
        "de": "Rendite nach 12 Monaten: {roi} (Rohertrag minus Kosten, bezogen auf die Kosten).",
        "en": "Return after 12 months: {roi} (gross profit minus costs, relative to the costs).",
    },
    "calc_required": {
        "de": "Für den Break-even bis Monat {target} bräuchten Sie {deals} Abschlüsse pro Monat.",
        "en": "To break even by month {target} you would need {deals} deals a month.",
    },
    "calc_required_met": {
        "de": "Den Break-even bis Monat {target} erreichten Sie schon mit {deals} Abschlüssen pro Monat.",
        "en": "You would break even by month {target} with as few as {deals} deals a month.",
    },
    "calc_required_none": {
        "de": "Auch mit 1.000 Abschlüssen pro Monat würde es bis Monat {target} nicht reichen.",
        "en": "Even 1,000 deals a month would not be enough by month {target}.",
    },
    "submit": {"de": "Mein Ergebnis zeigen", "en": "Show my result"},
    "submitting": {"de": "Ihr Ergebnis wird berechnet …", "en": "Working out your result …"},
    # --- result --------------------------------------------------------------------------
    "result_where": {"de": "Wo Sie stehen", "en": "Where you stand"},
    "result_borderline": {
        "de": "Knapp: Ihr Ergebnis liegt nahe an der Schwelle von {axis}; kleine Änderungen können es "
        "verschieben.",
        "en": "Close call: your result lies near the threshold of {axis}; small changes can move it.",
    },
    "axis_line": {
        "de": "{axis}: {score} von 100 (Schwelle {threshold}) – {verdict}",
        "en": "{axis}: {score} of 100 (threshold {threshold}) – {verdict}",
    },
    "verdict_passed": {"de": "erreicht", "en": "met"},
    "verdict_failed": {"de": "nicht erreicht", "en": "not met"},
    "verdict_knockout": {"de": "nicht erreicht (Ausschlusskriterium)", "en": "not met (knock-out)"},
    "verdict_undetermined": {"de": "zu wenige Antworten", "en": "too few answers"},
    "coverage_line": {
        "de": "Beantwortet: {coverage} des Gewichts (mindestens {minimum} nötig)",
        "en": "Answered: {coverage} of the weight (at least {minimum} needed)",
    },
    "why_title": {"de": "Warum: jede Zahl zum Nachrechnen", "en": "Why: every number to recompute"},
    "why_intro": {
        "de": "Jede Antwort ergibt Punkte von 0 bis 100. Je Kriterium zählt der Mittelwert seiner "
        "beantworteten Fragen (s). Der Achsenwert ist Σ W·s ÷ Σ W über die beantworteten Kriterien, "
        "kaufmännisch auf eine Stelle gerundet.",
        "en": "Each answer gives 0 to 100 points. Each criterion scores the mean of its answered "
        "questions (s). The axis score is Σ W·s ÷ Σ W over the answered criteria, rounded half up to one "
        "decimal.",
    },
    "col_criterion": {"de": "Kriterium", "en": "Criterion"},
    "col_weight": {"de": "Gewicht W", "en": "Weight W"},
    "col_score": {"de": "Punkte s", "en": "Points s"},
    "col_product": {"de": "W × s", "en": "W × s"},
    "col_answered": {"de": "beantwortet", "en": "answered"},
    "not_answered": {"de": "nicht beantwortet", "en": "not answered"},
    "axis_sum": {
        "de": "{axis}: Σ W·s = {num}, Σ W = {den} → {num} ÷ {den} = {score}",
        "en": "{axis}: Σ W·s = {num}, Σ W = {den} → {num} ÷ {den} = {score}",
    },
    "knockouts_title": {"de": "Ausschlusskriterien", "en": "Knock-outs"},
    "knockout_line": {
        "de": "„{question}“ – Ihre Antwort „{answer}“ schließt {axis} aus, unabhängig von den Punkten.",
        "en": "“{question}” – your answer “{answer}” rules out {axis}, whatever the points.",
    },
    "unconfirmed_line": {
        "de": "„{question}“ – Sie wussten es nicht; klären Sie es, denn eine Antwort kann hier ausschließen.",
        "en": "“{question}” – you did not know; find out, because an answer here can rule you out.",
    },
    "levers_title": {"de": "Was Sie weiterbringen würde", "en": "What would move you"},
    "levers_intro": {
        "de": "Die Änderungen, die Ihren Wert auf der Achse {axis} am stärksten heben, eine nach der "
        "anderen:",
        "en": "The changes that raise your {axis} score the most, one after the other:",
    },
    "lever_line": {
        "de": "„{question}“: {before} → {after} ({axis} {score_before} → {score_after})",
        "en": "“{question}”: {before} → {after} ({axis} {score_before} → {score_after})",
    },
    "lever_knockout": {"de": " – hebt das Ausschlusskriterium auf", "en": " – removes the knock-out"},
    "levers_reach": {
        "de": "Damit wäre die Schwelle erreicht.",
        "en": "With these changes the threshold would be met.",
    },
    "levers_not_reach": {
        "de": "Auch damit wäre die Schwelle noch nicht erreicht.",
        "en": "Even these changes would not yet meet the threshold.",
    },
    "levers_none": {"de": "Beide Achsen sind erreicht.", "en": "Both axes are met."},
    "unanswered_value": {"de": "keine Antwort", "en": "no answer"},
    "breakeven_title": {"de": "Ihre Rechnung", "en": "Your business case"},
    "keep_title": {"de": "Ergebnis mitnehmen", "en": "Keep your result"},
    "code_line": {"de": "Ihr Ergebniscode:", "en": "Your result code:"},
    "code_hint": {
        "de": "Notieren Sie den Code: Damit öffnen Sie dieses Ergebnis später wieder. Ohne ihn kann "
        "niemand – auch wir nicht – es Ihnen zuordnen.",
        "en": "Note the code: it reopens this result later. Without it nobody – not even we – can link "
        "it to you.",
    },
    "pdf_button": {"de": "Bericht als PDF", "en": "Report as PDF"},
    "contact_title": {"de": "Möchten Sie mit uns sprechen?", "en": "Would you like to talk to us?"},
    "contact_hint": {
        "de": "Nur wenn Sie möchten: Nennen Sie Ihren Ergebniscode {code}, dann sehen wir dasselbe "
        "Ergebnis wie Sie.",
        "en": "Only if you wish: quote your result code {code}, and we will see the same result as you.",
    },
    "new_check": {"de": "Neuen Selbstcheck beginnen", "en": "Start a new self-check"},
    "no_result": {
        "de": "Hier ist noch kein Ergebnis. Beginnen Sie den Selbstcheck oder öffnen Sie ein Ergebnis "
        "mit seinem Code.",
        "en": "There is no result here yet. Start the self-check or open a result with its code.",
    },
    "chart_text": {"de": "Die Grafik in Worten", "en": "The chart in words"},
    # --- profile -------------------------------------------------------------------------
    "profile_title": {"de": "Das Profil des richtigen Partners", "en": "The profile of the right partner"},
    "profile_intro": {
        "de": "So sieht {vendor} den Partner, der zu uns passt. Das Profil ist offen: Sie können jede "
        "Regel und jedes Gewicht nachprüfen, bevor Sie antworten.",
        "en": "This is how {vendor} sees the partner who fits. The profile is open: you can check every "
        "rule and every weight before you answer.",
    },
    "profile_axis": {
        "de": "{axis}: erreicht ab {threshold} von 100 Punkten",
        "en": "{axis}: met from {threshold} of 100 points",
    },
    "profile_weight": {"de": "Anteil am Achsenwert: {share}", "en": "Share of the axis score: {share}"},
    "profile_best": {"de": "Am stärksten zählt: {answer}", "en": "Counts most: {answer}"},
    "profile_knockout": {"de": "Schließt aus: {answer}", "en": "Rules out: {answer}"},
    "profile_rules": {
        "de": "Ein Ergebnis braucht Antworten zu mindestens {coverage} des Gewichts je Achse. Als knapp "
        "gilt ein Wert, der weniger als {band} Punkte von der Schwelle entfernt ist.",
        "en": "A result needs answers covering at least {coverage} of each axis's weight. A score less "
        "than {band} points from the threshold counts as a close call.",
    },
    "profile_breakeven": {
        "de": "Break-even: Die Partnerschaft soll sich nach höchstens {target} Monaten tragen; nach "
        "{double} Monaten gibt es dafür keine Punkte mehr.",
        "en": "Break-even: the partnership should pay for itself within {target} months; from {double} "
        "months on it earns no points.",
    },
    "profile_quadrants": {"de": "Die vier Felder der Matrix", "en": "The four fields of the matrix"},
    # --- manager login -------------------------------------------------------------------
    "page_login": {"de": "Anmeldung", "en": "Log in"},
    "nav_partner": {"de": "Partneransicht", "en": "Partner view"},
    "nav_manager": {"de": "Manager", "en": "Manager"},
    "nav_dashboard": {"de": "Übersicht", "en": "Dashboard"},
    "nav_calibration": {"de": "Kalibrierung", "en": "Calibration"},
    "nav_exports": {"de": "Export", "en": "Exports"},
    "nav_logout": {"de": "Abmelden", "en": "Log out"},
    "login_title": {"de": "Anmeldung für Channel-Manager", "en": "Channel manager login"},
    "login_lead": {
        "de": "Hier melden sich Channel-Manager an. Partner brauchen kein Konto: Der Selbstcheck ist anonym.",
        "en": "This is where channel managers log in. Partners need no account: the self-check is anonymous.",
    },
    "login_name": {"de": "Name", "en": "Name"},
    "login_password": {"de": "Passwort", "en": "Password"},
    "login_button": {"de": "Anmelden", "en": "Log in"},
    "login_failed": {"de": "Name oder Passwort ist falsch.", "en": "Name or password is wrong."},
    "login_retry_in": {
        "de": "Nächster Versuch in {seconds} s möglich.",
        "en": "You can try again in {seconds} s.",
    },
    "login_wait": {
        "de": "Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie {seconds} s und versuchen Sie es "
        "dann erneut.",
        "en": "Too many failed logins. Please wait {seconds} s, then try again.",
    },
    "login_unavailable": {
        "de": "Die Anmeldung ist gerade nicht möglich: Die Datenbank ist nicht erreichbar oder nicht "
        "lesbar. Bitte versuchen Sie es später erneut; der Betreiber findet den Grund im Server-Log.",
        "en": "Logging in is not possible right now: the database cannot be reached or read. Please "
        "try again later; the operator finds the reason in the server log.",
    },
    "logged_out": {"de": "Sie sind abgemeldet.", "en": "You are logged out."},
    "session_expired": {
        "de": "Ihre Sitzung ist nach {minutes} Minuten ohne Aktivität abgelaufen. Bitte melden Sie "
        "sich erneut an.",
        "en": "Your session expired after {minutes} minutes without activity. Please log in again.",
    },
}


def t(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang` (German or English), with {placeholders} filled in."""
    text = TEXTS[key]["de" if lang == "de" else "en"]
    return text.format(**values) if values else text


def resolve_language(requested: str | None, browser_locale: str | None = None) -> tuple[str, bool]:
    """(language to use, whether the requested one was unknown)."""
    if requested:
        code = requested.strip().lower()[:2]
        if code in LANGUAGES:
            return code, False
        return _from_locale(browser_locale), True
    return _from_locale(browser_locale), False


def _from_locale(locale: str | None) -> str:
    if locale and locale.lower().startswith("de"):
        return "de"
    return DEFAULT_LANGUAGE
