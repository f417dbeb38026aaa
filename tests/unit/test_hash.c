/* Unit tests for lib/hash.c: FNV-1a against the published test vectors,
 * and that hashing in pieces equals hashing at once (podnet hashes a
 * namespace, "/" and a pod name in three calls). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "hash.h"

static void test_vectors(void **state)
{
	(void)state;
	assert_int_equal(hash_fnv1a32(HASH_FNV1A32_INIT, "", 0), 0x811c9dc5u);
	assert_int_equal(hash_fnv1a32(HASH_FNV1A32_INIT, "a", 1), 0xe40c292cu);
	assert_int_equal(hash_fnv1a32(HASH_FNV1A32_INIT, "foobar", 6), 0xbf9cf968u);
	assert_true(hash_fnv1a64(HASH_FNV1A64_INIT, "", 0) == 0xcbf29ce484222325ULL);
	assert_true(hash_fnv1a64(HASH_FNV1A64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(hash_fnv1a64(HASH_FNV1A64_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
}

static void test_in_pieces(void **state)
{
	uint32_t h = HASH_FNV1A32_INIT;

	(void)state;
	h = hash_fnv1a32(h, "default", 7);
	h = hash_fnv1a32(h, "/", 1);
	h = hash_fnv1a32(h, "web-1", 5);
	assert_int_equal(h, hash_fnv1a32(HASH_FNV1A32_INIT, "default/web-1", 13));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_in_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
