/* Assess an intake through the C ABI. Built and run by `cargo test -p carelevel-ffi`. */
#include <stdio.h>
#include <string.h>
#include "carelevel.h"

static const char *INTAKE =
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

    char *ok = carelevel_assess(pack, INTAKE);
    printf("assess: %.60s\n", ok);
    good = good && strstr(ok, "\"ok\":{\"level\":\"iop\"") != NULL;
    carelevel_free(ok);

    char *bad = carelevel_assess(pack, "{\"age\": 200}");
    printf("invalid: %s\n", bad);
    good = good && strstr(bad, "\"kind\":\"invalid_intake\"") != NULL;
    carelevel_free(bad);

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
