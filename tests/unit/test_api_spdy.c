/* Unit tests for apiserver/api_spdy.c: frames made by one session parsed
 * by another (the two directions of a connection), input that arrives in
 * pieces, and malformed frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <zlib.h>

#include "api_spdy.h"

struct pair {
	struct api_spdy *client, *server;
};

static int setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->client = api_spdy_new();
	p->server = api_spdy_new();
	assert_non_null(p->client);
	assert_non_null(p->server);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	api_spdy_free(p->client);
	api_spdy_free(p->server);
	free(p);
	return 0;
}

/* Parses one whole frame that must take all of b. */
static void parse_all(struct api_spdy *sp, const struct buf *b, struct api_spdy_frame *f)
{
	char err[160] = "";
	long n = api_spdy_parse(sp, b->data, b->len, f, err, sizeof(err));

	if (n != (long)b->len)
		fail_msg("parse: %ld of %zu bytes: %s", n, b->len, err);
}

static void test_syn_stream_round_trip(void **state)
{
	struct pair *p = *state;
	static const char *const err_hdrs[] = { "streamtype", "error", NULL };
	static const char *const in_hdrs[] = { "streamtype", "stdin", "x-extra", "one", NULL };
	struct buf b = BUF_INIT;
	struct api_spdy_frame f;
	char v[32];

	/* Two frames on one session: the second block is compressed against
	 * the first's history, so the parser must keep its zlib stream. */
	for (int i = 0; i < 2; i++) {
		buf_reset(&b);
		assert_int_equal(api_spdy_syn_stream(p->client, &b, 1 + 2 * (uint32_t)i, 0,
						     i ? in_hdrs : err_hdrs), 0);
		/* Control bit, version 3, type 1. */
		assert_int_equal((unsigned char)b.data[0], 0x80);
		assert_int_equal(b.data[1], 3);
		assert_int_equal(b.data[3], 1);
		parse_all(p->server, &b, &f);
		assert_int_equal(f.type, API_SPDY_SYN_STREAM);
		assert_int_equal(f.stream, 1 + 2 * i);
		assert_int_equal(f.flags, 0);
		assert_non_null(api_spdy_header(f.headers, f.headers_len, "streamtype", v,
						sizeof(v)));
		assert_string_equal(v, i ? "stdin" : "error");
		if (i) {
			assert_string_equal(api_spdy_header(f.headers, f.headers_len, "x-extra", v,
							    sizeof(v)), "one");
		}
		assert_null(api_spdy_header(f.headers, f.headers_len, "streamtyp", v,
					    sizeof(v)));
	}
	buf_free(&b);
}

static void test_syn_reply_empty_headers(void **state)
{
	struct pair *p = *state;
	struct buf b = BUF_INIT;
	struct api_spdy_frame f;
	char v[8];

	assert_int_equal(api_spdy_syn_reply(p->server, &b, 5, API_SPDY_FLAG_FIN, NULL), 0);
	parse_all(p->client, &b, &f);
	assert_int_equal(f.type, API_SPDY_SYN_REPLY);
	assert_int_equal(f.stream, 5);
	assert_int_equal(f.flags, API_SPDY_FLAG_FIN);
	assert_int_equal(f.headers_len, 4);
	assert_null(api_spdy_header(f.headers, f.headers_len, "streamtype", v, sizeof(v)));
	buf_free(&b);
}

static void test_data_and_pieces(void **state)
{
	struct pair *p = *state;
	struct buf b = BUF_INIT;
	struct api_spdy_frame f;
	char err[160];

	api_spdy_data(&b, 7, API_SPDY_FLAG_FIN, "hello", 5);
	assert_int_equal(b.len, 13);
	/* Every proper prefix is incomplete, not an error. */
	for (size_t i = 0; i < b.len; i++)
		assert_int_equal(api_spdy_parse(p->server, b.data, i, &f, err, sizeof(err)), 0);
	parse_all(p->server, &b, &f);
	assert_int_equal(f.type, API_SPDY_DATA);
	assert_int_equal(f.stream, 7);
	assert_int_equal(f.flags, API_SPDY_FLAG_FIN);
	assert_int_equal(f.len, 5);
	assert_memory_equal(f.data, "hello", 5);

	/* Two frames back to back: the first is taken alone. */
	buf_reset(&b);
	api_spdy_data(&b, 1, 0, NULL, 0);
	api_spdy_ping(&b, 9);
	assert_int_equal(api_spdy_parse(p->server, b.data, b.len, &f, err, sizeof(err)), 8);
	assert_int_equal(f.len, 0);
	assert_int_equal(api_spdy_parse(p->server, b.data + 8, b.len - 8, &f, err, sizeof(err)),
			 12);
	assert_int_equal(f.type, API_SPDY_PING);
	assert_int_equal(f.stream, 9);
	buf_free(&b);
}

static void test_control_frames(void **state)
{
	struct pair *p = *state;
	struct buf b = BUF_INIT;
	struct api_spdy_frame f;

	api_spdy_rst_stream(&b, 3, API_SPDY_REFUSED_STREAM);
	parse_all(p->server, &b, &f);
	assert_int_equal(f.type, API_SPDY_RST_STREAM);
	assert_int_equal(f.stream, 3);
	assert_int_equal(f.value, API_SPDY_REFUSED_STREAM);

	buf_reset(&b);
	api_spdy_goaway(&b, 11, 0);
	parse_all(p->server, &b, &f);
	assert_int_equal(f.type, API_SPDY_GOAWAY);
	assert_int_equal(f.stream, 11);
	assert_int_equal(f.value, 0);

	buf_reset(&b);
	api_spdy_window_update(&b, 1, 65536);
	parse_all(p->server, &b, &f);
	assert_int_equal(f.type, API_SPDY_WINDOW_UPDATE);
	assert_int_equal(f.value, 65536);

	/* SETTINGS (one entry) is returned unread. */
	buf_reset(&b);
	buf_append(&b, "\x80\x03\x00\x04\x00\x00\x00\x0c\x00\x00\x00\x01"
		       "\x00\x00\x00\x07\x00\x01\x00\x00", 20);
	parse_all(p->server, &b, &f);
	assert_int_equal(f.type, API_SPDY_SETTINGS);
	buf_free(&b);
}

static void expect_error(struct api_spdy *sp, const void *frame, size_t len, const char *msg)
{
	struct api_spdy_frame f;
	char err[160] = "";

	assert_int_equal(api_spdy_parse(sp, frame, len, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, msg));
}

static void test_malformed(void **state)
{
	struct pair *p = *state;

	/* SPDY/2. */
	expect_error(p->server, "\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01", 12,
		     "version 2");
	/* A length over the limit is refused before it arrives. */
	expect_error(p->server, "\x00\x00\x00\x01\x00\xff\xff\xff", 8, "over");
	/* RST_STREAM too short. */
	expect_error(p->server, "\x80\x03\x00\x03\x00\x00\x00\x04\x00\x00\x00\x01", 12,
		     "under");
	/* SYN_STREAM on stream 0. */
	expect_error(p->server, "\x80\x03\x00\x01\x00\x00\x00\x0c\x00\x00\x00\x00"
				"\x00\x00\x00\x00\x00\x00\x78\xbb", 20, "stream 0");
}

static void test_not_zlib(void **state)
{
	struct pair *p = *state;

	/* SYN_STREAM whose block is not a zlib stream. */
	expect_error(p->server, "\x80\x03\x00\x01\x00\x00\x00\x0e\x00\x00\x00\x01"
				"\x00\x00\x00\x00\x00\x00garb", 22, "zlib");
}

/* A block compressed with the right dictionary that does not parse: the
 * lengths run past its end. */
static void test_bad_block(void **state)
{
	struct pair *p = *state;
	struct api_spdy *ref = api_spdy_new();
	struct buf good = BUF_INIT, bad = BUF_INIT;
	static const char *const hdrs[] = { "streamtype", "error", NULL };
	unsigned char raw[] = { 0, 0, 0, 1, 0, 0, 0, 200, 'a' };
	unsigned char z[256];
	uLong dictid;
	z_stream zs;

	/* The dictionary id from a frame of ours, to prime the same
	 * dictionary in a plain zlib stream: compress via api_spdy first. */
	assert_int_equal(api_spdy_syn_stream(ref, &good, 1, 0, hdrs), 0);
	dictid = (uLong)(unsigned char)good.data[20] << 24 |
		 (uLong)(unsigned char)good.data[21] << 16 |
		 (uLong)(unsigned char)good.data[22] << 8 | (unsigned char)good.data[23];
	/* The zlib header says a preset dictionary follows (FDICT). */
	assert_true((unsigned char)good.data[19] & 0x20);
	assert_true(dictid != 0);

	/* A fresh stream of ours that never saw the dictionary fails on the
	 * raw deflate of another dictionary id. */
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit(&zs, Z_DEFAULT_COMPRESSION), Z_OK);
	zs.next_in = raw;
	zs.avail_in = sizeof(raw);
	zs.next_out = z;
	zs.avail_out = sizeof(z);
	assert_int_equal(deflate(&zs, Z_SYNC_FLUSH), Z_OK);
	buf_append(&bad, "\x80\x03\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00"
			 "\x00\x00", 18);
	buf_append(&bad, z, sizeof(z) - zs.avail_out);
	bad.data[7] = (char)(bad.len - 8);
	deflateEnd(&zs);
	expect_error(p->server, bad.data, bad.len, "malformed name/value block");
	api_spdy_free(ref);
	buf_free(&good);
	buf_free(&bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_syn_stream_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_reply_empty_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_and_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_zlib, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_block, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
