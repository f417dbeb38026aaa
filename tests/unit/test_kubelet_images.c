/* Unit tests for agent/images.c: the image table's word splitting,
 * reference normalisation, file format, precedence and command/args
 * composition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "images.h"

static char words[MODEL_MAX_ARGS][MODEL_ARG_MAX];

static int split(const char *line, char *err, size_t errlen)
{
	return images_split(line, words, MODEL_MAX_ARGS, err, errlen);
}

static void test_split_blanks_and_comments(void **state)
{
	char err[128];

	(void)state;
	assert_int_equal(split("  a\tb   c  ", err, sizeof(err)), 3);
	assert_string_equal(words[0], "a");
	assert_string_equal(words[1], "b");
	assert_string_equal(words[2], "c");
	assert_int_equal(split("", err, sizeof(err)), 0);
	assert_int_equal(split("   # only a comment", err, sizeof(err)), 0);
	assert_int_equal(split("x # trailing comment 'unterminated", err, sizeof(err)), 1);
	/* '#' inside a word is an ordinary character, as in sh. */
	assert_int_equal(split("a#b c", err, sizeof(err)), 2);
	assert_string_equal(words[0], "a#b");
}

static void test_split_quotes(void **state)
{
	char err[128];

	(void)state;
	assert_int_equal(split("nginx /usr/sbin/nginx -g 'daemon off;'", err, sizeof(err)), 4);
	assert_string_equal(words[3], "daemon off;");
	assert_int_equal(split("\"a \\\"b\\\" \\$HOME \\n\" 'it''s' \"\"", err, sizeof(err)), 3);
	assert_string_equal(words[0], "a \"b\" $HOME \\n");
	assert_string_equal(words[1], "its");
	assert_string_equal(words[2], "");
	/* Quotes join with what touches them; backslash escapes one char. */
	assert_int_equal(split("--x='1 2'3 a\\ b \\'", err, sizeof(err)), 3);
	assert_string_equal(words[0], "--x=1 23");
	assert_string_equal(words[1], "a b");
	assert_string_equal(words[2], "'");
	/* No expansion of any kind. */
	assert_int_equal(split("$HOME * ~ $(x)", err, sizeof(err)), 4);
	assert_string_equal(words[0], "$HOME");
	assert_string_equal(words[3], "$(x)");
}

static void test_split_errors(void **state)
{
	char err[128], longword[400];

	(void)state;
	assert_int_equal(split("a 'b", err, sizeof(err)), -1);
	assert_string_equal(err, "unterminated single quote");
	assert_int_equal(split("a \"b\\\"", err, sizeof(err)), -1);
	assert_string_equal(err, "unterminated double quote");
	assert_int_equal(split("a \\", err, sizeof(err)), -1);
	memset(longword, 'x', sizeof(longword) - 1);
	longword[sizeof(longword) - 1] = '\0';
	assert_int_equal(split(longword, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
	assert_int_equal(images_split("a b c", words, 2, err, sizeof(err)), -1);
	assert_string_equal(err, "more than 2 words");
}

static void norm(const char *ref, const char *name, const char *tag)
{
	char n[MODEL_IMAGE_MAX], t[IMAGES_TAG_MAX], err[256];

	assert_int_equal(images_normalize(ref, n, t, err, sizeof(err)), 0);
	assert_string_equal(n, name);
	assert_string_equal(t, tag);
}

static void test_normalize(void **state)
{
	char n[MODEL_IMAGE_MAX], t[IMAGES_TAG_MAX], err[256];

	(void)state;
	norm("nginx", "nginx", "latest");
	norm("nginx:1.25", "nginx", "1.25");
	norm("docker.io/library/nginx:1.25", "nginx", "1.25");
	norm("library/nginx", "nginx", "latest");
	norm("docker.io/nfranssens/nodejs-ip", "nfranssens/nodejs-ip", "latest");
	norm("registry.example.com:5000/team/app", "registry.example.com:5000/team/app", "latest");
	norm("registry.example.com:5000/team/app:v2", "registry.example.com:5000/team/app", "v2");
	norm("app@sha256:abcd", "app", "@sha256:abcd");
	norm("app:v1@sha256:abcd", "app", "@sha256:abcd");
	assert_int_equal(images_normalize("", n, t, err, sizeof(err)), -1);
	assert_int_equal(images_normalize("nginx:", n, t, err, sizeof(err)), -1);
	assert_int_equal(images_normalize("docker.io/", n, t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid image reference"));
}

static void test_builtins(void **state)
{
	struct images_table t = { 0 };
	const struct images_entry *e;

	(void)state;
	assert_int_equal(images_add_builtins(&t, "/opt/cip/bin"), 0);
	e = images_lookup(&t, "nfranssens/nodejs-ip");
	assert_non_null(e);
	assert_int_equal(e->argc, 1);
	assert_string_equal(e->argv[0], "/opt/cip/bin/clientip-echo");
	assert_int_equal(e->source, IMAGES_BUILTIN);
	assert_non_null(images_lookup(&t, "docker.io/nfranssens/nodejs-ip:v3"));
	e = images_lookup(&t, "clientip/clientip-echo:0.1.0");
	assert_non_null(e);
	assert_string_equal(e->argv[0], "/opt/cip/bin/clientip-echo");
	assert_null(images_lookup(&t, "nginx"));
	assert_null(images_lookup(&t, "nfranssens/other"));
	images_table_free(&t);
}

static void test_parse_file(void **state)
{
	static const char text[] =
		"# web servers\n"
		"\n"
		"nginx            /usr/sbin/nginx -g 'daemon off;' -c \"{bindir}/../nginx.conf\"\n"
		"nginx:1.25       /opt/nginx-1.25/sbin/nginx -g 'daemon off;'\n"
		"   busybox:*     /bin/busybox httpd -f -p 8080   # trailing comment\n"
		"echo:{bindir}x   {bindir}/clientip-echo --listen [::]:9090\n";
	struct images_table t = { 0 };
	const struct images_entry *e;
	char err[256];

	(void)state;
	assert_int_equal(images_parse(&t, text, "images.conf", IMAGES_SYSTEM, "/b", err, sizeof(err)), 0);
	assert_int_equal(t.n, 4);
	e = images_lookup(&t, "nginx:1.24");
	assert_non_null(e);
	assert_int_equal(e->argc, 5);
	assert_string_equal(e->argv[0], "/usr/sbin/nginx");
	assert_string_equal(e->argv[2], "daemon off;");
	assert_string_equal(e->argv[4], "/b/../nginx.conf");
	assert_string_equal(e->origin, "images.conf:3");
	/* An exact tag beats the wildcard whatever the line order. */
	e = images_lookup(&t, "docker.io/library/nginx:1.25");
	assert_non_null(e);
	assert_string_equal(e->argv[0], "/opt/nginx-1.25/sbin/nginx");
	e = images_lookup(&t, "busybox:1.36");
	assert_non_null(e);
	assert_int_equal(e->argc, 5);
	assert_string_equal(e->argv[4], "8080");
	/* {bindir} is replaced in commands, never in the image key. */
	e = images_lookup(&t, "echo:{bindir}x");
	assert_non_null(e);
	assert_string_equal(e->argv[0], "/b/clientip-echo");
	images_table_free(&t);
}

static void test_parse_bad_lines(void **state)
{
	static const char text[] =
		"good /bin/true\n"
		"lonely\n"
		"broken /bin/sh -c 'oops\n"
		"also-good /bin/false\n";
	struct images_table t = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(images_parse(&t, text, "x.conf", IMAGES_USER, "/b", err, sizeof(err)), 2);
	assert_string_equal(err, "x.conf:2: image lonely has no command");
	assert_int_equal(t.n, 2);
	assert_non_null(images_lookup(&t, "good"));
	assert_non_null(images_lookup(&t, "also-good"));
	assert_null(images_lookup(&t, "broken"));
	images_table_free(&t);
}

static void test_precedence(void **state)
{
	struct images_table t = { 0 };
	const struct images_entry *e;
	char err[256];

	(void)state;
	assert_int_equal(images_add_builtins(&t, "/b"), 0);
	assert_int_equal(images_parse(&t, "nfranssens/nodejs-ip /sys/node\napp:1 /sys/app1\n"
				      "app /sys/app\ndup /first\ndup /second\n", "sys",
				      IMAGES_SYSTEM, "/b", err, sizeof(err)), 0);
	assert_int_equal(images_parse(&t, "app /user/app\n", "user", IMAGES_USER, "/b", err,
				      sizeof(err)), 0);
	/* A system entry overrides a built-in. */
	e = images_lookup(&t, "nfranssens/nodejs-ip:latest");
	assert_string_equal(e->argv[0], "/sys/node");
	/* The user's wildcard beats the system's exact tag: a higher source wins. */
	e = images_lookup(&t, "app:1");
	assert_string_equal(e->argv[0], "/user/app");
	/* Within one source, the later line wins. */
	e = images_lookup(&t, "dup");
	assert_string_equal(e->argv[0], "/second");
	images_table_free(&t);
}

static void test_load_files(void **state)
{
	char sys[] = "/tmp/test_kubelet_images_sys.XXXXXX";
	char user[] = "/tmp/test_kubelet_images_user.XXXXXX";
	struct images_table t = { 0 };
	char err[320];
	int fd;

	(void)state;
	fd = mkstemp(sys);
	assert_true(fd >= 0);
	assert_true(write(fd, "web /sys/web\nbad\n", 17) == 17);
	close(fd);
	fd = mkstemp(user);
	assert_true(fd >= 0);
	assert_true(write(fd, "web /user/web\n", 14) == 14);
	close(fd);
	assert_int_equal(images_load(&t, "/b", sys, user, err, sizeof(err)), 1);
	assert_non_null(strstr(err, ":2: image bad has no command"));
	assert_string_equal(images_lookup(&t, "web")->argv[0], "/user/web");
	assert_non_null(images_lookup(&t, "nfranssens/nodejs-ip"));
	images_table_free(&t);
	/* A missing system file is normal; a missing named user file is not. */
	unsetenv(IMAGES_ENV);
	assert_int_equal(images_load(&t, "/b", "/nonexistent/images.conf", NULL, err,
				     sizeof(err)), 0);
	assert_int_equal(t.n, 2);
	images_table_free(&t);
	assert_int_equal(images_load(&t, "/b", sys, "/nonexistent/user.conf", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "/nonexistent/user.conf: No such file"));
	images_table_free(&t);
	unlink(sys);
	unlink(user);
}

#ifdef KUBELET_SOURCE_ROOT
/* The example file shipped in deploy/ parses cleanly and means what its
 * comments say. */
static void test_example_file(void **state)
{
	struct images_table t = { 0 };
	const struct images_entry *e;
	char err[320];

	(void)state;
	assert_int_equal(images_load(&t, "/b", "/nonexistent",
				     KUBELET_SOURCE_ROOT "/deploy/images.conf.example", err,
				     sizeof(err)), 0);
	e = images_lookup(&t, "nginx:1.25");
	assert_non_null(e);
	assert_int_equal(e->argc, 3);
	assert_string_equal(e->argv[0], "/usr/sbin/nginx");
	assert_string_equal(e->argv[2], "daemon off;");
	assert_non_null(images_lookup(&t, "busybox"));
	assert_string_equal(images_lookup(&t, "nfranssens/nodejs-ip")->argv[0], "/b/clientip-echo");
	images_table_free(&t);
}
#endif

static void entry(struct images_entry *e, int argc, ...)
{
	va_list ap;

	memset(e, 0, sizeof(*e));
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		snprintf(e->argv[i], MODEL_ARG_MAX, "%s", va_arg(ap, const char *));
	va_end(ap);
	e->argc = argc;
}

static char argv[MODEL_MAX_ARGS][MODEL_ARG_MAX];
static struct model_container c;

static void test_compose_rules(void **state)
{
	struct images_entry e;
	char err[256];

	(void)state;
	entry(&e, 3, "/usr/sbin/nginx", "-g", "daemon off;");
	memset(&c, 0, sizeof(c));
	/* Neither: the image's entrypoint and arguments. */
	assert_int_equal(images_compose(&e, &c, argv, MODEL_MAX_ARGS, err, sizeof(err)), 3);
	assert_string_equal(argv[0], "/usr/sbin/nginx");
	assert_string_equal(argv[2], "daemon off;");
	/* args only: they replace the image's arguments. */
	snprintf(c.args[0], MODEL_ARG_MAX, "-c");
	snprintf(c.args[1], MODEL_ARG_MAX, "/etc/x.conf");
	c.n_args = 2;
	assert_int_equal(images_compose(&e, &c, argv, MODEL_MAX_ARGS, err, sizeof(err)), 3);
	assert_string_equal(argv[0], "/usr/sbin/nginx");
	assert_string_equal(argv[1], "-c");
	assert_string_equal(argv[2], "/etc/x.conf");
	/* both: command then args. */
	snprintf(c.command[0], MODEL_ARG_MAX, "/bin/sh");
	c.n_command = 1;
	assert_int_equal(images_compose(&e, &c, argv, MODEL_MAX_ARGS, err, sizeof(err)), 3);
	assert_string_equal(argv[0], "/bin/sh");
	assert_string_equal(argv[1], "-c");
	/* command only: the image's arguments are dropped too. */
	c.n_args = 0;
	assert_int_equal(images_compose(&e, &c, argv, MODEL_MAX_ARGS, err, sizeof(err)), 1);
	assert_string_equal(argv[0], "/bin/sh");
	/* Too many for the caller's array. */
	c.n_command = 0;
	assert_int_equal(images_compose(&e, &c, argv, 2, err, sizeof(err)), -1);
	assert_string_equal(err, "more than 2 arguments");
}

static void test_compose_expands_env(void **state)
{
	struct images_entry e;
	char err[256];

	(void)state;
	entry(&e, 2, "/bin/app", "$(PORT)");
	memset(&c, 0, sizeof(c));
	snprintf(c.env[0].name, sizeof(c.env[0].name), "PORT");
	snprintf(c.env[0].value, sizeof(c.env[0].value), "8081");
	c.n_env = 1;
	/* The image's own arguments are not expanded, the container's are. */
	assert_int_equal(images_compose(&e, &c, argv, MODEL_MAX_ARGS, err, sizeof(err)), 2);
	assert_string_equal(argv[1], "$(PORT)");
	snprintf(c.args[0], MODEL_ARG_MAX, "--listen=[::]:$(PORT)");
	snprintf(c.args[1], MODEL_ARG_MAX, "$(UNSET) $$(PORT) $$ $ $(");
	c.n_args = 2;
	assert_int_equal(images_compose(&e, &c, argv, MODEL_MAX_ARGS, err, sizeof(err)), 3);
	assert_string_equal(argv[1], "--listen=[::]:8081");
	assert_string_equal(argv[2], "$(UNSET) $(PORT) $ $ $(");
}

static void test_expand_overflow(void **state)
{
	struct model_env env = { "X", "0123456789" };
	char out[8];

	(void)state;
	assert_int_equal(images_expand("$(X)", &env, 1, out, sizeof(out)), -1);
	assert_int_equal(images_expand("ab$(X", &env, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "ab$(X");
	assert_int_equal(images_expand("", &env, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_blanks_and_comments),
		cmocka_unit_test(test_split_quotes),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_parse_bad_lines),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_load_files),
#ifdef KUBELET_SOURCE_ROOT
		cmocka_unit_test(test_example_file),
#endif
		cmocka_unit_test(test_compose_rules),
		cmocka_unit_test(test_compose_expands_env),
		cmocka_unit_test(test_expand_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
