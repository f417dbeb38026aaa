/* log.h — one-line diagnostics to stderr, prefixed with the program name.
 *
 * Daemons and the CLI share this so every message reads the same way:
 *   clientip-echo: listen [::]:8080: Address already in use
 */
#ifndef CLIENTIP_LOG_H
#define CLIENTIP_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

/* Sets the prefix (usually argv[0]'s basename) and the lowest level shown. */
void log_init(const char *progname, enum log_level min_level);

void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

/* A message into a caller's error buffer instead (err of errlen bytes, cut
 * short if it does not fit; nothing when err is NULL or errlen 0). Through
 * vsnprintf, so that a path written into a fixed buffer does not trip
 * -Wformat-truncation as a direct snprintf does. */
void log_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
