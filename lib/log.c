/* log.c — see log.h. */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Set once at start-up, read-only afterwards. */
static char log_prog[64] = "clientip";
static enum log_level log_min = LOG_LEVEL_INFO;

void log_init(const char *progname, enum log_level min_level)
{
	const char *slash = strrchr(progname, '/');

	snprintf(log_prog, sizeof(log_prog), "%s", slash ? slash + 1 : progname);
	log_min = min_level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const tags[] = { "debug: ", "", "warning: ", "error: " };
	char line[1024];
	va_list ap;

	if (level < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line so lines of concurrent processes do not interleave. */
	fprintf(stderr, "%s: %s%s\n", log_prog, tags[level], line);
}

void log_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
