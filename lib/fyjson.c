/* fyjson.c — see fyjson.h. */
#include "fyjson.h"

#include <stdio.h>
#include <string.h>

struct fyjson_diag {
	char text[256];
	size_t len;
};

static void fyjson_diag_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	struct fyjson_diag *d = user;

	(void)diag;
	if (len > sizeof(d->text) - 1 - d->len)
		len = sizeof(d->text) - 1 - d->len;
	memcpy(d->text + d->len, buf, len);
	d->len += len;
	d->text[d->len] = '\0';
}

/* "<memory-@0x...>:2:1: error: did not find expected node content\n..."
 * -> "2:1: did not find expected node content" */
static const char *fyjson_diag_message(struct fyjson_diag *d)
{
	char *nl = strchr(d->text, '\n'), *pos = strstr(d->text, ">:"), *e;

	if (nl)
		*nl = '\0';
	e = strstr(d->text, "error: ");
	if (pos && e && pos < e) {
		size_t n = (size_t)(e - (pos + 2));

		memmove(d->text, pos + 2, n);
		memmove(d->text + n, e + 7, strlen(e + 7) + 1);
	}
	return d->text;
}

struct fy_document *fyjson_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_JSON_FORCE };
	struct fyjson_diag captured = { "", 0 };
	struct fy_diag_cfg dcfg;
	struct fy_document *doc;
	struct fy_diag *diag;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = fyjson_diag_output;
	dcfg.user = &captured;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cfg.diag = diag;
	doc = fy_document_build_from_string(&cfg, text, len);
	if (!doc) {
		snprintf(err, errlen, "not valid JSON%s%s", captured.text[0] ? ": " : "",
			 fyjson_diag_message(&captured));
	} else if (!fy_document_root(doc)) {
		snprintf(err, errlen, "empty document");
		fy_document_destroy(doc);
		doc = NULL;
	}
	fy_diag_destroy(diag);
	return doc;
}
