/* echo_config.c — see echo_config.h. */
#include "echo_config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sock.h"
#include "log.h"

#ifndef CLIENTIP_VERSION
#define CLIENTIP_VERSION "unknown"
#endif

enum {
	OPT_DRAIN_TIMEOUT = 256,
	OPT_DRAIN_ACCEPT,
	OPT_HEADER_TIMEOUT,
	OPT_MAX_CONNS,
};

static const struct option echo_config_opts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "unmap", no_argument, NULL, 'u' },
	{ "newline", no_argument, NULL, 'n' },
	{ "name", required_argument, NULL, 'N' },
	{ "trust", required_argument, NULL, 't' },
	{ "proxy-protocol", no_argument, NULL, 'p' },
	{ "drain-timeout", required_argument, NULL, OPT_DRAIN_TIMEOUT },
	{ "drain-accept", required_argument, NULL, OPT_DRAIN_ACCEPT },
	{ "header-timeout", required_argument, NULL, OPT_HEADER_TIMEOUT },
	{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
	{ "workers", required_argument, NULL, 'w' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void echo_config_usage(FILE *out)
{
	fputs(
"Usage: clientip-echo [OPTION]...\n"
"Answer every HTTP request with the client address the socket sees.\n"
"\n"
"  -l, --listen ADDR:PORT[,proxy-protocol]\n"
"                         listen there (repeatable; default [::]:8080, dual-stack);\n"
"                         ',proxy-protocol' requires a PROXY header on this one\n"
"  -u, --unmap            print IPv4-mapped addresses (::ffff:a.b.c.d) as a.b.c.d\n"
"  -n, --newline          end text bodies with a newline\n"
"  -N, --name NAME        name reported by /json (default: the host name)\n"
"  -t, --trust CIDR       trusted proxies (repeatable): their X-Forwarded-For is\n"
"                         walked for the client, their PROXY headers accepted\n"
"  -p, --proxy-protocol   require a PROXY protocol v1/v2 header on every listener\n"
"      --drain-accept SEC   after SIGTERM, go on accepting and answering new\n"
"                         connections (Connection: close, /healthz 503) this long\n"
"                         before closing the listeners, so that load balancers\n"
"                         see the 503 and stop sending first (default 15; SIGINT\n"
"                         skips it)\n"
"      --drain-timeout SEC  then wait this long at most for open connections\n"
"                         (default 5)\n"
"      --header-timeout SEC close connections idle or without a complete request\n"
"                         for this long (default 10)\n"
"      --max-conns N      refuse connections beyond N open ones\n"
"                         (default: from the open-file limit)\n"
"  -w, --workers N        N event loops in N threads (default 1)\n"
"  -v, --verbose          log refused connections and protocol errors\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"Every option can also be set in the environment: CLIENTIP_ECHO_LISTEN,\n"
"CLIENTIP_ECHO_UNMAP, CLIENTIP_ECHO_NEWLINE, CLIENTIP_ECHO_NAME,\n"
"CLIENTIP_ECHO_TRUST, CLIENTIP_ECHO_PROXY_PROTOCOL, CLIENTIP_ECHO_DRAIN_ACCEPT,\n"
"CLIENTIP_ECHO_DRAIN_TIMEOUT,\n"
"CLIENTIP_ECHO_HEADER_TIMEOUT, CLIENTIP_ECHO_MAX_CONNS, CLIENTIP_ECHO_WORKERS,\n"
"CLIENTIP_ECHO_VERBOSE (lists separated by spaces; booleans 1/0, true/false,\n"
"yes/no, on/off). Options on the command line win. PORT sets the port of the\n"
"default listener.\n"
"\n"
"GET /json (or Accept: application/json) describes the connection as JSON;\n"
"/healthz answers 'ok', or 503 while draining. SIGTERM drains gracefully.\n",
	out);
}

/* Seconds with an optional fraction ("5", "0.25") as milliseconds. */
static int echo_config_seconds(const char *s, unsigned max_s, unsigned *ms)
{
	unsigned long whole = 0, frac = 0, scale = 1000;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (unsigned long)(*p - '0');
		if (whole > max_s)
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			/* Digits past the millisecond are dropped. */
			if (scale > 1) {
				scale /= 10;
				frac += (unsigned long)(*p - '0') * scale;
			}
		}
	}
	if (*p)
		return -EINVAL;
	if (whole == max_s && frac > 0)
		return -ERANGE;
	*ms = (unsigned)(whole * 1000 + frac);
	return 0;
}

static int echo_config_uint(const char *s, unsigned min, unsigned max, unsigned *v)
{
	unsigned long x = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		x = x * 10 + (unsigned long)(*s - '0');
		if (x > max)
			return -ERANGE;
	}
	if (x < min)
		return -ERANGE;
	*v = (unsigned)x;
	return 0;
}

static int echo_config_bool(const char *s, bool *v)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "", "0", "false", "no", "off" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = true;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (strcasecmp(s, no[i]) == 0) {
			*v = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int echo_config_add_listen(struct echo_config *cfg, const char *spec,
				  char *err, size_t errlen)
{
	char addr[128];
	const char *comma = strchr(spec, ',');
	size_t alen = comma ? (size_t)(comma - spec) : strlen(spec);
	struct echo_listen *l;

	if (cfg->nlisten == ECHO_MAX_LISTEN) {
		log_errf(err, errlen, "too many listeners (at most %d)", ECHO_MAX_LISTEN);
		return -1;
	}
	if (alen >= sizeof(addr))
		goto bad;
	memcpy(addr, spec, alen);
	addr[alen] = '\0';
	l = &cfg->listen[cfg->nlisten];
	memset(l, 0, sizeof(*l));
	if (sock_parse_addr(addr, &l->addr, &l->addrlen) < 0)
		goto bad;
	if (comma) {
		if (strcmp(comma + 1, "proxy-protocol") != 0) {
			log_errf(err, errlen, "listen %s: unknown option '%s'", spec, comma + 1);
			return -1;
		}
		l->proxy = true;
	}
	cfg->nlisten++;
	return 0;
bad:
	log_errf(err, errlen,
		 "listen '%s': expected ADDR:PORT, e.g. [::]:8080 or 127.0.0.1:8080", spec);
	return -1;
}

static int echo_config_add_trust(struct echo_config *cfg, const char *spec,
				 char *err, size_t errlen)
{
	if (cfg->ntrust == ECHO_MAX_TRUST) {
		log_errf(err, errlen, "too many trusted prefixes (at most %d)", ECHO_MAX_TRUST);
		return -1;
	}
	if (cidr_parse(spec, &cfg->trust[cfg->ntrust]) < 0) {
		log_errf(err, errlen, "trust '%s': expected an address or CIDR prefix", spec);
		return -1;
	}
	cfg->ntrust++;
	return 0;
}

static int echo_config_set_name(struct echo_config *cfg, const char *s, char *err, size_t errlen)
{
	size_t n = strlen(s);

	if (n == 0 || n > ECHO_NAME_MAX) {
		log_errf(err, errlen, "name: expected 1 to %d bytes", ECHO_NAME_MAX);
		return -1;
	}
	memcpy(cfg->name, s, n + 1);
	return 0;
}

/* Applies one option; `key` names it in messages (a flag or a variable). */
static int echo_config_apply(struct echo_config *cfg, int opt, const char *arg,
			     const char *key, char *err, size_t errlen)
{
	bool on = true;
	int rc = 0;

	switch (opt) {
	case 'l':
		return echo_config_add_listen(cfg, arg, err, errlen);
	case 't':
		return echo_config_add_trust(cfg, arg, err, errlen);
	case 'N':
		return echo_config_set_name(cfg, arg, err, errlen);
	case 'u':
	case 'n':
	case 'p':
	case 'v':
		/* Flags have no argument; variables carry a boolean. */
		if (arg && echo_config_bool(arg, &on) < 0) {
			log_errf(err, errlen, "%s: expected 1 or 0, got '%s'", key, arg);
			return -1;
		}
		if (opt == 'u')
			cfg->unmap = on;
		else if (opt == 'n')
			cfg->newline = on;
		else if (opt == 'p')
			cfg->proxy_protocol = on;
		else
			cfg->verbose = on;
		return 0;
	case OPT_DRAIN_TIMEOUT:
		rc = echo_config_seconds(arg, 86400, &cfg->drain_ms);
		break;
	case OPT_DRAIN_ACCEPT:
		rc = echo_config_seconds(arg, 86400, &cfg->drain_accept_ms);
		break;
	case OPT_HEADER_TIMEOUT:
		rc = echo_config_seconds(arg, 86400, &cfg->header_ms);
		if (rc == 0 && cfg->header_ms == 0)
			rc = -ERANGE;
		break;
	case OPT_MAX_CONNS:
		rc = echo_config_uint(arg, 1, 10000000, &cfg->max_conns);
		break;
	case 'w':
		rc = echo_config_uint(arg, 1, ECHO_MAX_WORKERS, &cfg->workers);
		break;
	default:
		log_errf(err, errlen, "%s: unknown option", key);
		return -1;
	}
	if (rc < 0) {
		log_errf(err, errlen, "%s: %s '%s'", key,
			 rc == -ERANGE ? "out of range:" : "not a number:", arg);
		return -1;
	}
	return 0;
}

/* "--listen" for 'l': messages name the long flag whichever form was used. */
static void echo_config_flag_name(int opt, char *key, size_t keylen)
{
	for (const struct option *o = echo_config_opts; o->name; o++) {
		if (o->val == opt) {
			snprintf(key, keylen, "--%s", o->name);
			return;
		}
	}
	snprintf(key, keylen, "option");
}

static const char *echo_config_env(const char *const *envp, const char *key)
{
	size_t klen = strlen(key);

	for (; envp && *envp; envp++) {
		if (strncmp(*envp, key, klen) == 0 && (*envp)[klen] == '=')
			return *envp + klen + 1;
	}
	return NULL;
}

/* Splits a list variable on spaces (and commas where `commas`). */
static int echo_config_env_list(struct echo_config *cfg, int opt, const char *val,
				const char *key, bool commas, char *err, size_t errlen)
{
	const char *seps = commas ? " \t\n," : " \t\n";

	while (*val) {
		char item[256];
		size_t n;

		val += strspn(val, seps);
		n = strcspn(val, seps);
		if (n == 0)
			break;
		if (n >= sizeof(item)) {
			log_errf(err, errlen, "%s: item too long", key);
			return -1;
		}
		memcpy(item, val, n);
		item[n] = '\0';
		val += n;
		if (echo_config_apply(cfg, opt, item, key, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int echo_config_from_env(struct echo_config *cfg, const char *const *envp,
				char *err, size_t errlen)
{
	static const struct { const char *key; int opt; } vars[] = {
		{ "CLIENTIP_ECHO_UNMAP", 'u' },
		{ "CLIENTIP_ECHO_NEWLINE", 'n' },
		{ "CLIENTIP_ECHO_NAME", 'N' },
		{ "CLIENTIP_ECHO_PROXY_PROTOCOL", 'p' },
		{ "CLIENTIP_ECHO_DRAIN_TIMEOUT", OPT_DRAIN_TIMEOUT },
		{ "CLIENTIP_ECHO_DRAIN_ACCEPT", OPT_DRAIN_ACCEPT },
		{ "CLIENTIP_ECHO_HEADER_TIMEOUT", OPT_HEADER_TIMEOUT },
		{ "CLIENTIP_ECHO_MAX_CONNS", OPT_MAX_CONNS },
		{ "CLIENTIP_ECHO_WORKERS", 'w' },
		{ "CLIENTIP_ECHO_VERBOSE", 'v' },
	};
	const char *v;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		v = echo_config_env(envp, vars[i].key);
		if (v && echo_config_apply(cfg, vars[i].opt, v, vars[i].key, err, errlen) < 0)
			return -1;
	}
	v = echo_config_env(envp, "CLIENTIP_ECHO_LISTEN");
	if (v && echo_config_env_list(cfg, 'l', v, "CLIENTIP_ECHO_LISTEN", false, err, errlen) < 0)
		return -1;
	v = echo_config_env(envp, "CLIENTIP_ECHO_TRUST");
	if (v && echo_config_env_list(cfg, 't', v, "CLIENTIP_ECHO_TRUST", true, err, errlen) < 0)
		return -1;
	return 0;
}

static void echo_config_defaults(struct echo_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->drain_ms = 5000;
	/* Azure Load Balancer's default probe (5 s, 2 failures) and a margin:
	 * within Kubernetes' default grace period of 30 s with the drain's
	 * 5 s. */
	cfg->drain_accept_ms = 15000;
	cfg->header_ms = 10000;
	cfg->workers = 1;
	if (gethostname(cfg->name, sizeof(cfg->name) - 1) < 0 || !cfg->name[0])
		snprintf(cfg->name, sizeof(cfg->name), "clientip-echo");
}

enum echo_config_result echo_config_parse(struct echo_config *cfg, int argc, char **argv,
					  const char *const *envp, FILE *out,
					  char *err, size_t errlen)
{
	bool flag_listen = false, flag_trust = false;
	const char *port;
	int opt;

	echo_config_defaults(cfg);
	if (echo_config_from_env(cfg, envp, err, errlen) < 0)
		return ECHO_CONFIG_ERROR;

	optind = 0; /* GNU: full re-initialisation, so tests may parse twice */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":l:unN:t:pw:vhV", echo_config_opts, NULL)) != -1) {
		char key[64];

		if (opt == 'h') {
			echo_config_usage(out);
			return ECHO_CONFIG_EXIT;
		}
		if (opt == 'V') {
			fprintf(out, "clientip-echo %s\n", CLIENTIP_VERSION);
			return ECHO_CONFIG_EXIT;
		}
		if (opt == '?' || opt == ':') {
			const char *what = opt == '?' ? "unknown option" : "option needs a value";

			/* optopt names short options only; a long one is in argv. */
			if (opt == '?' && optopt > 0 && optopt < 256)
				log_errf(err, errlen, "%s: -%c", what, optopt);
			else
				log_errf(err, errlen, "%s: %s", what, argv[optind - 1]);
			return ECHO_CONFIG_ERROR;
		}
		/* A list on the command line replaces the variable's list. */
		if (opt == 'l' && !flag_listen) {
			flag_listen = true;
			cfg->nlisten = 0;
		}
		if (opt == 't' && !flag_trust) {
			flag_trust = true;
			cfg->ntrust = 0;
		}
		echo_config_flag_name(opt, key, sizeof(key));
		if (echo_config_apply(cfg, opt, optarg, key, err, errlen) < 0)
			return ECHO_CONFIG_ERROR;
	}
	if (optind < argc) {
		log_errf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return ECHO_CONFIG_ERROR;
	}

	if (cfg->nlisten == 0) {
		struct echo_listen *l = &cfg->listen[0];
		unsigned p = ECHO_DEFAULT_PORT;

		port = echo_config_env(envp, "PORT");
		if (port && *port && echo_config_uint(port, 0, 65535, &p) < 0) {
			log_errf(err, errlen, "PORT: expected 0 to 65535, got '%s'", port);
			return ECHO_CONFIG_ERROR;
		}
		sock_parse_addr("[::]:0", &l->addr, &l->addrlen);
		sock_set_port(&l->addr, (uint16_t)p);
		cfg->nlisten = 1;
	}
	if (cfg->proxy_protocol) {
		for (unsigned i = 0; i < cfg->nlisten; i++)
			cfg->listen[i].proxy = true;
	}
	for (unsigned i = 0; i < cfg->nlisten; i++) {
		if (cfg->listen[i].proxy && cfg->ntrust == 0) {
			log_errf(err, errlen,
				 "PROXY protocol needs --trust: headers are accepted only from trusted proxies");
			return ECHO_CONFIG_ERROR;
		}
	}
	return ECHO_CONFIG_RUN;
}
