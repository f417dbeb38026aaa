/* kubelet_util.c — the kubelet role's pure pieces (see kubelet_int.h). */
#include "kubelet_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

uint64_t kl_backoff_base(const char *env_value)
{
	unsigned long long v;
	char *end;

	if (!env_value || !*env_value)
		return KUBELET_BACKOFF_BASE_MS;
	errno = 0;
	v = strtoull(env_value, &end, 10);
	/* The cap is 30x the base: keep it far from overflowing. */
	if (errno || *end || v == 0 || v > 86400000ull || env_value[0] == '-')
		return KUBELET_BACKOFF_BASE_MS;
	return (uint64_t)v;
}

uint64_t kl_backoff_delay(uint64_t base_ms, int n)
{
	uint64_t cap = base_ms * KUBELET_BACKOFF_CAP, d = base_ms;

	if (n <= 0)
		return 0;
	for (int i = 1; i < n && d < cap; i++)
		d *= 2;
	return d < cap ? d : cap;
}

uint64_t kl_backoff_next(struct kubelet_backoff *b, uint64_t base_ms, uint64_t ran_ms)
{
	if (ran_ms >= base_ms * KUBELET_BACKOFF_RESET)
		b->crashes = 0;
	if (b->crashes < 1000)
		b->crashes++;
	return kl_backoff_delay(base_ms, b->crashes - 1);
}

bool kl_probe_record(struct kubelet_probe_state *s, const struct model_probe *p, bool ok)
{
	int need_ok = p->success_threshold > 0 ? p->success_threshold : 1;
	int need_fail = p->failure_threshold > 0 ? p->failure_threshold : 1;
	bool was = s->ready;

	if (ok) {
		s->failures = 0;
		if (s->successes < need_ok)
			s->successes++;
		if (s->successes >= need_ok)
			s->ready = true;
	} else {
		s->successes = 0;
		if (s->failures < need_fail)
			s->failures++;
		if (s->failures >= need_fail)
			s->ready = false;
	}
	return s->ready != was;
}

int kl_probe_port(const struct model_container *c, const struct model_probe *p)
{
	if (!p->port_name[0])
		return p->port > 0 && p->port <= 65535 ? p->port : -1;
	for (int i = 0; i < c->n_ports; i++) {
		if (strcmp(c->ports[i].name, p->port_name) == 0)
			return c->ports[i].port;
	}
	return -1;
}

uint64_t kl_term_window_ms(int grace_s, uint64_t hook_ms)
{
	uint64_t grace_ms = grace_s > 0 ? (uint64_t)grace_s * 1000u : 0;
	uint64_t left = grace_ms > hook_ms ? grace_ms - hook_ms : 0;

	return left < KUBELET_MIN_GRACE_MS ? KUBELET_MIN_GRACE_MS : left;
}

/* Index of the hook header named name (any case), or -1. */
static int kl_hook_header(const struct model_hook *h, const char *name)
{
	for (int i = 0; i < h->n_headers; i++)
		if (strcasecmp(h->headers[i].name, name) == 0)
			return i;
	return -1;
}

int kl_hook_headers(char *buf, size_t len, const struct model_hook *h, const char **host)
{
	int ua = kl_hook_header(h, "User-Agent"), acc = kl_hook_header(h, "Accept");
	int hh = kl_hook_header(h, "Host");
	size_t off = 0;
	int n;

	*host = hh >= 0 ? h->headers[hh].value : NULL;
	/* The defaults kubelet's lifecycle requests carry, unless the hook
	 * names its own. */
	n = snprintf(buf, len, "%s%s", ua < 0 ? "User-Agent: kube-lifecycle/1.29\r\n" : "",
		     acc < 0 ? "Accept: */*\r\n" : "");
	if (n < 0 || (size_t)n >= len)
		return -1;
	off = (size_t)n;
	for (int i = 0; i < h->n_headers; i++) {
		if (i == hh)
			continue;
		n = snprintf(buf + off, len - off, "%s: %s\r\n", h->headers[i].name,
			     h->headers[i].value);
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	return (int)off;
}

/* Index of NAME in env[0..n), or -1. */
static int kl_env_find(char (*env)[KUBELET_ENV_LEN], int n, const char *name, size_t nlen)
{
	for (int i = 0; i < n; i++) {
		if (strncmp(env[i], name, nlen) == 0 && env[i][nlen] == '=')
			return i;
	}
	return -1;
}

const char *kl_env_get(char (*env)[KUBELET_ENV_LEN], int n, const char *name)
{
	int i = kl_env_find(env, n, name, strlen(name));

	return i < 0 ? NULL : env[i] + strlen(name) + 1;
}

int kl_env_compose(const struct model_container *c, const char *hostname,
		   char (*env)[KUBELET_ENV_LEN], int max, char *err, size_t errlen)
{
	struct model_env defined[MODEL_MAX_ENV];
	char value[KUBELET_ENV_LEN];
	int n = 0;

	if (max < 2) {
		snprintf(err, errlen, "no room for the environment");
		return -1;
	}
	snprintf(env[n++], KUBELET_ENV_LEN, "PATH=%s", KUBELET_DEFAULT_PATH);
	snprintf(env[n++], KUBELET_ENV_LEN, "HOSTNAME=%.*s", MODEL_NAME_MAX, hostname);
	for (int i = 0; i < c->n_env; i++) {
		const char *name = c->env[i].name;
		size_t nlen = strlen(name);
		int at;

		if (!nlen || strchr(name, '=')) {
			snprintf(err, errlen, "invalid environment variable name \"%s\"", name);
			return -1;
		}
		/* $(VAR) sees the variables the container defined before this one. */
		if (images_expand(c->env[i].value, defined, i, value,
				  sizeof(value) - nlen - 1) < 0) {
			snprintf(err, errlen, "environment variable %s is too long once $(VAR) "
				 "references expand", name);
			return -1;
		}
		defined[i] = c->env[i];
		snprintf(defined[i].value, sizeof(defined[i].value), "%.*s",
			 (int)sizeof(defined[i].value) - 1, value);
		at = kl_env_find(env, n, name, nlen);
		if (at < 0) {
			if (n == max) {
				snprintf(err, errlen, "more than %d environment variables", max);
				return -1;
			}
			at = n++;
		}
		if (snprintf(env[at], KUBELET_ENV_LEN, "%s=%s", name, value) >= KUBELET_ENV_LEN) {
			snprintf(err, errlen, "environment variable %s is too long", name);
			return -1;
		}
	}
	return n;
}

int kl_find_exec(const char *cmd, const char *path, char *out, size_t outlen)
{
	const char *p = path && *path ? path : KUBELET_DEFAULT_PATH;
	bool denied = false;

	if (!*cmd)
		return -ENOENT;
	if (strchr(cmd, '/')) {
		/* The process starts in "/": relative names resolve from there. */
		if ((size_t)snprintf(out, outlen, "%s%s", cmd[0] == '/' ? "" : "/", cmd) >= outlen)
			return -ENAMETOOLONG;
		if (access(out, X_OK) == 0)
			return 0;
		return errno == EACCES ? -EACCES : -ENOENT;
	}
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t dlen = colon ? (size_t)(colon - p) : strlen(p);

		/* An empty PATH element means the current directory: "/" here. */
		if ((size_t)snprintf(out, outlen, "%.*s/%s", (int)dlen, dlen ? p : "", cmd) <
		    outlen) {
			if (access(out, X_OK) == 0)
				return 0;
			if (errno == EACCES)
				denied = true;
		}
		p += dlen + (colon ? 1 : 0);
		if (!colon)
			break;
	}
	return denied ? -EACCES : -ENOENT;
}

void kl_exit_describe(int code, int status, char *buf, size_t len)
{
	const char *abbrev;

	switch (code) {
	case CLD_EXITED:
		snprintf(buf, len, "exit code %d", status);
		break;
	case CLD_KILLED:
	case CLD_DUMPED:
		abbrev = sigabbrev_np(status);
		snprintf(buf, len, "killed by signal %d (%s)%s", status, abbrev ? abbrev : "?",
			 code == CLD_DUMPED ? ", core dumped" : "");
		break;
	default:
		snprintf(buf, len, "exited");
		break;
	}
}
