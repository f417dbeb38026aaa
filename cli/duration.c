/* duration.c — see duration.h. */
#include "duration.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"

/* k8s.io/apimachinery/pkg/util/duration.HumanDuration, step for step. */
void duration_human(int64_t seconds, char *buf, size_t len)
{
	int64_t minutes, hours;

	if (seconds < -1) {
		snprintf(buf, len, "<invalid>");
		return;
	}
	if (seconds < 0) {
		snprintf(buf, len, "0s");
		return;
	}
	if (seconds < 60 * 2) {
		snprintf(buf, len, "%llds", (long long)seconds);
		return;
	}
	minutes = seconds / 60;
	if (minutes < 10) {
		if (seconds % 60 == 0)
			snprintf(buf, len, "%lldm", (long long)minutes);
		else
			snprintf(buf, len, "%lldm%llds", (long long)minutes, (long long)(seconds % 60));
		return;
	}
	if (minutes < 60 * 3) {
		snprintf(buf, len, "%lldm", (long long)minutes);
		return;
	}
	hours = seconds / 3600;
	if (hours < 8) {
		if (minutes % 60 == 0)
			snprintf(buf, len, "%lldh", (long long)hours);
		else
			snprintf(buf, len, "%lldh%lldm", (long long)hours, (long long)(minutes % 60));
	} else if (hours < 48) {
		snprintf(buf, len, "%lldh", (long long)hours);
	} else if (hours < 24 * 8) {
		if (hours % 24 == 0)
			snprintf(buf, len, "%lldd", (long long)(hours / 24));
		else
			snprintf(buf, len, "%lldd%lldh", (long long)(hours / 24), (long long)(hours % 24));
	} else if (hours < 24 * 365 * 2) {
		snprintf(buf, len, "%lldd", (long long)(hours / 24));
	} else if (hours < 24 * 365 * 8) {
		int64_t days = (hours / 24) % 365;

		if (days == 0)
			snprintf(buf, len, "%lldy", (long long)(hours / 24 / 365));
		else
			snprintf(buf, len, "%lldy%lldd", (long long)(hours / 24 / 365), (long long)days);
	} else {
		snprintf(buf, len, "%lldy", (long long)(hours / 24 / 365));
	}
}

int64_t duration_parse_or_number_ms(const char *s, int64_t unit_ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end != s && *end == '\0')
		return v < 0 ? -1 : (int64_t)(v * (double)unit_ms);
	return duration_parse_ms(s);
}

static int64_t duration_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void duration_age_since(const char *rfc3339, char *buf, size_t len)
{
	int64_t t = rfc3339 && *rfc3339 ? model_time_parse(rfc3339) : -1;

	if (t < 0) {
		snprintf(buf, len, "<unknown>");
		return;
	}
	duration_human(duration_now_ms() / 1000 - t, buf, len);
}

int64_t duration_parse_ms(const char *s)
{
	int64_t total = 0;
	bool any = false;

	if (strcmp(s, "0") == 0)
		return 0;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		int64_t unit;

		if (end == s || v < 0)
			return -1;
		s = end;
		if (strncmp(s, "ms", 2) == 0) {
			unit = 1;
			s += 2;
		} else if (*s == 's') {
			unit = 1000;
			s++;
		} else if (*s == 'm') {
			unit = 60000;
			s++;
		} else if (*s == 'h') {
			unit = 3600000;
			s++;
		} else {
			return -1;
		}
		total += (int64_t)(v * (double)unit);
		any = true;
	}
	return any ? total : -1;
}
