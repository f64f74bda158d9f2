/* carelevel C ABI: JSON in, JSON out. Every returned string is NUL-terminated JSON that the
 * caller frees with carelevel_free(); every error is JSON, never a crash. Pack handles are
 * freed with carelevel_pack_free().
 *
 * Errors have one shape:
 *
 *   {"error": {"kind": KIND, "message": MESSAGE, "problems": [PROBLEM, ...]}}
 *
 * MESSAGE (and every problem's TEXT) is one line and never echoes the intake's or an
 * argument's text (a pack problem may name the pack's own ids). "problems" is always present
 * and always a non-empty array; each PROBLEM is an object of one of two forms:
 *
 *   {"field": NAME, "message": TEXT}
 *       NAME is an argument ("pack", "intake_json", "current_level", "toml"), a dotted intake
 *       field ("safety.suicide_risk"; "." for the whole document), or, for kind internal, the
 *       function that failed ("carelevel_assess").
 *   {"file": FILE, "rule": ITEM, "message": TEXT}
 *       a rule pack problem. ITEM names the rule, rating, score or programme it is in
 *       (e.g. "rule `x`", "rating `d1`"); "rule" is omitted when the problem is in none.
 *
 * KIND is one of the following, and nothing else (one line each, "kind: NAME  meaning"):
 *
 *   kind: null_argument     a pointer argument is NULL; field names the argument
 *   kind: invalid_utf8      a string argument is not UTF-8; field names it, message gives the byte
 *   kind: malformed_intake  the intake is not JSON of the intake's shape; field is the dotted path
 *   kind: invalid_intake    the intake was read but answers are missing or out of range
 *   kind: invalid_level     current_level is not "outpatient", "iop", "php" or "inpatient"
 *   kind: invalid_pack      the rule pack TOML has problems; each problem has file (and rule)
 *   kind: unavailable       no rule pack is available, so nothing is assessed (fail closed)
 *   kind: internal          a bug in carelevel (a caught panic); field names the function
 */
#ifndef CARELEVEL_H
#define CARELEVEL_H

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

/* {"ok": report} or {"error": {...}}. */
char *carelevel_assess(const CarelevelPack *pack, const char *intake_json);

/* current_level: "outpatient", "iop", "php" or "inpatient". {"ok": transition} or {"error": {...}}. */
char *carelevel_transition(const CarelevelPack *pack, const char *current_level, const char *intake_json);

/* The version of carelevel, e.g. "0.1.0". Static; do not free. */
const char *carelevel_version(void);

void carelevel_free(char *s);

#ifdef __cplusplus
}
#endif

#endif /* CARELEVEL_H */
