"""The app's own texts in German and English; survey texts come from the survey files."""

from __future__ import annotations

from typing import Final

from trp_core.method.vocabulary import LANGUAGES

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
    # --- manager pages: dashboard, calibration, exports ----------------------------------
    "mgr_dashboard_title": {"de": "Übersicht der Antworten", "en": "Responses at a glance"},
    "mgr_calibration_title": {"de": "Kalibrierung", "en": "Calibration"},
    "mgr_exports_title": {"de": "Export", "en": "Exports"},
    "mgr_login_needed": {
        "de": "Diese Seite ist nur für angemeldete Channel-Manager.",
        "en": "This page is for logged-in channel managers only.",
    },
    "mgr_login_link": {"de": "Zur Anmeldung", "en": "Log in"},
    "mgr_db_down": {
        "de": "Die Datenbank ist gerade nicht erreichbar oder nicht lesbar, daher können keine Zahlen "
        "angezeigt werden. Bitte versuchen Sie es gleich noch einmal; Einzelheiten stehen im "
        "Server-Protokoll.",
        "en": "The database cannot be reached or read just now, so no figures can be shown. Please try "
        "again in a moment; the details are in the server log.",
    },
    "mgr_filters": {"de": "Auswahl", "en": "Selection"},
    "mgr_survey": {"de": "Fragebogen", "en": "Survey"},
    "mgr_version": {"de": "Version", "en": "Version"},
    "mgr_all_versions": {"de": "alle Versionen", "en": "all versions"},
    "mgr_resp_lang": {"de": "Sprache der Antworten", "en": "Language of the responses"},
    "mgr_all_languages": {"de": "beide Sprachen", "en": "both languages"},
    "mgr_event": {"de": "Veranstaltung", "en": "Event"},
    "mgr_all_events": {"de": "alle", "en": "all"},
    "mgr_no_event": {"de": "ohne Veranstaltung", "en": "no event"},
    "mgr_dates": {"de": "Zeitraum", "en": "Date range"},
    "mgr_period": {"de": "Zeiteinheit", "en": "Period"},
    "mgr_week": {"de": "Kalenderwoche", "en": "Week"},
    "mgr_month": {"de": "Monat", "en": "Month"},
    "mgr_bad_filter": {
        "de": "Der Filter „{name}“ aus der Adresse passt zu keinem Wert und wurde nicht verwendet.",
        "en": "The filter “{name}” from the address matches no value and was not used.",
    },
    "mgr_no_surveys": {"de": "Es gibt noch keinen Fragebogen.", "en": "There is no survey yet."},
    "mgr_no_responses": {
        "de": "Zu dieser Auswahl gibt es keine Antworten.",
        "en": "There are no responses for this selection.",
    },
    "mgr_too_small": {
        "de": "Diese Auswahl umfasst weniger als {k} Antworten. Damit niemand erkennbar wird, zeigen wir "
        "dazu keine Zahlen. Erweitern Sie die Auswahl.",
        "en": "This selection holds fewer than {k} responses. So that nobody can be singled out, no "
        "figures are shown for it. Widen the selection.",
    },
    "mgr_rule": {
        "de": "Mindestgruppenregel: Zahlen zu weniger als {k} Antworten sind ausgeblendet (–), dazu jeweils "
        "die nächstkleinere, damit sich keine ausgeblendete Zahl aus Summen errechnen lässt.",
        "en": "Minimum-group rule: figures about fewer than {k} responses are hidden (–), and so is the "
        "next smallest each time, so that no hidden figure can be worked out from totals.",
    },
    "mgr_hidden": {"de": "ausgeblendet", "en": "hidden"},
    "mgr_responses": {"de": "Antworten", "en": "Responses"},
    "mgr_started": {"de": "Begonnen", "en": "Started"},
    "mgr_completed": {"de": "Abgeschlossen", "en": "Completed"},
    "mgr_completion": {"de": "Abschlussquote", "en": "Completion rate"},
    "mgr_counters_note": {
        "de": "Begonnen, Abgeschlossen und die Abbrüche zählen Sitzungen je Fragebogen, Veranstaltung und "
        "Tag; Sprache und Version kennen diese Zähler nicht, sie gelten für beide.",
        "en": "Started, completed and the drop-off count sessions per survey, event and day; these "
        "counters know neither language nor version, so they cover all of them.",
    },
    "mgr_quadrants": {"de": "Verteilung auf die Matrix", "en": "Distribution over the matrix"},
    "mgr_heat_caption": {
        "de": "Jede Zelle zählt die Antworten mit diesen Achsenwerten (Zellen von 10 Punkten); die Linien "
        "sind die Schwellen. Eine Antwort, die eine Achse durch ein Ausschlusskriterium verfehlt, steht "
        "auf der Seite dieser Achse, die nicht erreicht ist.",
        "en": "Each cell counts the responses with these axis scores (cells of 10 points); the lines are "
        "the thresholds. A response that fails an axis by a knock-out sits on that axis's failing side.",
    },
    "mgr_trend": {"de": "Anteile der Felder im Zeitverlauf", "en": "Quadrant shares over time"},
    "mgr_keep_out": {
        "de": "Was vom „Held der Arbeit“ fernhält",
        "en": "What keeps respondents out of “Hero”",
    },
    "mgr_keep_out_def": {
        "de": "Gezählt werden die Antworten außerhalb von „Held der Arbeit“ (Kandidat, Vampir, Schatten; "
        "nicht bestimmbare nicht). Ein Kriterium zählt für eine Antwort, wenn sie dessen Achse nicht "
        "erreicht und das Kriterium unter der Schwelle dieser Achse liegt (Können {tk}, Wollen {tw}); "
        "ein Ausschlusskriterium zählt für seine Achse. Eine Antwort kann für mehrere Kriterien zählen. "
        "Anteil: von den Antworten außerhalb von „Held der Arbeit“.",
        "en": "Counted are the responses outside “Hero” (Candidate, Vampire, Shadow; not the undetermined "
        "ones). A criterion counts for a response when the response fails the criterion's axis and "
        "scores the criterion below that axis's threshold (ability {tk}, motivation {tw}); a knock-out "
        "counts for its axis. One response can count for several criteria. Share: of the responses "
        "outside “Hero”.",
    },
    "mgr_knockout_kann": {"de": "Ausschlusskriterium (Können)", "en": "Knock-out (ability)"},
    "mgr_knockout_will": {"de": "Ausschlusskriterium (Wollen)", "en": "Knock-out (motivation)"},
    "mgr_means": {
        "de": "Mittlere Punkte je Kriterium und Feld",
        "en": "Mean points per criterion and quadrant",
    },
    "mgr_means_caption": {
        "de": "Mittelwert der Punkte (0–100) über die Antworten des Feldes, die das Kriterium beantwortet "
        "haben; nur wenn es mindestens {k} sind.",
        "en": "Mean points (0–100) over the quadrant's responses that answered the criterion; only where "
        "there are at least {k} of them.",
    },
    "mgr_break_even": {"de": "Break-even-Monat", "en": "Break-even month"},
    "mgr_be_band": {"de": "{low}–{high} Monate", "en": "{low}–{high} months"},
    "mgr_be_beyond": {"de": "ab {low} Monaten", "en": "{low} months or more"},
    "mgr_be_none": {"de": "nicht im Zeitraum", "en": "not within the horizon"},
    "mgr_be_open": {"de": "Rechnung nicht ausgefüllt", "en": "calculator not filled in"},
    "mgr_funnel": {"de": "Abbrüche je Schritt", "en": "Drop-off per step"},
    "mgr_step_started": {"de": "Begonnen", "en": "Started"},
    "mgr_step_completed": {"de": "Abgeschlossen", "en": "Completed"},
    "mgr_free_text": {"de": "Freitext-Antworten", "en": "Free-text answers"},
    "mgr_free_text_caption": {
        "de": "Nur bei mindestens {n} Antworten in der Auswahl; die verschiedenen Texte der jüngsten "
        "Antworten alphabetisch, ohne Bezug zu einer einzelnen Antwort, als reiner Text.",
        "en": "Only for at least {n} responses in the selection; the distinct texts of the latest answers "
        "in alphabetical order, unlinked from any single response, as plain text.",
    },
    "mgr_free_text_small": {
        "de": "Freitext wird erst ab {n} Antworten in der Auswahl gezeigt.",
        "en": "Free text is shown only for selections of at least {n} responses.",
    },
    "mgr_free_text_show": {"de": "Freitext-Antworten laden", "en": "Load the free-text answers"},
    "mgr_free_text_none": {"de": "Keine Freitext-Antworten.", "en": "No free-text answers."},
    "mgr_all_quadrants": {"de": "alle Felder", "en": "all quadrants"},
    "mgr_preview": {"de": "Vorschau wie ein Partner", "en": "Preview as a partner"},
    "mgr_preview_caption": {
        "de": "Öffnet einen Fragebogen so, wie ein Partner ihn sieht. In der Vorschau wird nichts "
        "gespeichert und nichts gezählt.",
        "en": "Opens a survey as a partner sees it. In the preview nothing is stored and nothing is counted.",
    },
    "mgr_preview_button": {"de": "Vorschau: {title}", "en": "Preview: {title}"},
    "mgr_col_quadrant": {"de": "Feld", "en": "Quadrant"},
    "mgr_col_count": {"de": "Anzahl", "en": "Count"},
    "mgr_col_share": {"de": "Anteil", "en": "Share"},
    "mgr_col_criterion": {"de": "Kriterium", "en": "Criterion"},
    "mgr_col_axis": {"de": "Achse", "en": "Axis"},
    "mgr_col_period": {"de": "Zeitraum", "en": "Period"},
    "mgr_col_step": {"de": "Schritt", "en": "Step"},
    "mgr_col_band": {"de": "Break-even", "en": "Break-even"},
    "mgr_col_mean": {"de": "Mittel", "en": "Mean"},
    "mgr_col_ability": {"de": "Können von–bis", "en": "Ability from–to"},
    "mgr_col_motivation": {"de": "Wollen von–bis", "en": "Motivation from–to"},
    "mgr_chart_heat": {
        "de": "Heatmap der Antworten über Können (waagerecht) und Wollen (senkrecht), Schwellen bei {tk} "
        "und {tw}. Felder: {fields}.",
        "en": "Heat map of the responses over ability (across) and motivation (up), thresholds at {tk} and "
        "{tw}. Quadrants: {fields}.",
    },
    "mgr_chart_trend": {
        "de": "Anteile der Felder je {period}: {periods} Zeiträume.",
        "en": "Quadrant shares per {period}: {periods} periods.",
    },
    "mgr_chart_keep_out": {
        "de": "Häufigste Gründe außerhalb von „Held der Arbeit“: {items}.",
        "en": "Most frequent reasons outside “Hero”: {items}.",
    },
    "mgr_chart_break_even": {
        "de": "Verteilung der Break-even-Monate: {items}.",
        "en": "Break-even months: {items}.",
    },
    "mgr_chart_funnel": {"de": "Sitzungen je Schritt: {items}.", "en": "Sessions per step: {items}."},
    "mgr_chart_means": {
        "de": "Mittlere Punkte je Kriterium und Feld, 0 bis 100.",
        "en": "Mean points per criterion and quadrant, 0 to 100.",
    },
    "mgr_chart_calibration": {
        "de": "Antworten je Feld vorher und nachher: {items}.",
        "en": "Responses per quadrant before and after: {items}.",
    },
    "mgr_cal_lead": {
        "de": "Ändern Sie Schwellen und Gewichte und sehen Sie, wie viele der gefilterten Antworten das Feld "
        "wechseln würden. Gerechnet wird mit den gespeicherten Kriterienpunkten über die Stapel-Neubewertung "
        "des Kerns. Die Dateien in surveys/ bleiben unverändert: Sie laden die geänderte Fassung als neue "
        "Version herunter.",
        "en": "Change thresholds and weights and see how many of the filtered responses would change "
        "quadrant. The stored criterion scores are re-scored with the core's batch path. The files in "
        "surveys/ stay as they are: you download the changed survey as a new version.",
    },
    "mgr_cal_thresholds": {"de": "Schwellen", "en": "Thresholds"},
    "mgr_cal_weights": {"de": "Gewichte der Kriterien", "en": "Criterion weights"},
    "mgr_cal_version": {"de": "Neue Version", "en": "New version"},
    "mgr_cal_apply": {"de": "Neu berechnen", "en": "Recalculate"},
    "mgr_cal_invalid": {
        "de": "Diese Änderung ergibt keinen gültigen Fragebogen: {problem}",
        "en": "This change does not make a valid survey: {problem}",
    },
    "mgr_cal_same_version": {
        "de": "Die neue Version muss sich von {version} unterscheiden.",
        "en": "The new version must differ from {version}.",
    },
    "mgr_cal_summary": {
        "de": "{changed} von {total} Antworten würden das Feld wechseln ({share}).",
        "en": "{changed} of {total} responses would change quadrant ({share}).",
    },
    "mgr_cal_summary_hidden": {
        "de": "Wie viele Antworten das Feld wechseln würden, bleibt nach der Mindestgruppenregel ausgeblendet.",
        "en": "How many responses would change quadrant stays hidden under the minimum-group rule.",
    },
    "mgr_cal_before": {"de": "Vorher", "en": "Before"},
    "mgr_cal_after": {"de": "Nachher", "en": "After"},
    "mgr_cal_change": {"de": "Änderung", "en": "Change"},
    "mgr_cal_moves": {
        "de": "Von → nach: Zeilen das bisherige Feld, Spalten das neue",
        "en": "From → to: rows the current quadrant, columns the new one",
    },
    "mgr_cal_download": {
        "de": "Geänderten Fragebogen als Version {version} herunterladen",
        "en": "Download the changed survey as version {version}",
    },
    "mgr_cal_download_note": {
        "de": "Prüfen Sie die Datei und legen Sie sie dann an Stelle der bisherigen in surveys/ ab; die App "
        "ändert dort nichts selbst.",
        "en": "Review the file, then put it in place of the current one in surveys/; the app never changes "
        "anything there by itself.",
    },
    "mgr_exp_responses": {"de": "Die gefilterten Antworten", "en": "The filtered responses"},
    "mgr_exp_lead": {
        "de": "Je Antwort: Fragebogen, Version, Sprache, Veranstaltung, Kalenderwoche (ISO), die Antworten "
        "(eine Spalte je Frage), Punkte und Feld – nichts Feineres als die Woche.",
        "en": "Per response: survey, version, language, event, ISO week, the answers (one column per "
        "question), scores and quadrant – nothing finer than the week.",
    },
    "mgr_exp_count": {"de": "{n} Antworten in der Auswahl.", "en": "{n} responses in the selection."},
    "mgr_exp_too_small": {
        "de": "Ein Export braucht mindestens {k} Antworten in der Auswahl.",
        "en": "An export needs at least {k} responses in the selection.",
    },
    "mgr_exp_too_big": {
        "de": "Die Auswahl umfasst mehr als {max} Antworten, mehr als ein Export fasst. Bitte schränken Sie "
        "die Auswahl ein.",
        "en": "The selection holds more than {max} responses, more than one export takes. Please narrow "
        "the selection.",
    },
    "mgr_exp_free_text_omitted": {
        "de": "Freitext-Antworten sind nicht enthalten: Dafür braucht die Auswahl mindestens {n} Antworten.",
        "en": "Free-text answers are left out: they need a selection of at least {n} responses.",
    },
    "mgr_exp_safe": {
        "de": "Textzellen, die mit =, +, -, @, Tabulator oder Zeilenumbruch beginnen, erhalten ein "
        "vorangestelltes ', damit eine Tabellenkalkulation sie nie als Formel ausführt.",
        "en": "Text cells that begin with =, +, -, @, a tab or a line break get a leading ', so that a "
        "spreadsheet never runs them as a formula.",
    },
    "mgr_exp_csv": {"de": "CSV", "en": "CSV"},
    "mgr_exp_xlsx": {"de": "Excel (XLSX)", "en": "Excel (XLSX)"},
    "mgr_exp_tables": {"de": "Tabellen der Übersicht (CSV)", "en": "Dashboard tables (CSV)"},
    "mgr_exp_charts": {"de": "Grafiken der Übersicht (PNG)", "en": "Dashboard charts (PNG)"},
    "mgr_table_quadrants": {"de": "Felder", "en": "Quadrants"},
    "mgr_table_heat": {"de": "Heatmap", "en": "Heat map"},
    "mgr_table_trend": {"de": "Zeitverlauf", "en": "Over time"},
    "mgr_table_keep_out": {"de": "Was fernhält", "en": "What keeps out"},
    "mgr_table_means": {"de": "Mittelwerte", "en": "Means"},
    "mgr_table_break_even": {"de": "Break-even", "en": "Break-even"},
    "mgr_table_funnel": {"de": "Abbrüche", "en": "Drop-off"},
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
