/* kubelet_util.c — the kubelet role's pure pieces (see kubelet_int.h). */
#include "kubelet_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

uint64_t kubelet_backoff_base(const char *env_value)
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

uint64_t kubelet_backoff_delay(uint64_t base_ms, int n)
{
	uint64_t cap = base_ms * KUBELET_BACKOFF_CAP, d = base_ms;

	if (n <= 0)
		return 0;
	for (int i = 1; i < n && d < cap; i++)
		d *= 2;
	return d < cap ? d : cap;
}

uint64_t kubelet_backoff_next(struct kubelet_backoff *b, uint64_t base_ms, uint64_t ran_ms)
{
	if (ran_ms >= base_ms * KUBELET_BACKOFF_RESET)
		b->crashes = 0;
	if (b->crashes < 1000)
		b->crashes++;
	return kubelet_backoff_delay(base_ms, b->crashes - 1);
}

bool kubelet_probe_record(struct kubelet_probe_state *s, const struct model_probe *p, bool ok)
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

int kubelet_probe_port(const struct model_container *c, const struct model_probe *p)
{
	if (!p->port_name[0])
		return p->port > 0 && p->port <= 65535 ? p->port : -1;
	for (int i = 0; i < c->n_ports; i++) {
		if (strcmp(c->ports[i].name, p->port_name) == 0)
			return c->ports[i].port;
	}
	return -1;
}

int kubelet_probe_request(char *buf, size_t len, const struct model_probe *p,
			  struct in_addr ip, int port)
{
	char addr[INET_ADDRSTRLEN];
	const char *path = p->path[0] ? p->path : "/";
	int n;

	inet_ntop(AF_INET, &ip, addr, sizeof(addr));
	/* What kubelet sends, so an app that logs or checks probes sees the same. */
	n = snprintf(buf, len,
		     "GET %s%s HTTP/1.1\r\n"
		     "Host: %s:%d\r\n"
		     "User-Agent: kube-probe/1.29\r\n"
		     "Accept: */*\r\n"
		     "Connection: close\r\n"
		     "\r\n",
		     path[0] == '/' ? "" : "/", path, addr, port);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

uint64_t kubelet_term_window_ms(int grace_s, uint64_t hook_ms)
{
	uint64_t grace_ms = grace_s > 0 ? (uint64_t)grace_s * 1000u : 0;
	uint64_t left = grace_ms > hook_ms ? grace_ms - hook_ms : 0;

	return left < KUBELET_MIN_GRACE_MS ? KUBELET_MIN_GRACE_MS : left;
}

/* Index of the hook header named name (any case), or -1. */
static int kubelet_hook_header(const struct model_hook *h, const char *name)
{
	for (int i = 0; i < h->n_headers; i++)
		if (strcasecmp(h->headers[i].name, name) == 0)
			return i;
	return -1;
}

int kubelet_hook_request(char *buf, size_t len, const struct model_hook *h, const char *host,
			 int port)
{
	const char *path = h->path[0] ? h->path : "/";
	int ua = kubelet_hook_header(h, "User-Agent"), acc = kubelet_hook_header(h, "Accept");
	int hh = kubelet_hook_header(h, "Host");
	size_t off = 0;
	int n;

	/* The defaults kubelet's lifecycle requests carry, unless the hook
	 * names its own. */
	if (hh >= 0)
		n = snprintf(buf, len, "GET %s%s HTTP/1.1\r\nHost: %s\r\n", path[0] == '/' ? "" : "/",
			     path, h->headers[hh].value);
	else
		n = snprintf(buf, len, "GET %s%s HTTP/1.1\r\nHost: %s:%d\r\n",
			     path[0] == '/' ? "" : "/", path, host, port);
	if (n < 0 || (size_t)n >= len)
		return -1;
	off = (size_t)n;
	if (ua < 0 || acc < 0) {
		n = snprintf(buf + off, len - off, "%s%s",
			     ua < 0 ? "User-Agent: kube-lifecycle/1.29\r\n" : "",
			     acc < 0 ? "Accept: */*\r\n" : "");
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	for (int i = 0; i < h->n_headers; i++) {
		if (i == hh)
			continue;
		n = snprintf(buf + off, len - off, "%s: %s\r\n", h->headers[i].name,
			     h->headers[i].value);
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	n = snprintf(buf + off, len - off, "Connection: close\r\n\r\n");
	if (n < 0 || (size_t)n >= len - off)
		return -1;
	return (int)(off + (size_t)n);
}

int kubelet_http_status(const char *buf, size_t len)
{
	static const char prefix[] = "HTTP/1.";
	size_t plen = sizeof(prefix) - 1;
	const char *eol;
	int code = 0;

	/* Compare what has arrived so far, so garbage fails early. */
	if (strncmp(buf, prefix, len < plen ? len : plen) != 0)
		return -1;
	eol = memchr(buf, '\n', len);
	if (!eol)
		return len >= 200 ? -1 : 0;
	/* "HTTP/1.x NNN" */
	if ((size_t)(eol - buf) < plen + 5 || (buf[plen] != '0' && buf[plen] != '1') ||
	    buf[plen + 1] != ' ')
		return -1;
	for (size_t i = plen + 2; i < plen + 5; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		code = code * 10 + (buf[i] - '0');
	}
	if (buf[plen + 5] != ' ' && buf[plen + 5] != '\r' && buf[plen + 5] != '\n')
		return -1;
	return code >= 100 ? code : -1;
}

/* Index of NAME in env[0..n), or -1. */
static int kubelet_env_find(char (*env)[KUBELET_ENV_LEN], int n, const char *name, size_t nlen)
{
	for (int i = 0; i < n; i++) {
		if (strncmp(env[i], name, nlen) == 0 && env[i][nlen] == '=')
			return i;
	}
	return -1;
}

const char *kubelet_env_get(char (*env)[KUBELET_ENV_LEN], int n, const char *name)
{
	int i = kubelet_env_find(env, n, name, strlen(name));

	return i < 0 ? NULL : env[i] + strlen(name) + 1;
}

int kubelet_env_compose(const struct model_container *c, const char *hostname,
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
		if (images_expand(c->env[i].value, defined, i, value, sizeof(value) - nlen - 1) < 0) {
			snprintf(err, errlen, "environment variable %s is too long once $(VAR) "
				 "references expand", name);
			return -1;
		}
		defined[i] = c->env[i];
		snprintf(defined[i].value, sizeof(defined[i].value), "%.*s",
			 (int)sizeof(defined[i].value) - 1, value);
		at = kubelet_env_find(env, n, name, nlen);
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

int kubelet_find_exec(const char *cmd, const char *path, char *out, size_t outlen)
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
		if ((size_t)snprintf(out, outlen, "%.*s/%s", (int)dlen, dlen ? p : "", cmd) < outlen) {
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

void kubelet_exit_describe(int code, int status, char *buf, size_t len)
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
