/* Assess an intake through the C ABI. Built and run by `cargo test -p carelevel-ffi`. */
#include <stdio.h>
#include <string.h>
#include "carelevel.h"

/* An intake 2: "schema_version" first; the CIWA-Ar score belongs to the alcohol entry. The
 * fictional drinker is not pregnant and has had no withdrawal seizure, hallucinations or
 * delirium this episode (stated facts: unanswered, they would leave the result provisional). */
static const char *INTAKE =
    "{\"schema_version\":\"2\",\"age\":34,"
    "\"safety\":{\"suicidal_ideation\":\"none\",\"suicidal_behavior\":\"never\","
    "\"harm_to_others\":\"none\",\"psychosis\":\"none\",\"unable_to_self_care\":false},"
    "\"withdrawal\":{\"seizure_or_dt_history\":false,\"seizure_this_episode\":false,"
    "\"hallucinations_this_episode\":false,\"delirium_this_episode\":false},"
    "\"substance_use\":[{\"substance\":\"alcohol\",\"dsm5_criteria\":7,\"ciwa_ar\":4}],"
    "\"medical\":{\"status\":\"stable\",\"pregnancy\":\"no\"},"
    "\"severity\":{\"phq9\":11},"
    "\"self_management\":\"independent\","
    "\"history\":{\"current_setting\":\"none\",\"episodes\":[]},"
    "\"home\":{\"others_use_substances\":false,\"violence_or_abuse\":false,"
    "\"supportive\":true,\"housing\":\"housed\"}}";

/* The same person in the 0.1 intake, which had no schema_version. */
static const char *INTAKE_V0_1 =
    "{\"age\":34,"
    "\"safety\":{\"suicide_risk\":\"none\",\"harm_to_others\":\"none\",\"psychosis_or_unable_to_self_care\":false},"
    "\"withdrawal\":{\"ciwa_ar\":4,\"seizure_or_dt_history\":false},"
    "\"medical\":{\"status\":\"stable\"},"
    "\"severity\":{\"substance_use\":[{\"substance\":\"alcohol\",\"dsm5_criteria\":7}],\"phq9\":11},"
    "\"self_management\":\"independent\","
    "\"history\":{\"current_setting\":\"none\"},"
    "\"home\":{\"substance_free\":true,\"supportive\":true,\"safe\":true,\"stable_housing\":true}}";

int main(void) {
    CarelevelPack *pack = carelevel_pack_builtin();
    const char *version = carelevel_version();
    printf("version %s\n", version);
    int good = version != NULL && version[0] != '\0';

    /* A complete intake: final, with its level. */
    char *ok = carelevel_assess(pack, INTAKE);
    printf("assess: %.60s\n", ok);
    good = good && strncmp(ok, "{\"ok\":{\"status\":\"final\",\"level\":\"iop\",", 38) == 0;
    carelevel_free(ok);

    /* An incomplete intake is no error: a provisional report, with no "level" key (the
     * bounds follow "status" where a final report has its "level"), the bounds the known
     * answers allow and what to ask next. */
    char *partial = carelevel_assess(pack,
        "{\"schema_version\":\"2\",\"safety\":{\"suicidal_ideation\":\"plan_with_intent\"}}");
    printf("provisional: %.100s\n", partial);
    good = good && strncmp(partial,
        "{\"ok\":{\"status\":\"provisional\",\"level_at_least\":\"inpatient\",\"level_at_most\":\"inpatient\",", 87) == 0;
    good = good && strstr(partial, "\"ask_next\":[{\"answer\":\"safety.") != NULL;
    carelevel_free(partial);

    char *bad = carelevel_assess(pack, "{\"schema_version\":\"2\",\"age\":200}");
    printf("invalid: %.100s\n", bad);
    good = good && strstr(bad, "\"kind\":\"invalid_intake\"") != NULL;
    good = good && strstr(bad, "\"problem_kind\":\"out_of_range\",\"value\":200") != NULL;
    carelevel_free(bad);

    /* A 0.1 intake is refused, saying how to convert it ... */
    char *old = carelevel_assess(pack, INTAKE_V0_1);
    printf("0.1: %.100s\n", old);
    good = good && strstr(old, "\"kind\":\"unsupported_version\"") != NULL;
    good = good && strstr(old, "\"problems\":[{\"field\":\"schema_version\"") != NULL;
    carelevel_free(old);

    /* ... and converted, with a note for each item 0.1 could not express. */
    char *converted = carelevel_convert_v0_1(INTAKE_V0_1);
    printf("convert: %.100s\n", converted);
    good = good && strncmp(converted, "{\"ok\":{\"intake\":{\"schema_version\":\"2\",", 38) == 0;
    good = good && strstr(converted, "\"notes\":[{\"field\":\"safety.suicidal_behavior\",\"note\":") != NULL;
    carelevel_free(converted);

    char *null_arg = carelevel_assess(pack, NULL);
    printf("null: %s\n", null_arg);
    good = good && strstr(null_arg, "\"kind\":\"null_argument\"") != NULL;
    good = good && strstr(null_arg, "\"problems\":[{\"field\":\"intake_json\",\"message\":\"is a null pointer\"}]") != NULL;
    carelevel_free(null_arg);

    char *t = carelevel_transition(pack, "sideways", INTAKE);
    printf("level: %s\n", t);
    good = good && strstr(t, "\"kind\":\"invalid_level\"") != NULL;
    good = good && strstr(t, "\"problems\":[{\"field\":\"current_level\"") != NULL;
    good = good && strstr(t, "sideways") == NULL; /* the caller's text is never echoed */
    carelevel_free(t);

    /* The adapters: the CDS Hooks card, the FHIR RiskAssessment and the proposed
     * ServiceRequest (under a FHIR context: ids, references, and when: the library reads no
     * clock), an override record. */
    char *card = carelevel_cds_card(pack, INTAKE);
    printf("card: %.80s\n", card);
    good = good && strstr(card, "\"summary\":\"Recommended: IOP with withdrawal management") != NULL;
    carelevel_free(card);

    const char *context =
        "{\"id\":\"ra-1\",\"subject\":\"Patient/p1\",\"response\":\"QuestionnaireResponse/q1\","
        "\"occurrence\":\"2026-11-29T14:05:00Z\",\"performer\":\"Device/carelevel\"}";
    char *ra = carelevel_risk_assessment(pack, INTAKE, context);
    printf("risk assessment: %.80s\n", ra);
    good = good && strncmp(ra, "{\"ok\":{\"resourceType\":\"RiskAssessment\",\"id\":\"ra-1\",", 51) == 0;
    good = good && strstr(ra, "\"code\":\"iop_withdrawal_management\"") != NULL;
    good = good && strstr(ra, "\"occurrenceDateTime\":\"2026-11-29T14:05:00Z\"") != NULL;
    carelevel_free(ra);

    char *sr = carelevel_service_request(pack, INTAKE, context, "sr-1");
    printf("service request: %.80s\n", sr);
    good = good && strstr(sr, "\"status\":\"draft\",\"intent\":\"proposal\",\"priority\":\"routine\"") != NULL;
    good = good && strstr(sr, "\"reasonReference\":[{\"reference\":\"RiskAssessment/ra-1\"}]") != NULL;
    carelevel_free(sr);

    char *bad_context = carelevel_risk_assessment(pack, INTAKE,
        "{\"id\":\"ra-1\",\"subject\":\"Patient/p1\",\"response\":\"QuestionnaireResponse/q1\","
        "\"occurrence\":\"last Tuesday\"}");
    printf("context: %.100s\n", bad_context);
    good = good && strstr(bad_context, "\"kind\":\"invalid_context\"") != NULL;
    good = good && strstr(bad_context, "\"field\":\"context_json.occurrence\"") != NULL;
    good = good && strstr(bad_context, "Tuesday") == NULL; /* never echoed */
    carelevel_free(bad_context);

    char *rec = carelevel_record_override(pack, INTAKE,
        "{\"arranged\":\"outpatient\",\"reasons\":[\"waiting_list\"]}");
    printf("override: %.80s\n", rec);
    good = good && strstr(rec, "\"review_required\":false") != NULL;
    carelevel_free(rec);

    char *refused = carelevel_record_override(pack, INTAKE,
        "{\"arranged\":\"iop\",\"reasons\":[\"waiting_list\"]}");
    good = good && strstr(refused, "\"kind\":\"invalid_override\"") != NULL;
    carelevel_free(refused);

    good = good && CARELEVEL_ABI_VERSION == 2;

    char *err = NULL;
    CarelevelPack *broken = carelevel_pack_from_toml("[[rule]]\nid = 'x'\n", &err);
    printf("pack: %.80s\n", err);
    good = good && broken == NULL && strstr(err, "\"kind\":\"invalid_pack\"") != NULL;
    good = good && strstr(err, "{\"file\":\"pack.toml\",\"rule\":\"rule `x`\",\"message\":") != NULL;
    carelevel_free(err);

    carelevel_pack_free(pack);
    printf(good ? "all checks passed\n" : "CHECK FAILED\n");
    return good ? 0 : 1;
}
