/* cmd_load.c — `clientip load URL`: load from an internet client of the lab
 * that counts every connection (cli/loadgen.h says what is counted). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "duration.h"
#include "jsonw.h"
#include "loadgen.h"
#include "log.h"
#include "netns.h"

static void load_usage(FILE *out)
{
	fprintf(out,
		"usage: clientip [--lab NAME] load [--from CLIENT] [--duration 10s] [--rate 20]\n"
		"                [--timeout 2s] [--keepalive N] [--keepalive-interval 100ms]\n"
		"                [-o json] URL\n"
		"\n"
		"Opens new connections to URL at --rate per second for --duration, one request\n"
		"each, from an internet client of the lab (default client0), while --keepalive\n"
		"connections send a request every --keepalive-interval. Every connection is\n"
		"accounted for: answered, refused, reset, or timed out (no complete answer\n"
		"within --timeout: a blackhole). Prints the counts, the longest stretch\n"
		"without an answered new connection, the failures per second and the answers\n"
		"(clientip-echo answers the client address it sees).\n"
		"\n"
		"Exit status: 0 when every connection was answered and no keep-alive\n"
		"connection was lost, 1 otherwise, 2 for bad usage.\n"
		"\n"
		"Example, while `clientip rollout restart deployment/node-deployment` runs:\n"
		"  clientip load http://203.0.113.10/ --duration 20s --rate 20 --keepalive 8\n");
}

static void load_print_json(const struct loadgen_config *c, const struct loadgen_result *r,
			    const char *from, const char *url)
{
	struct buf b = BUF_INIT;
	struct jsonw w;

	jsonw_init(&w, &b, true);
	jsonw_begin_object(&w);
	jsonw_key(&w, "url"); jsonw_str(&w, url);
	jsonw_key(&w, "from"); jsonw_str(&w, from);
	jsonw_key(&w, "durationMs"); jsonw_int(&w, (int64_t)(c->duration_ms));
	jsonw_key(&w, "rate"); jsonw_double(&w, c->rate);
	jsonw_key(&w, "timeoutMs"); jsonw_int(&w, (int64_t)(c->timeout_ms));
	jsonw_key(&w, "new");
	jsonw_begin_object(&w);
	jsonw_key(&w, "sent"); jsonw_int(&w, (int64_t)(r->sent));
	jsonw_key(&w, "answered"); jsonw_int(&w, (int64_t)(r->answered));
	jsonw_key(&w, "failed"); jsonw_int(&w, (int64_t)(loadgen_failed(r)));
	jsonw_key(&w, "refused"); jsonw_int(&w, (int64_t)(r->refused));
	jsonw_key(&w, "reset"); jsonw_int(&w, (int64_t)(r->reset));
	jsonw_key(&w, "timedOut"); jsonw_int(&w, (int64_t)(r->timed_out));
	jsonw_key(&w, "non2xx"); jsonw_int(&w, (int64_t)(r->non_2xx));
	jsonw_key(&w, "longestGapMs"); jsonw_int(&w, (int64_t)(r->longest_gap_ms));
	jsonw_key(&w, "failedPerSecond");
	jsonw_begin_array(&w);
	for (int s = 0; s < r->seconds; s++)
		jsonw_int(&w, (int64_t)(r->failed_per_s[s]));
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	jsonw_key(&w, "keepalive");
	jsonw_begin_object(&w);
	jsonw_key(&w, "opened"); jsonw_int(&w, r->ka_opened);
	jsonw_key(&w, "dropped"); jsonw_int(&w, r->ka_dropped);
	jsonw_key(&w, "reopened"); jsonw_int(&w, (int64_t)(r->ka_reopened));
	jsonw_key(&w, "requests"); jsonw_int(&w, (int64_t)(r->ka_requests));
	jsonw_key(&w, "answered"); jsonw_int(&w, (int64_t)(r->ka_answered));
	jsonw_end_object(&w);
	jsonw_key(&w, "answers");
	jsonw_begin_object(&w);
	for (int i = 0; i < r->n_answers; i++) {
		jsonw_key(&w, r->answers[i].text);
		jsonw_int(&w, (int64_t)(r->answers[i].count));
	}
	jsonw_end_object(&w);
	jsonw_end_object(&w);
	fwrite(b.data, 1, b.len, stdout);
	fputc('\n', stdout);
	buf_free(&b);
}

static void load_print_text(const struct loadgen_config *c, const struct loadgen_result *r,
			    const char *from, const char *url)
{
	bool any = false;

	printf("Load on %s from %s: %.1f s", url, from, (double)c->duration_ms / 1000);
	if (c->rate > 0)
		printf(", %g new connections/s", c->rate);
	if (c->keepalive > 0)
		printf(", %d keep-alive connections", c->keepalive);
	printf(", timeout %.1f s\n\n", (double)c->timeout_ms / 1000);
	if (c->rate > 0) {
		printf("New connections:  %llu sent, %llu answered, %llu failed (%llu refused, "
		       "%llu reset, %llu timed out)",
		       (unsigned long long)r->sent, (unsigned long long)r->answered,
		       (unsigned long long)loadgen_failed(r), (unsigned long long)r->refused,
		       (unsigned long long)r->reset, (unsigned long long)r->timed_out);
		if (r->non_2xx)
			printf(", %llu answered with a non-2xx status",
			       (unsigned long long)r->non_2xx);
		printf("\nLongest gap:      %.2f s without an answered new connection\n",
		       (double)r->longest_gap_ms / 1000);
	}
	if (c->keepalive > 0)
		printf("Keep-alive:       %d opened, %d dropped, %llu reopened after the server "
		       "closed them; %llu requests, %llu answered\n",
		       r->ka_opened, r->ka_dropped, (unsigned long long)r->ka_reopened,
		       (unsigned long long)r->ka_requests, (unsigned long long)r->ka_answered);
	for (int s = 0; s < r->seconds; s++)
		any = any || r->failed_per_s[s] > 0;
	if (any) {
		printf("Failed per second (by start):");
		for (int s = 0; s < r->seconds; s++)
			printf(" %llu", (unsigned long long)r->failed_per_s[s]);
		printf("\n");
	}
	if (r->n_answers > 0) {
		printf("\nANSWER                                   COUNT\n");
		for (int i = 0; i < r->n_answers; i++)
			printf("%-40s %6llu\n", r->answers[i].text[0] ? r->answers[i].text : "(empty)",
			       (unsigned long long)r->answers[i].count);
		if (r->other_answers)
			printf("%-40s %6llu\n", "(others)", (unsigned long long)r->other_answers);
	}
}

int cmd_load(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "keepalive", required_argument, NULL, 'k' },
		{ "keepalive-interval", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct loadgen_config c = {
		.duration_ms = 10000, .rate = 20, .timeout_ms = 2000, .keepalive_interval_ms = 100,
	};
	struct loadgen_result r;
	const char *from = "client0", *output = NULL;
	char netns[256], err[512], *end;
	int opt, fd, rc;
	int64_t ms;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': from = optarg; break;
		case 'd': case 't': case 'i':
			/* "10s", "500ms", "1m30s"; a bare number is seconds. */
			ms = duration_parse_or_number_ms(optarg, 1000);
			if (ms <= 0 || ms > 24 * 3600 * 1000LL) {
				log_error("--%s %s: give a duration like 10s or 500ms",
					  opt == 'd' ? "duration" : opt == 't' ? "timeout"
						     : "keepalive-interval", optarg);
				return 2;
			}
			if (opt == 'd')
				c.duration_ms = (uint64_t)ms;
			else if (opt == 't')
				c.timeout_ms = (uint64_t)ms;
			else
				c.keepalive_interval_ms = (uint64_t)ms;
			break;
		case 'r':
			c.rate = strtod(optarg, &end);
			if (end == optarg || *end || c.rate < 0 || c.rate > 10000) {
				log_error("--rate %s: new connections per second, 0 to 10000", optarg);
				return 2;
			}
			break;
		case 'k':
			c.keepalive = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end || c.keepalive < 0 || c.keepalive > 1000) {
				log_error("--keepalive %s: a number of connections, 0 to 1000", optarg);
				return 2;
			}
			break;
		case 'o':
			output = optarg;
			if (strcmp(output, "json") != 0) {
				log_error("-o %s: only json", output);
				return 2;
			}
			break;
		case 'h': load_usage(stdout); return 0;
		default: load_usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		load_usage(stderr);
		return 2;
	}
	if (c.rate == 0 && c.keepalive == 0) {
		log_error("nothing to send: --rate 0 and no --keepalive connections");
		return 2;
	}
	if (loadgen_parse_url(argv[optind], &c, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 2;
	}
	if (lab_client_index(from) < 0) {
		log_error("--from %s: load comes from an internet client (client0, client1, ...)",
			  from);
		return 2;
	}
	/* The load starts where a user's would: in a client of the lab, never
	 * in the host's namespace. */
	lab_netns_name(cli->lab, from, netns, sizeof(netns));
	fd = netns_open(netns);
	if (fd < 0) {
		log_error("%s: %s (is lab %s up, with that client?)", netns, strerror(-fd), cli->lab);
		return 1;
	}
	rc = netns_enter(fd);
	close(fd);
	if (rc < 0) {
		log_error("enter %s: %s", netns, strerror(-rc));
		return 1;
	}
	if (loadgen_run(&c, &r, err, sizeof(err)) < 0) {
		log_error("load: %s", err);
		return 1;
	}
	if (output)
		load_print_json(&c, &r, from, argv[optind]);
	else
		load_print_text(&c, &r, from, argv[optind]);
	rc = loadgen_failed(&r) == 0 && r.ka_dropped == 0 ? 0 : 1;
	loadgen_result_free(&r);
	return rc;
}
