/* images.h — the image table: which command line a container image runs.
 *
 * A lab has no container runtime and pulls nothing: an image reference is
 * only a key into this table, and "running the image" means executing the
 * command line the table gives for it inside the pod's network namespace.
 * The table is built from three sources, highest precedence first:
 *
 *   $CLIENTIP_IMAGES          a file path (tests and one-off overrides)
 *   /etc/clientip/images.conf the machine's table
 *   built-ins                 nfranssens/nodejs-ip and clientip/clientip-echo,
 *                             both {bindir}/clientip-echo
 *
 * One entry per line, `IMAGE[:TAG|:*]  COMMAND ARGS...`, split into words
 * like a shell would (quotes, backslashes, `#` comments) but without a
 * shell: no variables, no globbing. `{bindir}` becomes the directory of
 * the agent's own binary. The full format is in docs/IMAGES.md.
 */
#ifndef CLIENTIP_IMAGES_H
#define CLIENTIP_IMAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define IMAGES_SYSTEM_FILE "/etc/clientip/images.conf"
#define IMAGES_ENV         "CLIENTIP_IMAGES"
#define IMAGES_TAG_MAX     160  /* a tag (128) or "@sha256:" and 64 hex digits */

/* Where an entry came from; a higher value takes precedence. */
enum images_source { IMAGES_BUILTIN, IMAGES_SYSTEM, IMAGES_USER };

struct images_entry {
	char name[MODEL_IMAGE_MAX];     /* normalised: "nginx", "nfranssens/nodejs-ip" */
	char tag[IMAGES_TAG_MAX];       /* "" matches any tag */
	enum images_source source;
	char origin[96];                /* "images.conf:12" or "built-in", for messages */
	char argv[MODEL_MAX_ARGS][MODEL_ARG_MAX]; /* argv[0] is the entrypoint */
	int argc;
};

struct images_table {
	struct images_entry *items;     /* malloc'd; images_table_free() */
	int n, cap;
};

/* Splits one line into words the way sh does, without expanding anything:
 * blanks separate words; '...' keeps everything literally; "..." keeps
 * everything but \\ \" \$ \` and backslash-newline; a backslash outside
 * quotes takes the next character literally; `#` at the start of a word
 * begins a comment. Each word is copied into words[i] (wordlen bytes).
 * Returns the number of words, or -1 with a message in err (unterminated
 * quote, too many or too long words). */
int images_split(const char *line, char (*words)[MODEL_ARG_MAX], int max,
		 char *err, size_t errlen);

/* Normalises an image reference: drops a Docker Hub registry prefix and
 * "library/", separates the tag or digest. A reference without one gets
 * tag "latest", as a container runtime would pull it. A digest is kept
 * with its '@' ("@sha256:..."). 0, or -1 with err for an empty or
 * oversized reference. */
int images_normalize(const char *ref, char name[MODEL_IMAGE_MAX], char tag[IMAGES_TAG_MAX],
		     char *err, size_t errlen);

/* Parses a table file's text, appending its entries with the given source.
 * `origin` names the file in messages. A bad line is skipped; the first
 * problem is described in err. Returns the number of bad lines (0 when
 * the text is clean) or -1 if memory ran out. */
int images_parse(struct images_table *t, const char *text, const char *origin,
		 enum images_source source, const char *bindir, char *err, size_t errlen);

/* Adds the built-in entries. 0 or -1 (out of memory). */
int images_add_builtins(struct images_table *t, const char *bindir);

/* The whole table: built-ins, then system_file (NULL: the default path)
 * and user_file (NULL: $CLIENTIP_IMAGES) if they exist. A file that
 * exists but cannot be read, or has bad lines, is reported in err (the
 * rest of the table still loads). Returns 0, 1 if err holds a warning, or
 * -1 on failure. */
int images_load(struct images_table *t, const char *bindir, const char *system_file,
		const char *user_file, char *err, size_t errlen);

void images_table_free(struct images_table *t);

/* The entry an image reference runs, or NULL. Of the entries matching the
 * reference, one from the source with the highest precedence wins; within
 * a source an exact tag beats a wildcard, and of two equal entries the
 * later line wins. */
const struct images_entry *images_lookup(const struct images_table *t, const char *ref);

/* Kubernetes' $(VAR) expansion of `in` against env[0..n_env): $(NAME) of
 * a defined variable becomes its value, an undefined one stays as written,
 * $$ becomes $. 0, or -1 if the result does not fit in outlen. */
int images_expand(const char *in, const struct model_env *env, int n_env,
		  char *out, size_t outlen);

/* The container's argv, with Kubernetes' rules for command and args:
 *   neither        the image's entrypoint and arguments
 *   args only      the image's entrypoint, the container's args
 *   command only   the container's command (the image's arguments dropped)
 *   both           the container's command, then its args
 * $(VAR) references in command and args expand against the container's
 * env. Returns argc, or -1 with a message in err. */
int images_compose(const struct images_entry *img, const struct model_container *c,
		   char (*argv)[MODEL_ARG_MAX], int max, char *err, size_t errlen);

#endif
