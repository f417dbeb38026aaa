/* images.c — see images.h. */
#include "images.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

/* Kept as table text so the built-ins go through the same parser (and the
 * same {bindir} substitution) as a user's file. */
static const char images_builtin_text[] =
	"# the scenario's app (examples/aks-scenario/)\n"
	"nfranssens/nodejs-ip:*    {bindir}/clientip-echo\n"
	"# the project's own image of the same app\n"
	"clientip/clientip-echo:*  {bindir}/clientip-echo\n";

static bool images_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Appends c to the word being built; false once it is full. */
static bool images_put(char *w, size_t *len, char c)
{
	if (*len + 1 >= MODEL_ARG_MAX)
		return false;
	w[(*len)++] = c;
	return true;
}

int images_split(const char *line, char (*words)[MODEL_ARG_MAX], int max,
		 char *err, size_t errlen)
{
	const char *p = line;
	int n = 0;

	for (;;) {
		size_t len = 0;
		char *w;

		while (images_blank(*p))
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max) {
			snprintf(err, errlen, "more than %d words", max);
			return -1;
		}
		w = words[n];
		while (*p && !images_blank(*p)) {
			bool ok = true;

			if (*p == '\'') {
				for (p++; *p && *p != '\'' && ok; p++)
					ok = images_put(w, &len, *p);
				if (ok && !*p) {
					snprintf(err, errlen, "unterminated single quote");
					return -1;
				}
				p++;
			} else if (*p == '"') {
				for (p++; *p && *p != '"' && ok; p++) {
					/* Inside double quotes sh gives a backslash its
					 * meaning only before these characters. */
					if (*p == '\\' && p[1] == '\n') {
						p++;
						continue;
					}
					if (*p == '\\' && p[1] && strchr("\\\"$`", p[1]))
						p++;
					ok = images_put(w, &len, *p);
				}
				if (ok && !*p) {
					snprintf(err, errlen, "unterminated double quote");
					return -1;
				}
				p++;
			} else if (*p == '\\') {
				if (p[1] == '\0') {
					snprintf(err, errlen, "a backslash ends the line");
					return -1;
				}
				if (p[1] != '\n')
					ok = images_put(w, &len, p[1]);
				p += 2;
			} else {
				ok = images_put(w, &len, *p++);
			}
			if (!ok) {
				snprintf(err, errlen, "a word is longer than %d characters",
					 MODEL_ARG_MAX - 1);
				return -1;
			}
		}
		w[len] = '\0';
		n++;
	}
}

static int images_copy(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

/* Splits ref into a normalised name and its tag or digest; *has_tag says
 * whether ref carried one. */
static int images_split_ref(const char *ref, char name[MODEL_IMAGE_MAX],
			    char tag[IMAGES_TAG_MAX], bool *has_tag, char *err, size_t errlen)
{
	static const char *const hub[] = {
		"docker.io/", "index.docker.io/", "registry-1.docker.io/",
	};
	const char *at = strchr(ref, '@'), *slash, *colon, *end;

	*has_tag = false;
	tag[0] = '\0';
	if (at) {
		if (images_copy(tag, IMAGES_TAG_MAX, at, strlen(at)) < 0 || at[1] == '\0')
			goto bad;
		*has_tag = true;
		end = at;
		/* "name:tag@digest": the digest alone says what runs. */
		slash = memrchr(ref, '/', (size_t)(end - ref));
		colon = memrchr(ref, ':', (size_t)(end - ref));
		if (colon && (!slash || colon > slash))
			end = colon;
	} else {
		slash = strrchr(ref, '/');
		colon = strrchr(ref, ':');
		end = ref + strlen(ref);
		/* A colon before the last slash is a registry's port. */
		if (colon && (!slash || colon > slash)) {
			if (colon[1] == '\0' ||
			    images_copy(tag, IMAGES_TAG_MAX, colon + 1, strlen(colon + 1)) < 0)
				goto bad;
			*has_tag = true;
			end = colon;
		}
	}
	for (size_t i = 0; i < sizeof(hub) / sizeof(hub[0]); i++) {
		size_t n = strlen(hub[i]);

		if ((size_t)(end - ref) > n && strncmp(ref, hub[i], n) == 0) {
			ref += n;
			break;
		}
	}
	/* Docker Hub's official images live under library/: "nginx" and
	 * "docker.io/library/nginx" are the same image. */
	if ((size_t)(end - ref) > 8 && strncmp(ref, "library/", 8) == 0)
		ref += 8;
	if (end == ref || end[-1] == '/' ||
	    images_copy(name, MODEL_IMAGE_MAX, ref, (size_t)(end - ref)) < 0)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "invalid image reference \"%.*s\"", 200, ref);
	return -1;
}

int images_normalize(const char *ref, char name[MODEL_IMAGE_MAX], char tag[IMAGES_TAG_MAX],
		     char *err, size_t errlen)
{
	bool has_tag;

	if (images_split_ref(ref, name, tag, &has_tag, err, errlen) < 0)
		return -1;
	if (!has_tag)
		snprintf(tag, IMAGES_TAG_MAX, "latest");
	return 0;
}

/* Replaces every {bindir} in word. */
static int images_subst_bindir(char word[MODEL_ARG_MAX], const char *bindir)
{
	static const char key[] = "{bindir}";
	char out[MODEL_ARG_MAX];
	size_t len = 0, blen = strlen(bindir);
	const char *p = word;

	if (!strstr(word, key))
		return 0;
	while (*p) {
		if (strncmp(p, key, sizeof(key) - 1) == 0) {
			if (len + blen >= sizeof(out))
				return -1;
			memcpy(out + len, bindir, blen);
			len += blen;
			p += sizeof(key) - 1;
		} else {
			if (len + 1 >= sizeof(out))
				return -1;
			out[len++] = *p++;
		}
	}
	out[len] = '\0';
	memcpy(word, out, len + 1);
	return 0;
}

static struct images_entry *images_append(struct images_table *t)
{
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 8;
		struct images_entry *p = realloc(t->items, (size_t)cap * sizeof(*p));

		if (!p)
			return NULL;
		t->items = p;
		t->cap = cap;
	}
	memset(&t->items[t->n], 0, sizeof(t->items[t->n]));
	return &t->items[t->n++];
}

/* One line into e; -1 with a message (without the origin) in err. */
static int images_parse_line(struct images_entry *e, char (*words)[MODEL_ARG_MAX], int n,
			     const char *bindir, char *err, size_t errlen)
{
	bool has_tag;

	if (n == 1) {
		snprintf(err, errlen, "image %s has no command", words[0]);
		return -1;
	}
	if (images_split_ref(words[0], e->name, e->tag, &has_tag, err, errlen) < 0)
		return -1;
	if (strcmp(e->tag, "*") == 0)
		e->tag[0] = '\0';
	e->argc = n - 1;
	for (int i = 1; i < n; i++) {
		memcpy(e->argv[i - 1], words[i], MODEL_ARG_MAX);
		if (images_subst_bindir(e->argv[i - 1], bindir) < 0) {
			snprintf(err, errlen, "word %d is too long once {bindir} is replaced", i + 1);
			return -1;
		}
	}
	return 0;
}

int images_parse(struct images_table *t, const char *text, const char *origin,
		 enum images_source source, const char *bindir, char *err, size_t errlen)
{
	char (*words)[MODEL_ARG_MAX] = malloc((MODEL_MAX_ARGS + 1) * sizeof(*words));
	char line[4096], msg[256];
	const char *p = text;
	int bad = 0, lineno = 0;

	if (!words)
		return -1;
	if (errlen)
		err[0] = '\0';
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct images_entry *e;
		int n;

		lineno++;
		if (len >= sizeof(line)) {
			n = -1;
			snprintf(msg, sizeof(msg), "line longer than %zu characters", sizeof(line) - 1);
		} else {
			memcpy(line, p, len);
			line[len] = '\0';
			n = images_split(line, words, MODEL_MAX_ARGS + 1, msg, sizeof(msg));
		}
		p += len + (nl ? 1 : 0);
		if (n == 0)
			continue;
		if (n > 0) {
			e = images_append(t);
			if (!e) {
				free(words);
				return -1;
			}
			e->source = source;
			snprintf(e->origin, sizeof(e->origin), "%.80s:%d", origin, lineno);
			if (images_parse_line(e, words, n, bindir, msg, sizeof(msg)) == 0)
				continue;
			t->n--;
		}
		if (bad++ == 0)
			snprintf(err, errlen, "%s:%d: %s", origin, lineno, msg);
	}
	free(words);
	return bad;
}

int images_add_builtins(struct images_table *t, const char *bindir)
{
	char err[256];

	return images_parse(t, images_builtin_text, "built-in", IMAGES_BUILTIN, bindir,
			    err, sizeof(err)) == 0 ? 0 : -1;
}

/* Adds one file's entries. 0, 1 with a warning in err, -1 on failure. */
static int images_load_file(struct images_table *t, const char *path, enum images_source source,
			    bool must_exist, const char *bindir, char *err, size_t errlen)
{
	char *text = NULL;
	int rc = fs_read_all(path, &text, NULL);

	if (rc == -ENOENT && !must_exist)
		return 0;
	if (rc < 0) {
		snprintf(err, errlen, "image table %s: %s", path, strerror(-rc));
		return 1;
	}
	rc = images_parse(t, text, path, source, bindir, err, errlen);
	free(text);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		char first[256];

		snprintf(first, sizeof(first), "%s", err);
		snprintf(err, errlen, "%s (%d bad line%s skipped)", first, rc, rc == 1 ? "" : "s");
		return 1;
	}
	return 0;
}

int images_load(struct images_table *t, const char *bindir, const char *system_file,
		const char *user_file, char *err, size_t errlen)
{
	char msg[320];
	int rc, warn = 0;

	if (errlen)
		err[0] = '\0';
	if (images_add_builtins(t, bindir) < 0)
		return -1;
	if (!user_file) {
		user_file = getenv(IMAGES_ENV);
		if (user_file && !*user_file)
			user_file = NULL;
	}
	rc = images_load_file(t, system_file ? system_file : IMAGES_SYSTEM_FILE, IMAGES_SYSTEM,
			      false, bindir, msg, sizeof(msg));
	if (rc < 0)
		return -1;
	if (rc > 0) {
		snprintf(err, errlen, "%s", msg);
		warn = 1;
	}
	if (user_file) {
		/* Someone named this file on purpose: its absence is worth a word. */
		rc = images_load_file(t, user_file, IMAGES_USER, true, bindir, msg, sizeof(msg));
		if (rc < 0)
			return -1;
		if (rc > 0) {
			size_t used = warn ? strlen(err) : 0;

			snprintf(err + used, errlen - used, "%s%s", warn ? "; " : "", msg);
			warn = 1;
		}
	}
	return warn;
}

void images_table_free(struct images_table *t)
{
	free(t->items);
	t->items = NULL;
	t->n = t->cap = 0;
}

const struct images_entry *images_lookup(const struct images_table *t, const char *ref)
{
	char name[MODEL_IMAGE_MAX], tag[IMAGES_TAG_MAX], err[256];
	const struct images_entry *best = NULL;
	int best_rank = -1;

	if (images_normalize(ref, name, tag, err, sizeof(err)) < 0)
		return NULL;
	for (int i = 0; i < t->n; i++) {
		const struct images_entry *e = &t->items[i];
		bool exact = strcmp(e->tag, tag) == 0;
		int rank;

		if (strcmp(e->name, name) != 0 || (!exact && e->tag[0]))
			continue;
		rank = (int)e->source * 2 + (exact ? 1 : 0);
		if (rank >= best_rank) {
			best = e;
			best_rank = rank;
		}
	}
	return best;
}

static const char *images_env_get(const struct model_env *env, int n_env, const char *name,
				  size_t len)
{
	/* The last definition wins, as in a Pod's env list. */
	for (int i = n_env - 1; i >= 0; i--) {
		if (strlen(env[i].name) == len && strncmp(env[i].name, name, len) == 0)
			return env[i].value;
	}
	return NULL;
}

int images_expand(const char *in, const struct model_env *env, int n_env,
		  char *out, size_t outlen)
{
	size_t len = 0;

	if (outlen == 0)
		return -1;
	while (*in) {
		const char *piece = in, *close;
		size_t plen = 1;

		if (in[0] == '$' && in[1] == '$') {
			plen = 1;
			in += 2;
		} else if (in[0] == '$' && in[1] == '(' && (close = strchr(in + 2, ')')) != NULL) {
			const char *v = images_env_get(env, n_env, in + 2, (size_t)(close - in - 2));

			if (v) {
				piece = v;
				plen = strlen(v);
			} else {
				plen = (size_t)(close - in) + 1;
			}
			in = close + 1;
		} else {
			in++;
		}
		if (len + plen >= outlen)
			return -1;
		memcpy(out + len, piece, plen);
		len += plen;
	}
	out[len] = '\0';
	return 0;
}

int images_compose(const struct images_entry *img, const struct model_container *c,
		   char (*argv)[MODEL_ARG_MAX], int max, char *err, size_t errlen)
{
	const char (*from)[MODEL_ARG_MAX];
	int n = 0, count;
	bool expand;

	for (int part = 0; part < 2; part++) {
		if (part == 0 && c->n_command > 0) {
			from = (const char (*)[MODEL_ARG_MAX])c->command;
			count = c->n_command;
			expand = true;
		} else if (part == 0) {
			from = (const char (*)[MODEL_ARG_MAX])img->argv;
			count = 1;
			expand = false;
		} else if (c->n_args > 0) {
			from = (const char (*)[MODEL_ARG_MAX])c->args;
			count = c->n_args;
			expand = true;
		} else if (c->n_command > 0) {
			/* A command replaces the image's entrypoint *and* its arguments. */
			break;
		} else {
			from = (const char (*)[MODEL_ARG_MAX])img->argv + 1;
			count = img->argc - 1;
			expand = false;
		}
		for (int i = 0; i < count; i++) {
			if (n == max) {
				snprintf(err, errlen, "more than %d arguments", max);
				return -1;
			}
			if (!expand) {
				memcpy(argv[n++], from[i], MODEL_ARG_MAX);
				continue;
			}
			if (images_expand(from[i], c->env, c->n_env, argv[n], MODEL_ARG_MAX) < 0) {
				snprintf(err, errlen, "argument %d is longer than %d characters once "
					 "$(VAR) references expand", n + 1, MODEL_ARG_MAX - 1);
				return -1;
			}
			n++;
		}
	}
	if (n == 0 || argv[0][0] == '\0') {
		snprintf(err, errlen, "empty command");
		return -1;
	}
	return n;
}
