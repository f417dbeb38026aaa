/* proxy_render.c — see proxy_render.h.
 *
 * The ruleset model (proxy_rules.c) as nft scripts: the whole table in one
 * atomic replacement, or the difference from what is programmed, with the
 * chains a difference emptied deleted a little later.
 */
#include "proxy_render.h"
#include "proxy_rs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- maps and sets ------------------------------------------------------- */

static const char *const proxy_map_names[PROXY_MAP_COUNT] = {
	[PROXY_MAP_SERVICE_IPS] = "service-ips",
	[PROXY_MAP_SERVICE_NODEPORTS] = "service-nodeports",
	[PROXY_MAP_NO_EP_SERVICES] = "no-endpoint-services",
	[PROXY_MAP_NO_EP_NODEPORTS] = "no-endpoint-nodeports",
	[PROXY_SET_HAIRPIN] = "hairpin-endpoints",
	[PROXY_SET_MASQ_CLUSTER_IPS] = "masquerade-cluster-ips",
	[PROXY_SET_CLUSTER_IPS] = "cluster-ips",
	[PROXY_MAP_FIREWALL_IPS] = "firewall-ips",
};

/* Declarations of the maps and sets; elements are rendered into them by
 * the full script and added and deleted one by one by diffs. */
static const char *const proxy_map_decls[PROXY_MAP_COUNT] = {
	[PROXY_MAP_SERVICE_IPS] =
		"\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n"
		"\t\tcomment \"ClusterIP, ExternalIP and LoadBalancer IP traffic\"\n",
	[PROXY_MAP_SERVICE_NODEPORTS] =
		"\t\ttype inet_proto . inet_service : verdict\n"
		"\t\tcomment \"NodePort traffic\"\n",
	/* A counter per element: packets rejected for a Service without
	 * endpoints, or dropped for lack of a local one, per Service. */
	[PROXY_MAP_NO_EP_SERVICES] =
		"\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n"
		"\t\tcounter\n"
		"\t\tcomment \"vmap to drop or reject packets to services with no endpoints\"\n",
	[PROXY_MAP_NO_EP_NODEPORTS] =
		"\t\ttype inet_proto . inet_service : verdict\n"
		"\t\tcounter\n"
		"\t\tcomment \"vmap to drop or reject packets to service nodeports with no endpoints\"\n",
	[PROXY_SET_HAIRPIN] =
		"\t\ttype ipv4_addr . ipv4_addr\n"
		"\t\tcomment \"endpoint . endpoint: a pod reaching itself through a Service\"\n",
	[PROXY_SET_MASQ_CLUSTER_IPS] =
		"\t\ttype ipv4_addr . inet_proto . inet_service\n"
		"\t\tcomment \"ClusterIPs with endpoints: masquerade what does not come from a pod\"\n",
	[PROXY_SET_CLUSTER_IPS] =
		"\t\ttype ipv4_addr\n"
		"\t\tcomment \"Active ClusterIPs\"\n",
	[PROXY_MAP_FIREWALL_IPS] =
		"\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n"
		"\t\tcomment \"destinations that are subject to LoadBalancerSourceRanges\"\n",
};

static bool proxy_map_is_set(enum proxy_map m)
{
	return m == PROXY_SET_HAIRPIN || m == PROXY_SET_MASQ_CLUSTER_IPS ||
	       m == PROXY_SET_CLUSTER_IPS;
}

/* The compact layout's two sets: absent from kube-proxy's layout. */
static bool proxy_map_compact_only(enum proxy_map m)
{
	return m == PROXY_SET_HAIRPIN || m == PROXY_SET_MASQ_CLUSTER_IPS;
}

/* Whether a ruleset has map m at all. */
static bool proxy_map_present(const struct proxy_ruleset *rs, enum proxy_map m)
{
	return !proxy_map_compact_only(m) || rs->compact;
}

/* ---- the whole table ----------------------------------------------------- */

static void render_lines(const struct proxy_ruleset *rs, struct proxy_str body,
			 const char *indent, struct buf *out)
{
	const char *p = rs_str(rs, body), *end = p + body.len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			nl = end;
		buf_puts(out, indent);
		buf_append(out, p, (size_t)(nl - p));
		buf_putc(out, '\n');
		p = nl + 1;
	}
}

void proxy_render_full(const struct proxy_ruleset *rs, struct buf *out)
{
	buf_puts(out, "table ip " PROXY_TABLE " {}\n"
		      "delete table ip " PROXY_TABLE "\n"
		      "table ip " PROXY_TABLE " {\n");
	buf_append(out, rs_str(rs, rs->base), rs->base.len);
	for (int m = 0; m < PROXY_MAP_COUNT; m++) {
		int n = 0;

		if (!proxy_map_present(rs, (enum proxy_map)m))
			continue;
		buf_printf(out, "\n\t%s %s {\n%s", proxy_map_is_set((enum proxy_map)m) ? "set" : "map",
			   proxy_map_names[m], proxy_map_decls[m]);
		/* Elements in generation order, so a Service's entries sit
		 * together as they do in `nft list` after a fresh start. */
		for (int i = 0; i < rs->n_elems; i++) {
			const struct proxy_elem *e = &rs->elems[i];

			if (e->map != (enum proxy_map)m || rs->elem_dead[i])
				continue;
			buf_puts(out, n++ ? ",\n\t\t\t     " : "\t\telements = { ");
			buf_append(out, rs_str(rs, e->key), e->key.len);
			buf_append(out, rs_str(rs, e->rest), e->rest.len);
		}
		if (n)
			buf_puts(out, " }\n");
		buf_puts(out, "\t}\n");
	}
	for (int i = 0; i < rs->n_objs; i++) {
		const struct proxy_obj *o = &rs->objs[i];

		if (rs->obj_dead[i])
			continue;
		buf_printf(out, "\n\t%s ", o->kind == PROXY_OBJ_SET ? "set" : "chain");
		buf_append(out, rs_str(rs, o->name), o->name.len);
		buf_puts(out, " {\n");
		render_lines(rs, o->body, "\t\t", out);
		buf_puts(out, "\t}\n");
	}
	buf_puts(out, "}\n");
}

/* ---- diffs --------------------------------------------------------------- */

/* "add KIND NAME { line; line; }": an object's body lines in one block. */
static void render_block(const struct proxy_ruleset *rs, const struct proxy_obj *o,
			 const char *kind, struct buf *out)
{
	const char *p = rs_str(rs, o->body), *end = p + o->body.len;

	buf_printf(out, "add %s ip " PROXY_TABLE " ", kind);
	buf_append(out, rs_str(rs, o->name), o->name.len);
	buf_puts(out, " {");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			nl = end;
		buf_putc(out, ' ');
		buf_append(out, p, (size_t)(nl - p));
		buf_putc(out, ';');
		p = nl + 1;
	}
	buf_puts(out, " }\n");
}

/* Fills an existing (empty) chain. libnftables lists every chain of every
 * table before an "add rule" (its cache), which at 10,000 chains costs more
 * than the change itself; "add chain NAME { rules }" needs only the table
 * list. Rules naming a set (@affinity-...) need the set cache, so chains
 * with those use "add rule". */
static void render_chain_rules(const struct proxy_ruleset *rs, const struct proxy_obj *o,
			       struct buf *out)
{
	const char *p = rs_str(rs, o->body), *end = p + o->body.len;

	if (p == end)
		return;
	if (!memchr(p, '@', o->body.len)) {
		render_block(rs, o, "chain", out);
		return;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			nl = end;
		buf_puts(out, "add rule ip " PROXY_TABLE " ");
		buf_append(out, rs_str(rs, o->name), o->name.len);
		buf_putc(out, ' ');
		buf_append(out, p, (size_t)(nl - p));
		buf_putc(out, '\n');
		p = nl + 1;
	}
}

/* "add map NAME { declaration; elements = {" : adding elements through the
 * map's declaration, like render_chain_rules, spares the chain listing
 * that "add element" would cost. The declaration must be the map's own. */
static void render_elements_open(enum proxy_map m, struct buf *out)
{
	const char *d = proxy_map_decls[m];

	buf_printf(out, "add %s ip " PROXY_TABLE " %s {", proxy_map_is_set(m) ? "set" : "map",
		   proxy_map_names[m]);
	while (*d) {
		const char *nl = strchr(d, '\n');
		size_t len = nl ? (size_t)(nl - d) : strlen(d);

		while (len && *d == '\t') {
			d++;
			len--;
		}
		buf_putc(out, ' ');
		buf_append(out, d, len);
		buf_putc(out, ';');
		d += len + (nl ? 1 : 0);
	}
	buf_puts(out, " elements = { ");
}

static int stale_find(const struct proxy_stale *s, const char *name, size_t len)
{
	for (int i = 0; i < s->n; i++)
		if (strlen(s->names[i]) == len && memcmp(s->names[i], name, len) == 0)
			return i;
	return -1;
}

static void stale_remove(struct proxy_stale *s, int i)
{
	free(s->names[i]);
	s->names[i] = s->names[s->n - 1];
	s->since_ms[i] = s->since_ms[s->n - 1];
	s->n--;
}

static int stale_add(struct proxy_stale *s, const char *name, size_t len, uint64_t now_ms)
{
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		char **names = realloc(s->names, (size_t)cap * sizeof(*names));
		uint64_t *since;

		if (!names)
			return -1;
		s->names = names;
		since = realloc(s->since_ms, (size_t)cap * sizeof(*since));
		if (!since)
			return -1;
		s->since_ms = since;
		s->cap = cap;
	}
	s->names[s->n] = strndup(name, len);
	if (!s->names[s->n])
		return -1;
	s->since_ms[s->n++] = now_ms;
	return 0;
}

int proxy_render_stale(struct proxy_stale *stale, uint64_t now_ms, uint64_t after_ms,
		       struct buf *out)
{
	int n = 0;

	for (int i = 0; i < stale->n;) {
		if (now_ms - stale->since_ms[i] >= after_ms) {
			buf_printf(out, "delete chain ip " PROXY_TABLE " %s\n", stale->names[i]);
			stale_remove(stale, i);
			n++;
			continue;
		}
		i++;
	}
	return n;
}

void proxy_render_stale_clear(struct proxy_stale *stale)
{
	for (int i = 0; i < stale->n; i++)
		free(stale->names[i]);
	free(stale->names);
	free(stale->since_ms);
	memset(stale, 0, sizeof(*stale));
}

int proxy_render_diff(const struct proxy_ruleset *old, const struct proxy_ruleset *nw,
			    struct proxy_stale *stale, uint64_t now_ms,
			    uint64_t stale_after_ms, struct buf *out,
			    struct proxy_diff_stats *st)
{
	struct buf adds = BUF_INIT, rules = BUF_INIT, dels = BUF_INIT, tail = BUF_INIT;
	struct buf setdels = BUF_INIT;
	int i, j, rc = -1;

	memset(st, 0, sizeof(*st));
	if (old->compact != nw->compact || old->dsr != nw->dsr ||
	    !rs_str_eq(old, old->base, nw, nw->base))
		return -1;

	/* Chains and sets, by name. New chains are created first (empty) so
	 * that rules and elements may point at any of them; rules follow. */
	for (i = 0, j = 0; i < old->n_objs_unique || j < nw->n_objs_unique;) {
		const struct proxy_obj *o = i < old->n_objs_unique ? &old->objs[old->obj_order[i]] : NULL;
		const struct proxy_obj *n = j < nw->n_objs_unique ? &nw->objs[nw->obj_order[j]] : NULL;
		int c = !o ? 1 : !n ? -1 : rs_obj_cmp(old, o, nw, n);

		if (c == 0 && o->kind != n->kind)
			goto out;   /* cannot happen with distinct prefixes; be safe */
		if (c < 0) {
			/* Gone. Sets are deleted now (kube-proxy does too): the
			 * rules using them are flushed in this batch. Chains are
			 * flushed now and deleted later. */
			if (o->kind == PROXY_OBJ_SET) {
				buf_puts(&setdels, "delete set ip " PROXY_TABLE " ");
				buf_append(&setdels, rs_str(old, o->name), o->name.len);
				buf_putc(&setdels, '\n');
				st->sets_deleted++;
			} else {
				buf_puts(&tail, "flush chain ip " PROXY_TABLE " ");
				buf_append(&tail, rs_str(old, o->name), o->name.len);
				buf_putc(&tail, '\n');
				if (stale_find(stale, rs_str(old, o->name), o->name.len) < 0 &&
				    stale_add(stale, rs_str(old, o->name), o->name.len, now_ms) < 0)
					goto out;
				st->chains_flushed++;
			}
			i++;
			continue;
		}
		if (c > 0) {
			int k;

			if (n->kind == PROXY_OBJ_SET) {
				render_block(nw, n, "set", &adds);
				st->sets_added++;
			} else if ((k = stale_find(stale, rs_str(nw, n->name), n->name.len)) >= 0) {
				/* Still in the kernel, empty, awaiting deletion:
				 * revive it instead. */
				stale_remove(stale, k);
				render_chain_rules(nw, n, &rules);
				st->chains_changed++;
			} else {
				buf_puts(&adds, "add chain ip " PROXY_TABLE " ");
				buf_append(&adds, rs_str(nw, n->name), n->name.len);
				buf_putc(&adds, '\n');
				render_chain_rules(nw, n, &rules);
				st->chains_added++;
			}
			j++;
			continue;
		}
		if (!rs_str_eq(old, o->body, nw, n->body)) {
			if (o->kind == PROXY_OBJ_SET) {
				/* A set in use cannot be redeclared in place. */
				goto full;
			}
			buf_puts(&rules, "flush chain ip " PROXY_TABLE " ");
			buf_append(&rules, rs_str(nw, n->name), n->name.len);
			buf_putc(&rules, '\n');
			render_chain_rules(nw, n, &rules);
			st->chains_changed++;
		}
		i++;
		j++;
	}

	/* Elements, by map and key: deletions (gone or changed) before
	 * additions, all in the same batch. */
	{
		int cur_del = -1, cur_add = -1;
		struct buf addel = BUF_INIT;

		for (i = 0, j = 0; i < old->n_elems_unique || j < nw->n_elems_unique;) {
			const struct proxy_elem *o = i < old->n_elems_unique ? &old->elems[old->elem_order[i]] : NULL;
			const struct proxy_elem *n = j < nw->n_elems_unique ? &nw->elems[nw->elem_order[j]] : NULL;
			int c = !o ? 1 : !n ? -1 : rs_elem_cmp(old, o, nw, n);
			bool del = false, add = false;

			if (c < 0) {
				del = true;
				i++;
			} else if (c > 0) {
				add = true;
				j++;
			} else {
				if (!rs_str_eq(old, o->rest, nw, n->rest))
					del = add = true;
				i++;
				j++;
			}
			/* A pair left in hairpin-endpoints after its endpoint went
			 * away changes nothing: it matches only a flow DNATed to
			 * its own source, that is to a current endpoint, whose
			 * pair is there anyway. Not deleting it spares the chain
			 * listing a deletion costs; a full sync drops it. */
			if (del && o->map == PROXY_SET_HAIRPIN)
				del = false;
			if (del) {
				if (cur_del != (int)o->map) {
					if (cur_del >= 0)
						buf_puts(&dels, " }\n");
					buf_printf(&dels, "delete element ip " PROXY_TABLE " %s { ",
						   proxy_map_names[o->map]);
					cur_del = (int)o->map;
				} else {
					buf_puts(&dels, ", ");
				}
				buf_append(&dels, rs_str(old, o->key), o->key.len);
				st->elems_deleted++;
			}
			if (add) {
				if (cur_add != (int)n->map) {
					if (cur_add >= 0)
						buf_puts(&addel, " } }\n");
					render_elements_open(n->map, &addel);
					cur_add = (int)n->map;
				} else {
					buf_puts(&addel, ", ");
				}
				buf_append(&addel, rs_str(nw, n->key), n->key.len);
				buf_append(&addel, rs_str(nw, n->rest), n->rest.len);
				st->elems_added++;
			}
		}
		if (cur_del >= 0)
			buf_puts(&dels, " }\n");
		if (cur_add >= 0)
			buf_puts(&addel, " } }\n");
		buf_append(&dels, addel.data ? addel.data : "", addel.len);
		if (addel.oom)
			dels.oom = true;
		buf_free(&addel);
	}

	/* Order: create, (re)fill chains, swap elements, then flush what went
	 * away and delete the sets it used. */
	buf_append(out, adds.data ? adds.data : "", adds.len);
	buf_append(out, rules.data ? rules.data : "", rules.len);
	buf_append(out, dels.data ? dels.data : "", dels.len);
	buf_append(out, tail.data ? tail.data : "", tail.len);
	buf_append(out, setdels.data ? setdels.data : "", setdels.len);
	st->stale_deleted = proxy_render_stale(stale, now_ms, stale_after_ms, out);
	if (adds.oom || rules.oom || dels.oom || tail.oom || setdels.oom || out->oom)
		goto out;
	rc = out->len > 0 ? 1 : 0;
	goto out;
full:
	rc = -1;
out:
	buf_free(&adds);
	buf_free(&rules);
	buf_free(&dels);
	buf_free(&tail);
	buf_free(&setdels);
	return rc;
}
