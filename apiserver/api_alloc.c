/* api_alloc.c — see api_alloc.h. */
#include "api_alloc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define API_ALLOC_IPS   65536
#define API_ALLOC_PORTS (API_NODE_PORT_LAST - API_NODE_PORT_FIRST + 1)

struct api_alloc {
	uint32_t ip_refs[API_ALLOC_IPS];          /* by the address's low 16 bits */
	uint32_t port_refs[API_ALLOC_PORTS];      /* by port - API_NODE_PORT_FIRST */
	uint64_t ip_bits[API_ALLOC_IPS / 64];     /* set: refs > 0 */
	uint64_t port_bits[(API_ALLOC_PORTS + 63) / 64];
	json_t *held;                             /* key -> [ip or 0, port, ...] */
};

struct api_alloc *api_alloc_new(void)
{
	struct api_alloc *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->held = json_object();
	if (!a->held) {
		free(a);
		return NULL;
	}
	return a;
}

void api_alloc_free(struct api_alloc *a)
{
	if (!a)
		return;
	json_decref(a->held);
	free(a);
}

static void api_alloc_count(uint32_t *refs, uint64_t *bits, size_t i, int delta)
{
	if (delta < 0 && refs[i] == 0)
		return;
	refs[i] += (uint32_t)delta;
	if (refs[i])
		bits[i / 64] |= 1ull << (i % 64);
	else
		bits[i / 64] &= ~(1ull << (i % 64));
}

static bool api_alloc_port_in_range(json_int_t p)
{
	return p >= API_NODE_PORT_FIRST && p <= API_NODE_PORT_LAST;
}

/* Counts (delta +1) or releases (-1) what a held list names. */
static void api_alloc_apply(struct api_alloc *a, const json_t *list, int delta)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		json_int_t n = json_integer_value(v);

		if (i == 0) {
			if (n)
				api_alloc_count(a->ip_refs, a->ip_bits, (size_t)n & 0xffff, delta);
		} else if (api_alloc_port_in_range(n)) {
			api_alloc_count(a->port_refs, a->port_bits,
					(size_t)(n - API_NODE_PORT_FIRST), delta);
		}
	}
}

static void api_alloc_add_port(json_t *list, const json_t *v)
{
	if (json_is_integer(v) && api_alloc_port_in_range(json_integer_value(v)))
		json_array_append_new(list, json_integer(json_integer_value(v)));
}

/* What svc holds, as a held list. */
static json_t *api_alloc_list(const json_t *svc)
{
	const json_t *spec = json_object_get(svc, "spec"), *p;
	const char *cip = json_string_value(json_object_get(spec, "clusterIP"));
	json_t *list = json_array();
	struct in_addr in;
	uint32_t ip = 0;
	size_t i;

	if (!list)
		return NULL;
	if (cip && inet_pton(AF_INET, cip, &in) == 1 &&
	    (ntohl(in.s_addr) & 0xffff0000u) == API_CLUSTER_IP_NET)
		ip = ntohl(in.s_addr);
	/* 10.0.0.0 itself is never allocated: 0 can mean "none". */
	json_array_append_new(list, json_integer(ip));
	json_array_foreach(json_object_get(spec, "ports"), i, p)
		api_alloc_add_port(list, json_object_get(p, "nodePort"));
	api_alloc_add_port(list, json_object_get(spec, "healthCheckNodePort"));
	return list;
}

int api_alloc_set(struct api_alloc *a, const char *key, const json_t *svc)
{
	json_t *list;

	api_alloc_apply(a, json_object_get(a->held, key), -1);
	json_object_del(a->held, key);
	if (!svc)
		return 0;
	list = api_alloc_list(svc);
	if (!list || json_object_set_new(a->held, key, list) < 0)
		return -1;
	api_alloc_apply(a, list, +1);
	return 0;
}

/* How many of the holder's entries name v (the first entry is the IP). */
static uint32_t api_alloc_own(const struct api_alloc *a, const char *key, bool ip, json_int_t v)
{
	const json_t *list = key ? json_object_get(a->held, key) : NULL, *e;
	uint32_t n = 0;
	size_t i;

	json_array_foreach(list, i, e)
		if ((i == 0) == ip && json_integer_value(e) == v)
			n++;
	return n;
}

bool api_alloc_ip_used(const struct api_alloc *a, uint32_t ip, const char *key)
{
	if ((ip & 0xffff0000u) != API_CLUSTER_IP_NET)
		return false;
	return a->ip_refs[ip & 0xffff] > api_alloc_own(a, key, true, ip);
}

bool api_alloc_port_used(const struct api_alloc *a, int port, const char *key)
{
	if (!api_alloc_port_in_range(port))
		return false;
	return a->port_refs[port - API_NODE_PORT_FIRST] > api_alloc_own(a, key, false, port);
}

/* The lowest clear bit in [first, last] of bits, or -1. */
static long api_alloc_lowest_free(const uint64_t *bits, size_t first, size_t last)
{
	for (size_t w = first / 64; w <= last / 64; w++) {
		uint64_t used = bits[w];
		size_t i;

		if (w == first / 64)
			used |= (1ull << (first % 64)) - 1;
		if (used == ~0ull)
			continue;
		i = w * 64 + (size_t)__builtin_ctzll(~used);
		return i <= last ? (long)i : -1;
	}
	return -1;
}

uint32_t api_alloc_free_ip(const struct api_alloc *a)
{
	long i = api_alloc_lowest_free(a->ip_bits, API_CLUSTER_IP_FIRST & 0xffff,
				       API_CLUSTER_IP_LAST & 0xffff);

	return i < 0 ? 0 : API_CLUSTER_IP_NET | (uint32_t)i;
}

int api_alloc_free_port(const struct api_alloc *a, const int *taken, size_t ntaken)
{
	size_t from = 0;

	for (;;) {
		long i = api_alloc_lowest_free(a->port_bits, from, API_ALLOC_PORTS - 1);
		bool mine = false;

		if (i < 0)
			return 0;
		for (size_t t = 0; t < ntaken; t++)
			mine |= taken[t] == API_NODE_PORT_FIRST + i;
		if (!mine)
			return API_NODE_PORT_FIRST + (int)i;
		from = (size_t)i + 1;
		if (from >= API_ALLOC_PORTS)
			return 0;
	}
}
