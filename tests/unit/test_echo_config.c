/* Unit tests for echo/echo_config.c: flags, environment, defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "echo_config.h"
#include "sock.h"

static char err[256];

static enum echo_config_result parse(struct echo_config *cfg, const char *const *env, ...)
{
	char *argv[32] = { strdup("clientip-echo") };
	int argc = 1;
	va_list ap;
	const char *a;
	FILE *out = fopen("/dev/null", "w");
	enum echo_config_result rc;

	va_start(ap, env);
	while ((a = va_arg(ap, const char *)) != NULL && argc < 31)
		argv[argc++] = strdup(a);
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	rc = echo_config_parse(cfg, argc, argv, env, out, err, sizeof(err));
	fclose(out);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return rc;
}

static const char *listen_text(const struct echo_config *cfg, unsigned i)
{
	static char buf[SOCK_ADDR_STRLEN];

	sock_format_addr((const struct sockaddr *)&cfg->listen[i].addr, false, buf, sizeof(buf));
	return buf;
}

/* A run's settings besides its listeners and the PROXY protocol. */
struct settings {
	bool unmap, newline;
	const char *name;
	int ntrust, drain_ms, header_ms, max_conns, workers;
};

static void assert_settings(const struct echo_config *cfg, const struct settings *want)
{
	assert_int_equal(cfg->unmap, want->unmap);
	assert_int_equal(cfg->newline, want->newline);
	assert_string_equal(cfg->name, want->name);
	assert_int_equal(cfg->ntrust, want->ntrust);
	assert_int_equal(cfg->drain_ms, want->drain_ms);
	assert_int_equal(cfg->header_ms, want->header_ms);
	assert_int_equal(cfg->max_conns, want->max_conns);
	assert_int_equal(cfg->workers, want->workers);
}

static void test_defaults(void **state)
{
	struct echo_config cfg;
	char host[256] = "";

	(void)state;
	assert_int_equal(parse(&cfg, NULL, NULL), ECHO_CONFIG_RUN);
	assert_int_equal(cfg.nlisten, 1);
	/* The reference app's [::]:8080, dual-stack. */
	assert_string_equal(listen_text(&cfg, 0), "[::]:8080");
	assert_false(cfg.listen[0].proxy);
	gethostname(host, sizeof(host) - 1);
	assert_settings(&cfg, &(struct settings){ .name = host, .drain_ms = 5000,
						  .header_ms = 10000, .workers = 1 });
}

static void test_flags(void **state)
{
	struct echo_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, NULL, "--listen", "127.0.0.1:9000", "-l", "[::1]:9001,proxy-protocol",
			       "--unmap", "-n", "--name", "pod-a", "--trust", "10.0.0.0/8",
			       "-t", "2001:db8::/32", "--drain-timeout", "1.5", "--header-timeout=0.25",
			       "--max-conns", "100", "-w", "4", "-v", NULL), ECHO_CONFIG_RUN);
	assert_int_equal(cfg.nlisten, 2);
	assert_string_equal(listen_text(&cfg, 0), "127.0.0.1:9000");
	assert_false(cfg.listen[0].proxy);
	assert_string_equal(listen_text(&cfg, 1), "[::1]:9001");
	assert_true(cfg.listen[1].proxy);
	assert_settings(&cfg, &(struct settings){ .unmap = true, .newline = true, .name = "pod-a",
						  .ntrust = 2, .drain_ms = 1500, .header_ms = 250,
						  .max_conns = 100, .workers = 4 });
	assert_true(cfg.verbose);
}

static void test_proxy_protocol_everywhere(void **state)
{
	struct echo_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, NULL, "-p", "-t", "127.0.0.1", "-l", "127.0.0.1:1", "-l",
			       "127.0.0.1:2", NULL), ECHO_CONFIG_RUN);
	assert_true(cfg.listen[0].proxy);
	assert_true(cfg.listen[1].proxy);
	/* Without a trusted source no PROXY header could ever be accepted. */
	assert_int_equal(parse(&cfg, NULL, "--proxy-protocol", NULL), ECHO_CONFIG_ERROR);
	assert_non_null(strstr(err, "--trust"));
}

static void test_environment(void **state)
{
	const char *env[] = {
		"CLIENTIP_ECHO_LISTEN=127.0.0.1:7000  [::1]:7001,proxy-protocol",
		"CLIENTIP_ECHO_UNMAP=1",
		"CLIENTIP_ECHO_NEWLINE=yes",
		"CLIENTIP_ECHO_NAME=from-env",
		"CLIENTIP_ECHO_TRUST=10.0.0.0/8,192.168.0.0/16 fd00::/8",
		"CLIENTIP_ECHO_DRAIN_TIMEOUT=2",
		"CLIENTIP_ECHO_HEADER_TIMEOUT=3",
		"CLIENTIP_ECHO_MAX_CONNS=7",
		"CLIENTIP_ECHO_WORKERS=2",
		"CLIENTIP_ECHO_PROXY_PROTOCOL=off",
		"PORT=9999",
		NULL,
	};
	struct echo_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, env, NULL), ECHO_CONFIG_RUN);
	assert_int_equal(cfg.nlisten, 2);
	assert_string_equal(listen_text(&cfg, 0), "127.0.0.1:7000");
	assert_true(cfg.listen[1].proxy);
	assert_settings(&cfg, &(struct settings){ .unmap = true, .newline = true,
						  .name = "from-env", .ntrust = 3, .drain_ms = 2000,
						  .header_ms = 3000, .max_conns = 7, .workers = 2 });
	assert_false(cfg.proxy_protocol);

	/* Flags win; a list flag replaces the variable's list. */
	assert_int_equal(parse(&cfg, env, "--name", "flag", "-l", "127.0.0.1:1", "-t", "1.2.3.4",
			       "-w", "1", NULL), ECHO_CONFIG_RUN);
	assert_string_equal(cfg.name, "flag");
	assert_int_equal(cfg.nlisten, 1);
	assert_string_equal(listen_text(&cfg, 0), "127.0.0.1:1");
	assert_int_equal(cfg.ntrust, 1);
	assert_int_equal(cfg.workers, 1);
}

static void test_port_variable(void **state)
{
	const char *env[] = { "PORT=3000", NULL };
	const char *bad[] = { "PORT=http", NULL };
	const char *empty[] = { "PORT=", NULL };
	struct echo_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, env, NULL), ECHO_CONFIG_RUN);
	assert_string_equal(listen_text(&cfg, 0), "[::]:3000");
	/* PORT is for the default listener only. */
	assert_int_equal(parse(&cfg, env, "-l", "127.0.0.1:5", NULL), ECHO_CONFIG_RUN);
	assert_string_equal(listen_text(&cfg, 0), "127.0.0.1:5");
	assert_int_equal(parse(&cfg, bad, NULL), ECHO_CONFIG_ERROR);
	assert_non_null(strstr(err, "PORT"));
	assert_int_equal(parse(&cfg, empty, NULL), ECHO_CONFIG_RUN);
	assert_string_equal(listen_text(&cfg, 0), "[::]:8080");
}

static void test_errors(void **state)
{
	const char *badbool[] = { "CLIENTIP_ECHO_UNMAP=maybe", NULL };
	const char *badtrust[] = { "CLIENTIP_ECHO_TRUST=10.0.0.0/8 nonsense", NULL };
	struct echo_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, NULL, "--listen", "8080", NULL), ECHO_CONFIG_ERROR);
	assert_non_null(strstr(err, "ADDR:PORT"));
	assert_int_equal(parse(&cfg, NULL, "-l", "127.0.0.1:80,tls", NULL), ECHO_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, NULL, "--trust", "10.0.0.0/33", NULL), ECHO_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, NULL, "--workers", "0", NULL), ECHO_CONFIG_ERROR);
	assert_non_null(strstr(err, "--workers"));
	assert_int_equal(parse(&cfg, NULL, "--workers", "1000", NULL), ECHO_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, NULL, "--max-conns", "-1", NULL), ECHO_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, NULL, "--drain-timeout", "soon", NULL), ECHO_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, NULL, "--drain-timeout", "1.", NULL), ECHO_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, NULL, "--header-timeout", "0", NULL), ECHO_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, NULL, "--name", "", NULL), ECHO_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, NULL, "--bogus", NULL), ECHO_CONFIG_ERROR);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(parse(&cfg, NULL, "-x", NULL), ECHO_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, NULL, "--listen", NULL), ECHO_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, NULL, "stray", NULL), ECHO_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, badbool, NULL), ECHO_CONFIG_ERROR);
	assert_non_null(strstr(err, "CLIENTIP_ECHO_UNMAP"));
	assert_int_equal(parse(&cfg, badtrust, NULL), ECHO_CONFIG_ERROR);
	assert_non_null(strstr(err, "nonsense"));
}

static void test_help_and_version(void **state)
{
	struct echo_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, NULL, "--help", NULL), ECHO_CONFIG_EXIT);
	assert_int_equal(parse(&cfg, NULL, "-V", NULL), ECHO_CONFIG_EXIT);
	/* Parsing twice in one process works (getopt is reset). */
	assert_int_equal(parse(&cfg, NULL, "-w", "3", NULL), ECHO_CONFIG_RUN);
	assert_int_equal(cfg.workers, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_proxy_protocol_everywhere),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_port_variable),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help_and_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
