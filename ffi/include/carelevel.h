/* carelevel C ABI: JSON in, JSON out. Every returned string is NUL-terminated JSON that the
 * caller frees with carelevel_free(); every error is JSON ({"error": {"kind", "message",
 * "problems"}}), never a crash. Pack handles are freed with carelevel_pack_free(). */
#ifndef CARELEVEL_H
#define CARELEVEL_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct CarelevelPack CarelevelPack;

/* The built-in rule pack. Never NULL. */
CarelevelPack *carelevel_pack_builtin(void);

/* A pack from TOML text; NULL on error, with *error_out (if not NULL) set to JSON. */
CarelevelPack *carelevel_pack_from_toml(const char *toml, char **error_out);

void carelevel_pack_free(CarelevelPack *pack);

/* {"ok": report} or {"error": {...}}. */
char *carelevel_assess(const CarelevelPack *pack, const char *intake_json);

/* current_level: "outpatient", "iop", "php" or "inpatient". {"ok": transition} or {"error": {...}}. */
char *carelevel_transition(const CarelevelPack *pack, const char *current_level, const char *intake_json);

/* Static; do not free. */
const char *carelevel_version(void);

void carelevel_free(char *s);

#ifdef __cplusplus
}
#endif

#endif /* CARELEVEL_H */
