/* store.c — see store.h and docs/STATE.md: the node agents' checkpoint
 * files, read and written as the model's JSON (model_json.h).
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apiobj.h"
#include "buf.h"
#include "fsutil.h"
#include "log.h"

/* ---- paths ------------------------------------------------------------ */

static const char *const store_dirs[STORE_KIND_COUNT] = {
	[STORE_POD_STATUS] = "status/pods",
};

const char *store_kind_dir(enum store_kind kind)
{
	return (unsigned)kind < STORE_KIND_COUNT ? store_dirs[kind] : "invalid";
}

char *store_path(const char *statedir, enum store_kind kind, const char *ns,
		 const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s_%s.json", statedir, store_kind_dir(kind), ns, name);
	return buf;
}

int store_init(const char *statedir)
{
	char path[PATH_MAX];

	for (int k = 0; k < STORE_KIND_COUNT; k++) {
		int rc;

		snprintf(path, sizeof(path), "%s/%s", statedir, store_dirs[k]);
		rc = fs_mkdir_p(path, 0755);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int store_delete(const char *statedir, enum store_kind kind, const char *ns, const char *name)
{
	char path[PATH_MAX];

	store_path(statedir, kind, ns, name, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* ---- files ------------------------------------------------------------ */

/* Reads and parses a file (json_decref it). NULL with rc -ENOENT if it
 * does not exist, else NULL with a message in err. */
static json_t *store_load(const char *path, int *rc, char *err, size_t errlen)
{
	char *text = NULL, msg[200];
	json_t *root;
	size_t len;

	*rc = fs_read_all(path, &text, &len);
	if (*rc < 0) {
		log_errf(err, errlen, "%s: %s", path, strerror(-*rc));
		return NULL;
	}
	root = apiobj_parse(text, len, msg, sizeof(msg));
	free(text);
	if (!root) {
		*rc = -EINVAL;
		log_errf(err, errlen, "%s: %s", path, msg);
	}
	return root;
}

typedef int store_read_fn(const json_t *root, void *out, char *err, size_t errlen);

/* The reader of the one kind the state dir holds, for store_list(). */
static int store_read_pod_status(const json_t *root, void *out, char *err, size_t errlen)
{
	return model_pod_status_from_value(root, out, err, errlen);
}

static int store_key_cmp(const void *a, const void *b)
{
	const struct store_key *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

int store_list_keys(const char *statedir, enum store_kind kind, struct store_key **out, int *n,
		    char *err, size_t errlen)
{
	struct store_key *keys = NULL;
	char path[PATH_MAX];
	struct dirent *de;
	int cap = 0, cnt = 0;
	DIR *dir;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", statedir, store_kind_dir(kind));
	dir = opendir(path);
	if (!dir) {
		if (errno == ENOENT)   /* nothing written yet */
			goto done;
		log_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		const char *us;
		struct store_key *k;

		/* Temporary files of an atomic write end in .tmp.<pid>. */
		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		len -= 5;
		us = memchr(de->d_name, '_', len);
		if (!us)
			continue;
		if (cnt == cap) {
			int ncap = cap ? cap * 2 : 64;
			struct store_key *nk = realloc(keys, (size_t)ncap * sizeof(*nk));

			if (!nk) {
				closedir(dir);
				free(keys);
				log_errf(err, errlen, "out of memory");
				return -1;
			}
			keys = nk;
			cap = ncap;
		}
		k = &keys[cnt];
		{
			size_t nsl = (size_t)(us - de->d_name), nl = len - nsl - 1;

			if (nsl >= sizeof(k->ns) || nl >= sizeof(k->name) || nl == 0)
				continue;
			memcpy(k->ns, de->d_name, nsl);
			k->ns[nsl] = '\0';
			memcpy(k->name, us + 1, nl);
			k->name[nl] = '\0';
		}
		cnt++;
	}
	closedir(dir);
	if (cnt > 1)
		qsort(keys, (size_t)cnt, sizeof(*keys), store_key_cmp);
done:
	if (!keys) {
		keys = calloc(1, sizeof(*keys));
		if (!keys) {
			log_errf(err, errlen, "out of memory");
			return -1;
		}
	}
	*out = keys;
	*n = cnt;
	return 0;
}

/* Reads every file of a kind into a calloc'd array of `size`-byte objects
 * in key order, skipping (with a warning) files that do not parse. */
static int store_list(const char *statedir, enum store_kind kind, size_t size,
		      store_read_fn *rd, void (*fail)(void *), void **out, int *n, char *err,
		      size_t errlen)
{
	struct store_key *keys;
	char path[PATH_MAX], msg[512];
	int nkeys, cnt = 0;
	char *arr;

	*out = NULL;
	*n = 0;
	if (store_list_keys(statedir, kind, &keys, &nkeys, err, errlen) < 0)
		return -1;
	/* calloc: large, mostly-unused structs stay untouched zero pages. */
	arr = calloc(nkeys > 0 ? (size_t)nkeys : 1, size);
	if (!arr) {
		free(keys);
		log_errf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < nkeys; i++) {
		void *slot = arr + (size_t)cnt * size;
		json_t *root;
		int rc;

		store_path(statedir, kind, keys[i].ns, keys[i].name, path, sizeof(path));
		root = store_load(path, &rc, msg, sizeof(msg));
		if (!root) {
			/* Deleted since the directory was read: not an error. */
			if (rc != -ENOENT)
				log_warn("%s, skipped", msg);
			continue;
		}
		if (rd(root, slot, msg, sizeof(msg)) == 0) {
			cnt++;
		} else {
			log_warn("%s: %s, skipped", path, msg);
			if (fail)
				fail(slot);
			memset(slot, 0, size);
		}
		json_decref(root);
	}
	free(keys);
	*out = arr;
	*n = cnt;
	return 0;
}

int store_list_pod_statuses(const char *statedir, struct model_pod_status **out, int *n,
			    char *err, size_t errlen)
{
	return store_list(statedir, STORE_POD_STATUS, sizeof(**out), store_read_pod_status,
			  NULL, (void **)out, n, err, errlen);
}

/* ---- writes ----------------------------------------------------------- */

/* Replaces path with the buffer's content; with only_if_changed, leaves an
 * identical file alone. 1 written, 0 unchanged, -errno. */
static int store_write(const char *path, struct buf *b, bool only_if_changed)
{
	int rc;

	if (b->oom)
		return -ENOMEM;
	buf_putc(b, '\n');
	if (only_if_changed) {
		char *old = NULL;
		size_t len;

		if (fs_read_all(path, &old, &len) == 0 && len == b->len &&
		    memcmp(old, b->data, len) == 0) {
			free(old);
			return 0;
		}
		free(old);
	}
	rc = fs_write_atomic(path, b->data, b->len, 0644);
	if (rc == -ENOENT) {
		/* The kind's directory is made on first use. */
		char dir[PATH_MAX];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			if (fs_mkdir_p(dir, 0755) == 0)
				rc = fs_write_atomic(path, b->data, b->len, 0644);
		}
	}
	return rc < 0 ? rc : 1;
}

/* Writes obj (released here; NULL after an allocation failed) as kubectl
 * prints it. */
static int store_put_json(const char *statedir, enum store_kind kind, const char *ns,
			  const char *name, json_t *obj, bool only_if_changed)
{
	char *text = obj ? json_dumps(obj, JSON_INDENT(2)) : NULL;
	struct buf b = BUF_INIT;
	char path[PATH_MAX];
	int rc;

	json_decref(obj);
	if (!text)
		return -ENOMEM;
	buf_puts(&b, text);
	free(text);
	store_path(statedir, kind, ns, name, path, sizeof(path));
	rc = store_write(path, &b, only_if_changed);
	buf_free(&b);
	return rc;
}

static int store_put_result(int rc)
{
	return rc < 0 ? rc : 0;
}

int store_put_pod_status(const char *statedir, const struct model_pod_status *s)
{
	return store_put_result(store_put_json(statedir, STORE_POD_STATUS, s->ns, s->name,
					       model_pod_status_to_value(s), false));
}
