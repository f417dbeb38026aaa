/* duration.h — durations as kubectl prints and reads them: the AGE column
 * and flags such as --timeout, --since and --duration.
 */
#ifndef CLIENTIP_CLI_DURATION_H
#define CLIENTIP_CLI_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* kubectl's AGE (HumanDuration): "5s", "3m2s", "2d", "<invalid>". */
void duration_human(int64_t seconds, char *buf, size_t len);
/* AGE of an RFC 3339 timestamp relative to now; "<unknown>" if empty. */
void duration_age_since(const char *rfc3339, char *buf, size_t len);
/* "10s", "1m30s", "2h", "500ms" -> milliseconds; -1 if malformed. */
int64_t duration_parse_ms(const char *s);
/* The same, or a bare number ("10", "1.5") counted in units of unit_ms. */
int64_t duration_parse_or_number_ms(const char *s, int64_t unit_ms);

#endif
