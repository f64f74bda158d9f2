/* carelevel C ABI: JSON in, JSON out. Every returned string is NUL-terminated JSON that the
 * caller frees with carelevel_free(); every error is JSON, never a crash. Pack handles are
 * freed with carelevel_pack_free().
 *
 * An intake is intake 2 JSON, with "schema_version": "2" (schema/intake.schema.json). A 0.1
 * intake (it has no schema_version) is refused with kind unsupported_version;
 * carelevel_convert_v0_1() converts one, with a note for each item 0.1 could not express.
 *
 * Errors have one shape:
 *
 *   {"error": {"kind": KIND, "message": MESSAGE, "problems": [PROBLEM, ...]}}
 *
 * MESSAGE (and every problem's TEXT) is one line and never echoes the intake's or an
 * argument's text (a pack problem may name the pack's own ids). "problems" is always present
 * and always a non-empty array; each PROBLEM is an object of one of these forms (keys marked
 * ? may be absent; more keys may be added in later versions, so ignore keys you do not know):
 *
 *   {"field": NAME, "message": TEXT}
 *       NAME is an argument ("pack", "intake_json", "current_level", "toml", "context_json",
 *       "id"), "schema_version" for kind unsupported_version, "context_json.KEY" for a key of
 *       the FHIR context (kind invalid_context: "context_json.occurrence"), or, for kind
 *       internal, the function that failed ("carelevel_assess").
 *   {"field": PATH, "message": TEXT, "line": N, "column": N}
 *       kind malformed_intake: PATH is the dotted intake field ("safety.suicidal_ideation",
 *       "substance_use[0].cows"; "." for the whole document); line (from 1) and column (bytes
 *       of the line up to the offending one) are where reading stopped, 0 if unknown.
 *   {"field": PATH, "message": TEXT, "problem_kind": PKIND, ...}
 *       kind invalid_intake: one per field. PKIND is "missing" (carelevel_transition only:
 *       carelevel_assess reports a missing item provisionally); "out_of_range" with "value",
 *       "min", "max" (numbers); "inconsistent" with "expected"; "conflict" with "reason" (the
 *       answer does not fit another: a COWS score on an alcohol entry); "total_disagrees"
 *       with "given", "sum" (numbers), "complete" (a boolean) and "items" (a total given
 *       beside its items that cannot be their total: PATH is the total, "items" the group of
 *       its items); "below_supported_age" with "min" (the youngest age the pack supports);
 *       "unknown_rating" with "suggestion"?; or "more_unknown_ratings" with "count"
 *       (schema/intake-problem.schema.json).
 *   {"file": FILE, "rule"?: ITEM, "message": TEXT, "problem_kind": PKIND, "id"?: ID,
 *    "path"?: KEYS, "line"?: N, "column"?: N, "suggestion"?: NAME}
 *       kind invalid_pack: a rule pack problem. ITEM names the rule, rating, score or
 *       programme it is in (e.g. "rule `x`", "rating `d1`"), ID its id; KEYS is the TOML key
 *       path ("rule[2].when.all[1].answer"); line and column (from 1, the column in
 *       characters) locate it in FILE; NAME is the closest known name to a misspelt one.
 *       PKIND is e.g. "syntax", "unknown_key", "duplicate_id", "missing_field",
 *       "unknown_answer", "unknown_service", "wrong_type", "out_of_range", "not_one_line"
 *       (schema/pack-problem.schema.json lists them all).
 *
 * NAME, PATH, TEXT, FILE, ITEM, ID, KEYS, PKIND, "expected", "reason" and "items" are
 * strings; every N (and "value", "min", "max", "count", "given", "sum") is a number;
 * "complete" is a boolean.
 *
 * KIND is one of the following, and nothing else (one line each, "kind: NAME  meaning"):
 *
 *   kind: null_argument       a pointer argument is NULL; field names the argument
 *   kind: invalid_utf8        a string argument is not UTF-8; field names it, message gives the byte
 *   kind: malformed_intake    the intake is not JSON of the intake's shape; field is the dotted path
 *   kind: unsupported_version no schema_version: a 0.1 intake; carelevel_convert_v0_1() converts it
 *   kind: invalid_intake      the intake was read but answers are out of range or conflicting (or missing, for a transition)
 *   kind: invalid_level       current_level is not "outpatient", "iop", "php" or "inpatient"
 *   kind: invalid_override    override_json is not {"arranged", "reasons", "note"?}, or the override is refused
 *   kind: invalid_context     context_json is not a FHIR context or a value is not valid FHIR (or the ServiceRequest id is not a FHIR id)
 *   kind: invalid_pack        the rule pack TOML has problems; each has file, problem_kind (rule, line)
 *   kind: unavailable         no rule pack is available, so nothing is assessed (fail closed)
 *   kind: internal            a bug in carelevel (a caught panic); field names the function
 */
#ifndef CARELEVEL_H
#define CARELEVEL_H

/* The ABI version: raised when a function's signature or a JSON contract changes in a way an
 * existing caller would notice. The shared library's SONAME carries it
 * (libcarelevel_ffi.so.2 on Linux). Version 2 added carelevel_cds_card(),
 * carelevel_risk_assessment(), carelevel_service_request() and carelevel_record_override(). */
#define CARELEVEL_ABI_VERSION 2

/* Thread safety: a pack handle is immutable once made, so any number of threads may pass the
 * same handle to the functions below at once (the pack is Send + Sync). Every returned string
 * belongs to the caller alone. carelevel_pack_free() must not race with a call using that
 * handle. No function keeps state between calls. */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct CarelevelPack CarelevelPack;

/* The built-in rule pack. Never NULL. */
CarelevelPack *carelevel_pack_builtin(void);

/* A pack from TOML text (named "pack.toml" in problems); NULL on error, with *error_out (if
 * not NULL) set to a JSON error the caller frees with carelevel_free(). */
CarelevelPack *carelevel_pack_from_toml(const char *toml, char **error_out);

void carelevel_pack_free(CarelevelPack *pack);

/* intake_json: an intake 2. {"ok": report} or {"error": {...}}. The report is
 * schema/recommendation.schema.json, exactly as the Rust API writes it: "status", "level",
 * "level_at_least", "level_at_most", "urgent", "urgency" ("routine", "same_day" or
 * "emergency"), "binding_rules", "fired", "not_evaluated",
 * "ask_next", "ruled_out", "conditional", "scores" (each instrument the intake carries:
 * "instrument", "field", "total", "from" ("given", "items" or "given_and_items"),
 * "missing_items", "risk" for the C-SSRS screener), "cautions" (answers to reconcile first:
 * "code", "message"), "plan", "pack" and "engine".
 *
 * An intake missing required items (or with one declined or not assessable) is NOT an error:
 * its report comes back inside {"ok": ...} with "status": "provisional".
 *
 *   "status"          "final" (every answer the pack needs is known) or "provisional".
 *   "level"           the recommended level, ONLY when "status" is "final". It is ABSENT from
 *                     a provisional report, so a caller that reads "level" alone finds no key
 *                     rather than taking a lower bound for the answer: check "status" first.
 *   "level_at_least"  the level the known answers already guarantee (= "level" when final).
 *   "level_at_most"   the highest level the missing answers could still require (= "level"
 *                     when final). When the two are equal the level is certain although the
 *                     intake is incomplete (a plan with intent: both "inpatient").
 *   "ask_next"        the missing answers, the one to ask first first, safety items always
 *                     before the rest: [{"answer": NAME, "could_reach": LEVEL, "safety": BOOL,
 *                     "rules": [RULE_ID, ...]}, ...]; empty when nothing is missing.
 *
 * Levels are "outpatient", "iop", "php" or "inpatient". */
char *carelevel_assess(const CarelevelPack *pack, const char *intake_json);

/* current_level: "outpatient", "iop", "php" or "inpatient"; intake_json: an intake 2.
 * {"ok": transition} or {"error": {...}}: an intake missing required items is refused
 * (kind invalid_intake, problem_kind "missing"). The transition's "recommendation" is a
 * report as carelevel_assess() writes it. */
char *carelevel_transition(const CarelevelPack *pack, const char *current_level, const char *intake_json);

/* A 0.1 intake converted to intake 2: {"ok": {"intake": INTAKE, "notes": [{"field": PATH,
 * "note": TEXT}, ...]}} or {"error": {...}} (malformed_intake if it is not a 0.1 intake). Each
 * note names an item 0.1 could not express and says what to ask; until a required one is
 * answered, carelevel_assess() gives a provisional report asking for it and
 * carelevel_transition() refuses the intake. */
char *carelevel_convert_v0_1(const char *intake_json);

/* The intake's recommendation as a CDS Hooks card: {"ok": card} or {"error": {...}} as for
 * carelevel_assess(). The card has "uuid", "summary" (at most 139 characters; the urgency is
 * never cut off), "detail" (markdown), "indicator" ("info", "warning" or "critical"),
 * "source" and "overrideReasons" (each "code", "display" in plain words, "system"). */
char *carelevel_cds_card(const CarelevelPack *pack, const char *intake_json);

/* The FHIR context of the two functions below, context_json (a JSON object; the JSON Schema
 * is schema/fhir/fhir-context.schema.json):
 *
 *   {"id": ID, "subject": REF, "response": REF, "occurrence": DATETIME,
 *    "encounter"?: REF, "performer"?: REF}
 *
 *   id          the RiskAssessment's logical id: a FHIR id, 1-64 of A-Z a-z 0-9 - .
 *   subject     the person: "Patient/ID" or "Group/ID"
 *   response    the QuestionnaireResponse the intake came from: "QuestionnaireResponse/ID"
 *   occurrence  when the assessment was made, a FHIR dateTime ("2026-11-29",
 *               "2026-11-29T14:05:00Z", "2026-11-29T14:05:00-05:00"): the library reads no
 *               clock, so the caller says when
 *   encounter   the encounter: "Encounter/ID"
 *   performer   who performed it: "Practitioner/ID", "PractitionerRole/ID" or "Device/ID"
 *
 * A REF may instead be an absolute http:, https: or urn: URL ("urn:uuid:..." in a transaction
 * Bundle). No other key is accepted. Kind invalid_context, never echoing the value, when the
 * context is not of this shape (field "context_json", or "context_json.KEY" for a key that
 * is missing or not a string) or a value is not valid FHIR (field "context_json.KEY"). */

/* The intake's recommendation as a FHIR R4 RiskAssessment: {"ok": resource} or
 * {"error": {...}} as for carelevel_assess(). The resource has "id", a generated narrative
 * ("text"), the urgency in the extension "urn:carelevel:extension:urgency" (codes "routine",
 * "same_day", "emergency" of "urn:carelevel:urgency"), "status" "final" or "preliminary"
 * (provisional), "code" (level-of-care), "subject", "encounter"?, "occurrenceDateTime",
 * "performer"?, "basis" (the response), the level coded in prediction[0].outcome, the setting
 * in its extension "urn:carelevel:extension:care-setting", "mitigation" and "note". */
char *carelevel_risk_assessment(const CarelevelPack *pack, const char *intake_json,
                                const char *context_json);

/* A proposed FHIR R4 ServiceRequest for the recommended setting, with the id id (a FHIR id):
 * {"ok": resource} or {"error": {...}} as for carelevel_risk_assessment() (kind
 * invalid_context, field "id", for an id that is not a FHIR id). "status" "draft", "intent"
 * "proposal" (a suggestion, never an order), "priority" "stat" (emergency), "urgent" (same
 * day) or "routine", "code" the setting ("urn:carelevel:care-setting"), "subject",
 * "encounter"?, "authoredOn" (the occurrence), "requester" (the performer)?,
 * "reasonReference" "RiskAssessment/<context id>", "supportingInfo" (the response) and "note"
 * (what the programme must offer; for a provisional result, that answers are missing and the
 * level may rise). */
char *carelevel_service_request(const CarelevelPack *pack, const char *intake_json,
                                const char *context_json, const char *id);

/* A clinician's override of the intake's recommendation. override_json:
 * {"arranged": LEVEL, "reasons": [CODE, ...], "note"?: TEXT}; CODE is one of
 * service_not_available, waiting_list, client_preference, clinician_judgement,
 * transportation_or_access, financial_or_coverage, language_or_cultural_fit, court_ordered,
 * other. {"ok": record} (schema/override-record.schema.json: "recommended", "arranged",
 * "reasons", "note", "safety_floor", "below_safety_floor", "below_24_hour_floor",
 * "review_required", "recommendation_digest", "pack") or {"error": {...}}: kind
 * invalid_override when the request is malformed or refused (the recommended level itself, no
 * reason, "other" without a note, below a safety floor without clinician_judgement and a note,
 * or a provisional recommendation). */
char *carelevel_record_override(const CarelevelPack *pack, const char *intake_json,
                                const char *override_json);

/* The version of carelevel, e.g. "0.1.0". Static; do not free. */
const char *carelevel_version(void);

void carelevel_free(char *s);

#ifdef __cplusplus
}
#endif

#endif /* CARELEVEL_H */
