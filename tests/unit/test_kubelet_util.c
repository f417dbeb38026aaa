/* Unit tests for agent/kubelet_util.c: back-off schedule, readiness
 * thresholds and ports, the termination window after a preStop hook and
 * the hook's HTTP request, container environment, executable lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kubelet_int.h"

static void test_backoff_base(void **state)
{
	(void)state;
	assert_int_equal(kl_backoff_base(NULL), 10000);
	assert_int_equal(kl_backoff_base(""), 10000);
	assert_int_equal(kl_backoff_base("250"), 250);
	assert_int_equal(kl_backoff_base("0"), 10000);
	assert_int_equal(kl_backoff_base("-5"), 10000);
	assert_int_equal(kl_backoff_base("12ms"), 10000);
	assert_int_equal(kl_backoff_base("99999999999999999999999"), 10000);
}

static void test_backoff_delay_doubles_to_cap(void **state)
{
	static const uint64_t want[] = { 0, 10, 20, 40, 80, 160, 300, 300, 300 };

	(void)state;
	/* kubelet's 10 s .. 300 s, in seconds. */
	for (int n = 0; n < (int)(sizeof(want) / sizeof(want[0])); n++)
		assert_int_equal(kl_backoff_delay(10000, n), want[n] * 1000);
	assert_int_equal(kl_backoff_delay(10000, -1), 0);
	assert_int_equal(kl_backoff_delay(10000, 1000000), 300000);
	/* A shortened base scales the cap with it. */
	assert_int_equal(kl_backoff_delay(100, 1), 100);
	assert_int_equal(kl_backoff_delay(100, 6), 3000);
	assert_int_equal(kl_backoff_delay(100, 60), 3000);
}

static void test_backoff_next_schedule(void **state)
{
	struct kubelet_backoff b = { 0 };

	(void)state;
	/* First crash: restart at once; then 10 s, 20 s, 40 s ... */
	assert_int_equal(kl_backoff_next(&b, 10000, 500), 0);
	assert_int_equal(kl_backoff_next(&b, 10000, 500), 10000);
	assert_int_equal(kl_backoff_next(&b, 10000, 500), 20000);
	assert_int_equal(kl_backoff_next(&b, 10000, 599999), 40000);
	for (int i = 0; i < 10; i++)
		kl_backoff_next(&b, 10000, 1000);
	assert_int_equal(kl_backoff_next(&b, 10000, 1000), 300000);
	/* Ten minutes of running forgive everything. */
	assert_int_equal(kl_backoff_next(&b, 10000, 600000), 0);
	assert_int_equal(kl_backoff_next(&b, 10000, 10), 10000);
	/* The reset window scales with the base too. */
	b.crashes = 5;
	assert_int_equal(kl_backoff_next(&b, 100, 6000), 0);
}

static struct model_probe probe(int success, int failure)
{
	struct model_probe p;

	memset(&p, 0, sizeof(p));
	p.kind = MODEL_PROBE_HTTP;
	p.success_threshold = success;
	p.failure_threshold = failure;
	p.period_s = 10;
	p.timeout_s = 1;
	return p;
}

static void test_probe_defaults(void **state)
{
	struct model_probe p = probe(1, 3);
	struct kubelet_probe_state s = { 0 };

	(void)state;
	/* Not ready until the first success. */
	assert_false(kl_probe_record(&s, &p, false));
	assert_false(s.ready);
	assert_true(kl_probe_record(&s, &p, true));
	assert_true(s.ready);
	assert_false(kl_probe_record(&s, &p, true));
	/* Three failures in a row to lose it. */
	assert_false(kl_probe_record(&s, &p, false));
	assert_false(kl_probe_record(&s, &p, false));
	assert_true(s.ready);
	assert_true(kl_probe_record(&s, &p, false));
	assert_false(s.ready);
	assert_false(kl_probe_record(&s, &p, false));
	assert_true(kl_probe_record(&s, &p, true));
}

static void test_probe_thresholds_need_a_run(void **state)
{
	struct model_probe p = probe(2, 2);
	struct kubelet_probe_state s = { 0 };

	(void)state;
	assert_false(kl_probe_record(&s, &p, true));
	/* A failure in between starts the count of successes again. */
	assert_false(kl_probe_record(&s, &p, false));
	assert_false(kl_probe_record(&s, &p, true));
	assert_true(kl_probe_record(&s, &p, true));
	assert_true(s.ready);
	assert_false(kl_probe_record(&s, &p, false));
	assert_false(kl_probe_record(&s, &p, true));
	assert_false(kl_probe_record(&s, &p, false));
	assert_true(s.ready);
	assert_true(kl_probe_record(&s, &p, false));
	assert_false(s.ready);
	/* Zero thresholds behave as 1. */
	p = probe(0, 0);
	assert_true(kl_probe_record(&s, &p, true));
	assert_true(kl_probe_record(&s, &p, false));
}

static void test_probe_port(void **state)
{
	struct model_container c;
	struct model_probe p = probe(1, 3);

	(void)state;
	memset(&c, 0, sizeof(c));
	c.ports[0].port = 8080;
	snprintf(c.ports[0].name, sizeof(c.ports[0].name), "http");
	c.ports[1].port = 9090;
	snprintf(c.ports[1].name, sizeof(c.ports[1].name), "metrics");
	c.n_ports = 2;
	p.port = 8081;
	assert_int_equal(kl_probe_port(&c, &p), 8081);
	p.port = 0;
	snprintf(p.port_name, sizeof(p.port_name), "metrics");
	assert_int_equal(kl_probe_port(&c, &p), 9090);
	snprintf(p.port_name, sizeof(p.port_name), "nope");
	assert_int_equal(kl_probe_port(&c, &p), -1);
	p.port_name[0] = '\0';
	assert_int_equal(kl_probe_port(&c, &p), -1);
}

static char env[KUBELET_ENV_MAX][KUBELET_ENV_LEN];
static struct model_container c;

static void set_env(int i, const char *name, const char *value)
{
	snprintf(c.env[i].name, sizeof(c.env[i].name), "%s", name);
	snprintf(c.env[i].value, sizeof(c.env[i].value), "%s", value);
	if (c.n_env <= i)
		c.n_env = i + 1;
}

static void test_env_compose(void **state)
{
	char err[256];
	int n;

	(void)state;
	memset(&c, 0, sizeof(c));
	n = kl_env_compose(&c, "web-7d9-abcde", env, KUBELET_ENV_MAX, err, sizeof(err));
	assert_int_equal(n, 2);
	assert_string_equal(env[0], "PATH=" KUBELET_DEFAULT_PATH);
	assert_string_equal(env[1], "HOSTNAME=web-7d9-abcde");
	set_env(0, "PORT", "8081");
	set_env(1, "LISTEN", "[::]:$(PORT)");
	set_env(2, "PATH", "/opt/app/bin:$(PATH)");
	set_env(3, "PORT", "9000");
	set_env(4, "LATER", "$(NOT_YET)");
	n = kl_env_compose(&c, "p", env, KUBELET_ENV_MAX, err, sizeof(err));
	assert_int_equal(n, 5);
	/* The pod may override PATH; $(PATH) is not the default's (Kubernetes
	 * expands only the container's own earlier variables). */
	assert_string_equal(kl_env_get(env, n, "PATH"), "/opt/app/bin:$(PATH)");
	assert_string_equal(kl_env_get(env, n, "LISTEN"), "[::]:8081");
	/* A later definition replaces the value in place. */
	assert_string_equal(env[2], "PORT=9000");
	assert_string_equal(kl_env_get(env, n, "LATER"), "$(NOT_YET)");
	assert_null(kl_env_get(env, n, "POR"));
	assert_int_equal(kl_env_compose(&c, "p", env, 4, err, sizeof(err)), -1);
	set_env(5, "A=B", "x");
	assert_int_equal(kl_env_compose(&c, "p", env, KUBELET_ENV_MAX, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid environment variable name"));
}

static void test_find_exec(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(kl_find_exec("sh", "/nonexistent:/bin:/usr/bin", out, sizeof(out)), 0);
	assert_string_equal(out, "/bin/sh");
	assert_int_equal(kl_find_exec("sh", NULL, out, sizeof(out)), 0);
	assert_int_equal(kl_find_exec("/bin/sh", "/nonexistent", out, sizeof(out)), 0);
	assert_string_equal(out, "/bin/sh");
	assert_int_equal(kl_find_exec("bin/sh", "", out, sizeof(out)), 0);
	assert_string_equal(out, "/bin/sh");
	assert_int_equal(kl_find_exec("no-such-program-here", "/bin:/usr/bin", out,
				      sizeof(out)), -ENOENT);
	assert_int_equal(kl_find_exec("/etc/hostname-nope", NULL, out, sizeof(out)), -ENOENT);
	assert_int_equal(kl_find_exec("passwd", "/etc", out, sizeof(out)),
			 access("/etc/passwd", X_OK) == 0 ? 0 : -EACCES);
	assert_int_equal(kl_find_exec("", NULL, out, sizeof(out)), -ENOENT);
}

static void test_exit_describe(void **state)
{
	char buf[96];

	(void)state;
	kl_exit_describe(CLD_EXITED, 3, buf, sizeof(buf));
	assert_string_equal(buf, "exit code 3");
	kl_exit_describe(CLD_KILLED, SIGKILL, buf, sizeof(buf));
	assert_string_equal(buf, "killed by signal 9 (KILL)");
	kl_exit_describe(CLD_DUMPED, SIGSEGV, buf, sizeof(buf));
	assert_string_equal(buf, "killed by signal 11 (SEGV), core dumped");
	kl_exit_describe(0, 0, buf, sizeof(buf));
	assert_string_equal(buf, "exited");
}

static void test_term_window(void **state)
{
	(void)state;
	/* What the grace period leaves once the hook is over, counted from
	 * the start of deletion. */
	assert_int_equal(kl_term_window_ms(30, 0), 30000);
	assert_int_equal(kl_term_window_ms(30, 5000), 25000);
	assert_int_equal(kl_term_window_ms(30, 27500), 2500);
	/* Never under kubelet's 2 s, even for a hook that used it all. */
	assert_int_equal(kl_term_window_ms(30, 28001), 2000);
	assert_int_equal(kl_term_window_ms(30, 30000), 2000);
	assert_int_equal(kl_term_window_ms(30, 45000), 2000);
	assert_int_equal(kl_term_window_ms(1, 0), 2000);
	assert_int_equal(kl_term_window_ms(0, 0), 2000);
	assert_int_equal(kl_term_window_ms(-3, 0), 2000);
}

/* The whole request a hook sends: its headers, on the probe's request. */
static int hook_request(char *buf, size_t len, const struct model_hook *h)
{
	struct probe_spec ps = { .kind = PROBE_HTTP, .port = 8080, .path = h->path };
	char headers[1024];

	inet_pton(AF_INET, "10.244.1.2", &ps.addr);
	if (kl_hook_headers(headers, sizeof(headers), h, &ps.host) < 0)
		return -1;
	ps.headers = headers;
	return probe_request(buf, len, &ps);
}

static void test_hook_request(void **state)
{
	struct model_hook h;
	const char *host;
	char buf[1024];
	int n;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.kind = MODEL_HOOK_HTTP;
	snprintf(h.path, sizeof(h.path), "/drain?now=1");
	n = hook_request(buf, sizeof(buf), &h);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "GET /drain?now=1 HTTP/1.1\r\n"
				 "Host: 10.244.1.2:8080\r\n"
				 "User-Agent: kube-lifecycle/1.29\r\n"
				 "Accept: */*\r\n"
				 "Connection: close\r\n\r\n");
	/* The hook's headers follow; its own Host and User-Agent replace
	 * kubelet's (any case). */
	snprintf(h.headers[0].name, sizeof(h.headers[0].name), "X-Reason");
	snprintf(h.headers[0].value, sizeof(h.headers[0].value), "scale down");
	snprintf(h.headers[1].name, sizeof(h.headers[1].name), "host");
	snprintf(h.headers[1].value, sizeof(h.headers[1].value), "app.example");
	snprintf(h.headers[2].name, sizeof(h.headers[2].name), "User-Agent");
	snprintf(h.headers[2].value, sizeof(h.headers[2].value), "drainer");
	h.n_headers = 3;
	h.path[0] = '\0';
	n = hook_request(buf, sizeof(buf), &h);
	assert_true(n > 0);
	assert_string_equal(buf, "GET / HTTP/1.1\r\n"
				 "Host: app.example\r\n"
				 "Accept: */*\r\n"
				 "X-Reason: scale down\r\n"
				 "User-Agent: drainer\r\n"
				 "Connection: close\r\n\r\n");
	assert_int_equal(hook_request(buf, 40, &h), -1);
	assert_int_equal(kl_hook_headers(buf, 20, &h, &host), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_base),
		cmocka_unit_test(test_backoff_delay_doubles_to_cap),
		cmocka_unit_test(test_backoff_next_schedule),
		cmocka_unit_test(test_probe_defaults),
		cmocka_unit_test(test_probe_thresholds_need_a_run),
		cmocka_unit_test(test_probe_port),
		cmocka_unit_test(test_env_compose),
		cmocka_unit_test(test_find_exec),
		cmocka_unit_test(test_exit_describe),
		cmocka_unit_test(test_term_window),
		cmocka_unit_test(test_hook_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
