/* proxy_rs.c — the ruleset model's string arena and its order (see
 * proxy_rs.h). */
#include "proxy_rs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

/* ---- the arena ----------------------------------------------------------- */

struct proxy_str rs_mark(const struct proxy_ruleset *rs)
{
	return (struct proxy_str){ (uint32_t)rs->text.len, 0 };
}

void rs_close(const struct proxy_ruleset *rs, struct proxy_str *s)
{
	s->len = (uint32_t)rs->text.len - s->off;
}

void rs_vappend(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (buf_reserve(b, 512) < 0)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		if (buf_reserve(b, (size_t)n + 1) < 0)
			return;
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

struct proxy_str rs_printf(struct proxy_ruleset *rs, const char *fmt, ...)
{
	struct proxy_str s = rs_mark(rs);
	va_list ap;

	va_start(ap, fmt);
	rs_vappend(&rs->text, fmt, ap);
	va_end(ap);
	rs_close(rs, &s);
	return s;
}

int rs_grow(void **arr, int *cap, int need, size_t size)
{
	void *p;
	int n;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap * 2 : 64;
	while (n < need)
		n *= 2;
	p = realloc(*arr, (size_t)n * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = n;
	return 0;
}

/* Diffs walk two sorted lists; any total order both sides agree on will
 * do, and comparing hashes first is much cheaper than comparing names that
 * share long prefixes ("endpoint-...-default/svc1234/tcp/80__10.1."):
 * FNV-1a, its upper half folded into the lower. */
uint64_t rs_hash(const char *s, size_t len)
{
	uint64_t h = hash_fnv1a64(HASH_FNV1A64_INIT, s, len);

	return h ^ (h >> 32);
}

/* ---- the order ----------------------------------------------------------- */

/* The bytes, then the length: a total order of names. */
static int rs_name_cmp(const struct proxy_ruleset *a, struct proxy_str x,
		       const struct proxy_ruleset *b, struct proxy_str y)
{
	uint32_t n = x.len < y.len ? x.len : y.len;
	int c = memcmp(rs_str(a, x), rs_str(b, y), n);

	if (c)
		return c;
	return x.len == y.len ? 0 : x.len < y.len ? -1 : 1;
}

int rs_obj_cmp(const struct proxy_ruleset *a, const struct proxy_obj *x,
	       const struct proxy_ruleset *b, const struct proxy_obj *y)
{
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return rs_name_cmp(a, x->name, b, y->name);
}

int rs_elem_cmp(const struct proxy_ruleset *a, const struct proxy_elem *x,
		const struct proxy_ruleset *b, const struct proxy_elem *y)
{
	if (x->map != y->map)
		return x->map < y->map ? -1 : 1;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return rs_name_cmp(a, x->key, b, y->key);
}

/* rs_obj_cmp and rs_elem_cmp on indexes into one ruleset (arg), ties
 * broken by the index: the first one generated first. */
static int rs_obj_idx_cmp(const void *a, const void *b, void *arg)
{
	const struct proxy_ruleset *rs = arg;
	int c = rs_obj_cmp(rs, &rs->objs[*(const int *)a], rs, &rs->objs[*(const int *)b]);

	return c ? c : *(const int *)a - *(const int *)b;
}

static int rs_elem_idx_cmp(const void *a, const void *b, void *arg)
{
	const struct proxy_ruleset *rs = arg;
	int c = rs_elem_cmp(rs, &rs->elems[*(const int *)a], rs, &rs->elems[*(const int *)b]);

	return c ? c : *(const int *)a - *(const int *)b;
}

/* Sorts idx by keys[idx], stably: 8-bit LSD radix passes, which at tens of
 * thousands of items costs a fraction of a comparison sort. */
static int rs_radix_sort(const uint64_t *keys, int *idx, int n)
{
	int *tmp = malloc((size_t)(n ? n : 1) * sizeof(int)), *src = idx, *dst = tmp;

	if (!tmp)
		return -1;
	for (int shift = 0; shift < 64; shift += 8) {
		int count[257] = { 0 };

		for (int i = 0; i < n; i++)
			count[((keys[src[i]] >> shift) & 0xff) + 1]++;
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (int i = 0; i < n; i++)
			dst[count[(keys[src[i]] >> shift) & 0xff]++] = src[i];
		src = dst;
		dst = src == idx ? tmp : idx;
	}
	/* Eight passes: the result is back in idx. */
	free(tmp);
	return 0;
}

/* Within runs of equal keys (a hash collision, or the same name twice),
 * orders by the bytes, stably, so that the order is exactly
 * rs_obj_cmp's / rs_elem_cmp's. Runs are one or two items long. */
static void rs_fix_runs(const struct proxy_ruleset *rs, const uint64_t *keys, int *idx, int n,
			int (*cmp)(const void *, const void *, void *))
{
	for (int i = 1; i < n; i++) {
		int j = i;

		while (j > 0 && keys[idx[j - 1]] == keys[idx[j]] &&
		       cmp(&idx[j - 1], &idx[j], (void *)rs) > 0) {
			int t = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = t;
			j--;
		}
	}
}

int rs_index(struct proxy_ruleset *rs)
{
	uint64_t *keys;
	int w, n = rs->n_objs > rs->n_elems ? rs->n_objs : rs->n_elems;

	rs->obj_order = malloc((size_t)(rs->n_objs ? rs->n_objs : 1) * sizeof(int));
	rs->elem_order = malloc((size_t)(rs->n_elems ? rs->n_elems : 1) * sizeof(int));
	rs->obj_dead = calloc((size_t)(rs->n_objs ? rs->n_objs : 1), 1);
	rs->elem_dead = calloc((size_t)(rs->n_elems ? rs->n_elems : 1), 1);
	if (!rs->obj_order || !rs->elem_order || !rs->obj_dead || !rs->elem_dead)
		return -1;
	keys = malloc((size_t)(n ? n : 1) * sizeof(*keys));
	if (!keys)
		return -1;
	for (int i = 0; i < rs->n_objs; i++) {
		rs->obj_order[i] = i;
		keys[i] = rs->objs[i].h;
	}
	if (rs_radix_sort(keys, rs->obj_order, rs->n_objs) < 0)
		goto fail;
	rs_fix_runs(rs, keys, rs->obj_order, rs->n_objs, rs_obj_idx_cmp);
	for (int i = 0; i < rs->n_elems; i++) {
		rs->elem_order[i] = i;
		keys[i] = ((uint64_t)rs->elems[i].map << 56) | rs->elems[i].h;
	}
	if (rs_radix_sort(keys, rs->elem_order, rs->n_elems) < 0)
		goto fail;
	rs_fix_runs(rs, keys, rs->elem_order, rs->n_elems, rs_elem_idx_cmp);
	free(keys);
	w = 0;
	for (int i = 0; i < rs->n_objs; i++) {
		if (w > 0 && rs_str_eq(rs, rs->objs[rs->obj_order[w - 1]].name,
				    rs, rs->objs[rs->obj_order[i]].name)) {
			rs->nrules -= rs->objs[rs->obj_order[i]].nrules;
			rs->obj_dead[rs->obj_order[i]] = 1;
			continue;
		}
		rs->obj_order[w++] = rs->obj_order[i];
	}
	rs->n_objs_unique = w;
	w = 0;
	for (int i = 0; i < rs->n_elems; i++) {
		const struct proxy_elem *prev = w > 0 ? &rs->elems[rs->elem_order[w - 1]] : NULL;
		const struct proxy_elem *cur = &rs->elems[rs->elem_order[i]];

		if (prev && prev->map == cur->map && rs_str_eq(rs, prev->key, rs, cur->key)) {
			rs->elem_dead[rs->elem_order[i]] = 1;
			continue;
		}
		rs->elem_order[w++] = rs->elem_order[i];
	}
	rs->n_elems_unique = w;
	return 0;
fail:
	free(keys);
	return -1;
}
