/* Unit tests for apiserver/api_objects.c: put, get and list (namespace then
 * name, including namespaces that are prefixes of others), resourceVersions,
 * removal and its DELETED event, watchers (also leaving from inside a
 * callback), replay after a version and its limit, persistence across a
 * reopen of the same directory, files that do not parse, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_objects.h"
#include "fsutil.h"

/* As in api_objects.c: the history a watch can resume across. */
#define HISTORY 16384

struct fixture {
	char dir[64];
	struct api_objects *o;
};

/* Many puts below each replace two files with fsync: a tmpfs keeps the
 * history test fast where there is one. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct stat st;
	char err[256] = "";

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/test_api_objects.XXXXXX",
		 stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->o = api_objects_open(f->dir, err, sizeof(err));
	if (!f->o) {
		fprintf(stderr, "open %s: %s\n", f->dir, err);
		fs_remove_tree(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	api_objects_close(f->o);
	fs_remove_tree(f->dir);
	free(f);
	return 0;
}

/* Closes and opens the same directory again, as a restarted server does. */
static void reopen(struct fixture *f)
{
	char err[256] = "";

	api_objects_close(f->o);
	f->o = api_objects_open(f->dir, err, sizeof(err));
	if (!f->o)
		fail_msg("reopen %s: %s", f->dir, err);
}

static const struct api_resource *res(const char *group, const char *resource)
{
	const struct api_resource *r = api_registry_find(group, "v1", resource);

	if (!r)
		fail_msg("no resource %s", resource);
	return r;
}

#define CONFIGMAPS res("", "configmaps")
#define NAMESPACES res("", "namespaces")
#define DEPLOYMENTS res("apps", "deployments")

/* A ConfigMap-like object; ns NULL for a cluster-scoped one. */
static json_t *mk(const char *ns, const char *name, const char *value)
{
	json_t *o = json_pack("{s:s, s:{s:s}, s:{s:s}}", "kind", "ConfigMap", "metadata", "name",
			      name, "data", "v", value);

	assert_non_null(o);
	if (ns)
		json_object_set_new(json_object_get(o, "metadata"), "namespace", json_string(ns));
	return o;
}

static void put(struct api_objects *o, const struct api_resource *r, const char *ns,
		const char *name, const char *value)
{
	char err[256] = "";

	if (api_objects_put(o, r, mk(ns, name, value), err, sizeof(err)) != 0)
		fail_msg("put %s/%s: %s", ns ? ns : "", name, err);
}

static const char *meta(const json_t *obj, const char *field)
{
	return json_string_value(json_object_get(json_object_get(obj, "metadata"), field));
}

static const char *value(const json_t *obj)
{
	return json_string_value(json_object_get(json_object_get(obj, "data"), "v"));
}

/* "ns/name,ns/name" of a list, for comparing orders in one assertion. */
static void names(const json_t *list, char *out, size_t len)
{
	size_t i, off = 0;
	json_t *v;

	out[0] = '\0';
	json_array_foreach(list, i, v) {
		const char *ns = meta(v, "namespace");
		off += (size_t)snprintf(out + off, len - off, "%s%s/%s", i ? "," : "",
					ns ? ns : "", meta(v, "name"));
		assert_true(off < len);
	}
}

/* ---- a recorder of events ------------------------------------------------- */

struct rec {
	size_t n;
	uint64_t rv[64];
	enum api_event_type type[64];
	char name[64][32];
	char obj_rv[64][24];
	/* for the unwatch tests */
	struct api_objects *o;
	struct api_objects_watcher *self, *other;
	size_t stop_after;
};

static void rec_cb(const struct api_event *ev, void *data)
{
	struct rec *r = data;

	if (r->n < 64) {
		r->rv[r->n] = ev->rv;
		r->type[r->n] = ev->type;
		snprintf(r->name[r->n], sizeof(r->name[0]), "%s", meta(ev->obj, "name"));
		snprintf(r->obj_rv[r->n], sizeof(r->obj_rv[0]), "%s",
			 meta(ev->obj, "resourceVersion"));
	}
	r->n++;
	if (r->stop_after && r->n == r->stop_after) {
		if (r->self)
			api_objects_unwatch(r->o, r->self);
		if (r->other)
			api_objects_unwatch(r->o, r->other);
	}
}

/* ---- tests ------------------------------------------------------------------ */

static void test_event_type_names(void **state)
{
	(void)state;
	assert_string_equal(api_event_type_name(API_EVENT_ADDED), "ADDED");
	assert_string_equal(api_event_type_name(API_EVENT_MODIFIED), "MODIFIED");
	assert_string_equal(api_event_type_name(API_EVENT_DELETED), "DELETED");
	assert_string_equal(api_event_type_name((enum api_event_type)42), "ERROR");
}

static void test_put_get(void **state)
{
	struct fixture *f = *state;
	json_t *got;

	assert_int_equal(api_objects_rv(f->o), 0);
	assert_null(api_objects_get(f->o, CONFIGMAPS, "default", "a"));

	put(f->o, CONFIGMAPS, "default", "a", "one");
	assert_int_equal(api_objects_rv(f->o), 1);
	got = api_objects_get(f->o, CONFIGMAPS, "default", "a");
	assert_non_null(got);
	assert_string_equal(meta(got, "resourceVersion"), "1");
	assert_string_equal(value(got), "one");
	/* The same name elsewhere is another object. */
	assert_null(api_objects_get(f->o, CONFIGMAPS, "other", "a"));
	assert_null(api_objects_get(f->o, CONFIGMAPS, "", "a"));
	assert_null(api_objects_get(f->o, DEPLOYMENTS, "default", "a"));

	/* Every put takes the next version, replacing takes one too. */
	put(f->o, CONFIGMAPS, "other", "a", "two");
	put(f->o, CONFIGMAPS, "default", "a", "three");
	assert_int_equal(api_objects_rv(f->o), 3);
	got = api_objects_get(f->o, CONFIGMAPS, "default", "a");
	assert_string_equal(meta(got, "resourceVersion"), "3");
	assert_string_equal(value(got), "three");
	assert_int_equal(api_objects_count(f->o, CONFIGMAPS), 2);
	assert_int_equal(api_objects_count(f->o, DEPLOYMENTS), 0);

	/* A resourceVersion the caller left in the object is replaced. */
	{
		json_t *o = mk("default", "b", "x");
		char err[256] = "";
		json_object_set_new(json_object_get(o, "metadata"), "resourceVersion",
				    json_string("999"));
		assert_int_equal(api_objects_put(f->o, CONFIGMAPS, o, err, sizeof(err)), 0);
		assert_string_equal(meta(api_objects_get(f->o, CONFIGMAPS, "default", "b"),
					 "resourceVersion"), "4");
	}

	/* Cluster-scoped: the namespace is not part of the key. */
	put(f->o, NAMESPACES, NULL, "kube-system", "ns");
	got = api_objects_get(f->o, NAMESPACES, "", "kube-system");
	assert_non_null(got);
	assert_ptr_equal(api_objects_get(f->o, NAMESPACES, "ignored", "kube-system"), got);
	assert_int_equal(api_objects_count(f->o, NAMESPACES), 1);
}

static void test_put_bad(void **state)
{
	struct fixture *f = *state;
	char err[256] = "";
	json_t *o;

	put(f->o, CONFIGMAPS, "default", "a", "one");
	/* No metadata, metadata not an object, no name, an empty name: refused,
	 * nothing stored and no version spent (the reference is taken anyway). */
	o = json_pack("{s:s}", "kind", "ConfigMap");
	assert_int_equal(api_objects_put(f->o, CONFIGMAPS, o, err, sizeof(err)), -1);
	assert_string_equal(err, "object without metadata.name");
	o = json_pack("{s:s}", "metadata", "x");
	assert_int_equal(api_objects_put(f->o, CONFIGMAPS, o, err, sizeof(err)), -1);
	o = json_pack("{s:{s:s}}", "metadata", "namespace", "default");
	assert_int_equal(api_objects_put(f->o, CONFIGMAPS, o, err, sizeof(err)), -1);
	o = json_pack("{s:{s:s, s:s}}", "metadata", "namespace", "default", "name", "");
	assert_int_equal(api_objects_put(f->o, CONFIGMAPS, o, err, sizeof(err)), -1);
	assert_int_equal(api_objects_rv(f->o), 1);
	assert_int_equal(api_objects_count(f->o, CONFIGMAPS), 1);
}

static void test_put_unwritable(void **state)
{
	struct fixture *f = *state;
	char path[256], aside[256], err[256] = "";
	struct rec rec = { 0 };
	struct api_objects_watcher *w;

	put(f->o, CONFIGMAPS, "default", "a", "one");
	w = api_objects_watch(f->o, rec_cb, &rec);
	/* A regular file where the resource's directory was: no write can
	 * succeed there, not even root's. */
	snprintf(path, sizeof(path), "%s/core/configmaps", f->dir);
	snprintf(aside, sizeof(aside), "%s/aside", f->dir);
	assert_int_equal(rename(path, aside), 0);
	assert_int_equal(fs_write_atomic(path, "x", 1, 0600), 0);
	/* Storage failed: the object in memory, the version and the watchers
	 * are as before. */
	assert_int_equal(api_objects_put(f->o, CONFIGMAPS, mk("default", "a", "two"), err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "storing"));
	assert_int_equal(api_objects_rv(f->o), 1);
	assert_string_equal(value(api_objects_get(f->o, CONFIGMAPS, "default", "a")), "one");
	assert_int_equal(rec.n, 0);
	api_objects_unwatch(f->o, w);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rename(aside, path), 0);
	/* And the stored state is still the old one after a reopen. */
	reopen(f);
	assert_string_equal(value(api_objects_get(f->o, CONFIGMAPS, "default", "a")), "one");
	assert_int_equal(api_objects_rv(f->o), 1);
}

static void test_list_order(void **state)
{
	struct fixture *f = *state;
	char buf[512];
	json_t *l;

	/* "a-b" and "a.b" sort between "a" and "ab" byte by byte, and '-' sorts
	 * before '/': namespace "a-b" must still come after namespace "a". */
	put(f->o, CONFIGMAPS, "b", "x", "");
	put(f->o, CONFIGMAPS, "a", "ab", "");
	put(f->o, CONFIGMAPS, "a-b", "y", "");
	put(f->o, CONFIGMAPS, "a", "a.b", "");
	put(f->o, CONFIGMAPS, "a", "a", "");
	put(f->o, CONFIGMAPS, "a0", "z", "");
	put(f->o, CONFIGMAPS, "a", "a-b", "");
	put(f->o, DEPLOYMENTS, "a", "not-a-configmap", "");

	l = api_objects_list(f->o, CONFIGMAPS, NULL);
	assert_non_null(l);
	names(l, buf, sizeof(buf));
	assert_string_equal(buf, "a/a,a/a-b,a/a.b,a/ab,a-b/y,a0/z,b/x");
	json_decref(l);

	/* A namespace filter is the whole namespace, not a prefix of one. */
	l = api_objects_list(f->o, CONFIGMAPS, "a");
	names(l, buf, sizeof(buf));
	assert_string_equal(buf, "a/a,a/a-b,a/a.b,a/ab");
	json_decref(l);
	l = api_objects_list(f->o, CONFIGMAPS, "a-b");
	names(l, buf, sizeof(buf));
	assert_string_equal(buf, "a-b/y");
	json_decref(l);
	l = api_objects_list(f->o, CONFIGMAPS, "nothing");
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);

	/* Items are the stored objects themselves. */
	l = api_objects_list(f->o, DEPLOYMENTS, NULL);
	assert_int_equal(json_array_size(l), 1);
	assert_ptr_equal(json_array_get(l, 0),
			 api_objects_get(f->o, DEPLOYMENTS, "a", "not-a-configmap"));
	json_decref(l);

	l = api_objects_list(f->o, NAMESPACES, NULL);
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
}

static void test_remove(void **state)
{
	struct fixture *f = *state;
	struct rec rec = { 0 };
	struct api_objects_watcher *w;

	put(f->o, CONFIGMAPS, "default", "a", "last");
	put(f->o, CONFIGMAPS, "default", "b", "");
	w = api_objects_watch(f->o, rec_cb, &rec);
	assert_non_null(w);

	assert_int_equal(api_objects_remove(f->o, CONFIGMAPS, "default", "a"), 0);
	assert_int_equal(api_objects_rv(f->o), 3);
	assert_null(api_objects_get(f->o, CONFIGMAPS, "default", "a"));
	assert_int_equal(api_objects_count(f->o, CONFIGMAPS), 1);
	/* One DELETED event: the last state, at a version of its own. */
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.type[0], API_EVENT_DELETED);
	assert_int_equal(rec.rv[0], 3);
	assert_string_equal(rec.name[0], "a");
	assert_string_equal(rec.obj_rv[0], "3");

	/* Again, or something never there: -ENOENT, no version, no event. */
	assert_int_equal(api_objects_remove(f->o, CONFIGMAPS, "default", "a"), -ENOENT);
	assert_int_equal(api_objects_remove(f->o, CONFIGMAPS, "other", "b"), -ENOENT);
	assert_int_equal(api_objects_remove(f->o, DEPLOYMENTS, "default", "b"), -ENOENT);
	assert_int_equal(api_objects_rv(f->o), 3);
	assert_int_equal(rec.n, 1);

	/* Created again, it is ADDED, not MODIFIED. */
	put(f->o, CONFIGMAPS, "default", "a", "again");
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.type[1], API_EVENT_ADDED);
	assert_int_equal(rec.rv[1], 4);
	api_objects_unwatch(f->o, w);
}

static void test_watchers(void **state)
{
	struct fixture *f = *state;
	struct rec a = { 0 }, b = { 0 };
	struct api_objects_watcher *wa, *wb;

	wa = api_objects_watch(f->o, rec_cb, &a);
	wb = api_objects_watch(f->o, rec_cb, &b);
	assert_non_null(wa);
	assert_non_null(wb);

	put(f->o, CONFIGMAPS, "default", "a", "1");
	put(f->o, CONFIGMAPS, "default", "a", "2");
	put(f->o, DEPLOYMENTS, "default", "d", "");
	assert_int_equal(a.n, 3);
	assert_int_equal(b.n, 3);
	assert_int_equal(a.type[0], API_EVENT_ADDED);
	assert_int_equal(a.type[1], API_EVENT_MODIFIED);
	assert_int_equal(a.type[2], API_EVENT_ADDED);
	assert_int_equal(a.rv[0], 1);
	assert_int_equal(a.rv[1], 2);
	assert_int_equal(a.rv[2], 3);
	/* The event's object is the stored one, version set. */
	assert_string_equal(a.obj_rv[1], "2");
	assert_string_equal(b.name[2], "d");

	api_objects_unwatch(f->o, wa);
	put(f->o, CONFIGMAPS, "default", "a", "3");
	assert_int_equal(a.n, 3);
	assert_int_equal(b.n, 4);
	api_objects_unwatch(f->o, wb);
	api_objects_unwatch(f->o, NULL);
	put(f->o, CONFIGMAPS, "default", "a", "4");
	assert_int_equal(b.n, 4);
}

static void test_unwatch_in_callback(void **state)
{
	struct fixture *f = *state;
	struct rec self = { 0 }, plain = { 0 };
	struct api_objects_watcher *wp;

	/* A watcher leaving from inside its own callback hears nothing more;
	 * the others around it go on. */
	wp = api_objects_watch(f->o, rec_cb, &plain);
	self.o = f->o;
	self.stop_after = 2;
	self.self = api_objects_watch(f->o, rec_cb, &self);
	assert_non_null(self.self);

	put(f->o, CONFIGMAPS, "default", "a", "1");
	put(f->o, CONFIGMAPS, "default", "a", "2");
	put(f->o, CONFIGMAPS, "default", "a", "3");
	assert_int_equal(self.n, 2);
	assert_int_equal(plain.n, 3);
	assert_int_equal(plain.rv[2], 3);
	api_objects_unwatch(f->o, wp);
	put(f->o, CONFIGMAPS, "default", "a", "4");
	assert_int_equal(plain.n, 3);
}

static void test_unwatch_other_in_callback(void **state)
{
	struct fixture *f = *state;
	struct rec victim = { 0 }, killer = { 0 };
	struct api_objects_watcher *wv, *wk;

	/* Registered in both orders: the victim is told before or after the
	 * killer; removed during an event, it hears nothing after it. */
	for (int order = 0; order < 2; order++) {
		memset(&victim, 0, sizeof(victim));
		memset(&killer, 0, sizeof(killer));
		if (order == 0) {
			wv = api_objects_watch(f->o, rec_cb, &victim);
			wk = api_objects_watch(f->o, rec_cb, &killer);
		} else {
			wk = api_objects_watch(f->o, rec_cb, &killer);
			wv = api_objects_watch(f->o, rec_cb, &victim);
		}
		killer.o = f->o;
		killer.self = wk;
		killer.other = wv;
		killer.stop_after = 1;
		put(f->o, CONFIGMAPS, "default", "a", order ? "x" : "y");
		put(f->o, CONFIGMAPS, "default", "a", "z");
		assert_int_equal(killer.n, 1);
		assert_true(victim.n <= 1);
	}
}

/* Counts a replay too long for struct rec: first and last version, in order. */
struct span {
	size_t n;
	uint64_t first, last;
	bool out_of_order;
};

static void span_cb(const struct api_event *ev, void *data)
{
	struct span *sp = data;

	if (sp->n == 0)
		sp->first = ev->rv;
	else if (ev->rv != sp->last + 1)
		sp->out_of_order = true;
	sp->last = ev->rv;
	sp->n++;
}

static void test_replay(void **state)
{
	struct fixture *f = *state;
	struct rec r = { 0 };

	/* Nothing yet: from 0 there is nothing to replay. */
	assert_int_equal(api_objects_replay(f->o, 0, rec_cb, &r), 0);
	assert_int_equal(r.n, 0);

	put(f->o, CONFIGMAPS, "default", "a", "1");
	put(f->o, CONFIGMAPS, "default", "b", "2");
	put(f->o, CONFIGMAPS, "default", "a", "3");
	assert_int_equal(api_objects_remove(f->o, CONFIGMAPS, "default", "b"), 0);
	put(f->o, DEPLOYMENTS, "default", "d", "5");

	assert_int_equal(api_objects_replay(f->o, 2, rec_cb, &r), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.rv[0], 3);
	assert_int_equal(r.type[0], API_EVENT_MODIFIED);
	assert_int_equal(r.rv[1], 4);
	assert_int_equal(r.type[1], API_EVENT_DELETED);
	assert_string_equal(r.name[1], "b");
	assert_string_equal(r.obj_rv[1], "4");
	assert_int_equal(r.rv[2], 5);
	assert_string_equal(r.name[2], "d");

	/* From 0: everything, oldest first. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(api_objects_replay(f->o, 0, rec_cb, &r), 0);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.rv[0], 1);
	assert_int_equal(r.type[0], API_EVENT_ADDED);
	assert_int_equal(r.rv[4], 5);

	/* From the newest, or a version from the future: nothing. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(api_objects_replay(f->o, 5, rec_cb, &r), 0);
	assert_int_equal(api_objects_replay(f->o, 1000, rec_cb, &r), 0);
	assert_int_equal(r.n, 0);

	/* The history is in memory: after a reopen an older version is gone,
	 * the newest still fine. */
	reopen(f);
	assert_int_equal(api_objects_replay(f->o, 4, rec_cb, &r), -ESTALE);
	assert_int_equal(api_objects_replay(f->o, 5, rec_cb, &r), 0);
	assert_int_equal(r.n, 0);
	put(f->o, CONFIGMAPS, "default", "c", "6");
	assert_int_equal(api_objects_replay(f->o, 5, rec_cb, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.rv[0], 6);
	assert_int_equal(api_objects_replay(f->o, 4, rec_cb, &r), -ESTALE);
	assert_int_equal(r.n, 1);
}

static void test_replay_history_limit(void **state)
{
	struct fixture *f = *state;
	const uint64_t total = HISTORY + 10;
	struct span sp = { 0 };
	char v[24];

	for (uint64_t i = 1; i <= total; i++) {
		snprintf(v, sizeof(v), "%" PRIu64, i);
		put(f->o, CONFIGMAPS, "default", i % 2 ? "odd" : "even", v);
	}
	assert_int_equal(api_objects_rv(f->o), total);

	/* The oldest kept event is total - HISTORY + 1: resuming right before
	 * it replays the whole history in order, one further back is too old. */
	assert_int_equal(api_objects_replay(f->o, total - HISTORY, span_cb, &sp), 0);
	assert_int_equal(sp.n, HISTORY);
	assert_int_equal(sp.first, total - HISTORY + 1);
	assert_int_equal(sp.last, total);
	assert_false(sp.out_of_order);

	memset(&sp, 0, sizeof(sp));
	assert_int_equal(api_objects_replay(f->o, total - HISTORY - 1, span_cb, &sp), -ESTALE);
	assert_int_equal(api_objects_replay(f->o, 0, span_cb, &sp), -ESTALE);
	assert_int_equal(api_objects_replay(f->o, 1, span_cb, &sp), -ESTALE);
	assert_int_equal(sp.n, 0);

	assert_int_equal(api_objects_replay(f->o, total - 3, span_cb, &sp), 0);
	assert_int_equal(sp.n, 3);
	assert_int_equal(sp.first, total - 2);
	assert_int_equal(sp.last, total);
}

static void test_persist(void **state)
{
	struct fixture *f = *state;
	json_t *before, *after, *l;
	char buf[256];

	put(f->o, NAMESPACES, NULL, "web", "");
	put(f->o, CONFIGMAPS, "web", "a", "1");
	put(f->o, CONFIGMAPS, "default", "a", "2");
	put(f->o, DEPLOYMENTS, "web", "d", "3");
	put(f->o, CONFIGMAPS, "web", "a", "4");
	before = json_deep_copy(api_objects_get(f->o, CONFIGMAPS, "web", "a"));

	reopen(f);
	assert_int_equal(api_objects_rv(f->o), 5);
	after = api_objects_get(f->o, CONFIGMAPS, "web", "a");
	assert_non_null(after);
	assert_true(json_equal(before, after));
	assert_string_equal(meta(after, "resourceVersion"), "5");
	json_decref(before);
	assert_non_null(api_objects_get(f->o, NAMESPACES, "", "web"));
	assert_non_null(api_objects_get(f->o, DEPLOYMENTS, "web", "d"));
	l = api_objects_list(f->o, CONFIGMAPS, NULL);
	names(l, buf, sizeof(buf));
	assert_string_equal(buf, "default/a,web/a");
	json_decref(l);

	/* Deleting the newest object: the counter must not go back to the
	 * newest object left after a reopen, or versions would repeat. */
	assert_int_equal(api_objects_remove(f->o, CONFIGMAPS, "web", "a"), 0);
	assert_int_equal(api_objects_rv(f->o), 6);
	reopen(f);
	assert_int_equal(api_objects_rv(f->o), 6);
	assert_null(api_objects_get(f->o, CONFIGMAPS, "web", "a"));
	put(f->o, CONFIGMAPS, "web", "b", "");
	assert_string_equal(meta(api_objects_get(f->o, CONFIGMAPS, "web", "b"),
				 "resourceVersion"), "7");
}

static void test_persist_counter_file(void **state)
{
	struct fixture *f = *state;
	char path[256];

	put(f->o, CONFIGMAPS, "default", "a", "");
	put(f->o, CONFIGMAPS, "default", "b", "");
	/* Without the counter's file (an older layout, or lost), the newest
	 * object's version is the floor. */
	snprintf(path, sizeof(path), "%s/resourceVersion", f->dir);
	assert_int_equal(unlink(path), 0);
	reopen(f);
	assert_int_equal(api_objects_rv(f->o), 2);
	/* A counter behind an object's version (a crash between the two
	 * writes) is raised to it. */
	assert_int_equal(fs_write_atomic(path, "1\n", 2, 0600), 0);
	reopen(f);
	assert_int_equal(api_objects_rv(f->o), 2);
}

static void test_bad_files(void **state)
{
	struct fixture *f = *state;
	char path[256];
	json_t *l;
	char buf[256];

	put(f->o, CONFIGMAPS, "default", "good", "");
#define WRITE(rel, text)                                                                          \
	do {                                                                                      \
		snprintf(path, sizeof(path), "%s/core/configmaps/%s", f->dir, rel);               \
		assert_int_equal(fs_write_atomic(path, text, strlen(text), 0600), 0);             \
	} while (0)
	WRITE("default_broken.json", "{\"metadata\":");
	WRITE("default_array.json", "[1,2]");
	WRITE("default_noname.json", "{\"metadata\":{\"namespace\":\"default\"}}");
	WRITE("notes.txt", "not an object at all");
	WRITE("x.json.bak", "{\"metadata\":{\"name\":\"bak\",\"namespace\":\"default\"}}");
	/* Loaded by its content, not by its file name. */
	WRITE("renamed.json", "{\"metadata\":{\"name\":\"moved\",\"namespace\":\"kube-system\","
	      "\"resourceVersion\":\"40\"}}");
#undef WRITE
	reopen(f);
	l = api_objects_list(f->o, CONFIGMAPS, NULL);
	names(l, buf, sizeof(buf));
	assert_string_equal(buf, "default/good,kube-system/moved");
	json_decref(l);
	assert_int_equal(api_objects_rv(f->o), 40);
}

static void test_open_fails(void **state)
{
	struct fixture *f = *state;
	char path[256], err[256] = "";

	/* A regular file where the directory should be. */
	snprintf(path, sizeof(path), "%s/file", f->dir);
	assert_int_equal(fs_write_atomic(path, "x", 1, 0600), 0);
	snprintf(path, sizeof(path), "%s/file/store", f->dir);
	assert_null(api_objects_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "file/store"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_type_names),
		cmocka_unit_test_setup_teardown(test_put_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_unwritable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwatch_in_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwatch_other_in_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_history_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persist_counter_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_fails, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
