/* labels.h — label selectors (-l, kubectl's syntax) and label maps as
 * kubectl prints them (LABELS, SELECTOR, "Selector:").
 */
#ifndef CLIENTIP_CLI_LABELS_H
#define CLIENTIP_CLI_LABELS_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define LABELS_SEL_MAX 16

struct labels_selector {
	struct {
		char key[MODEL_KEY_MAX];
		char value[MODEL_VALUE_MAX];
		enum { LABELS_SEL_EQ, LABELS_SEL_NE, LABELS_SEL_EXISTS, LABELS_SEL_NOT_EXISTS } op;
	} req[LABELS_SEL_MAX];
	int n;
};

/* "app=web,tier!=db,canary,!legacy". 0, or -1 with a message in err. */
int labels_selector_parse(const char *s, struct labels_selector *sel, char *err, size_t errlen);
/* An empty selector matches everything. */
bool labels_selector_matches(const struct labels_selector *sel, const struct model_map *labels);

/* "app=node,tier=web" or "<none>". */
void labels_format(const struct model_map *m, char *buf, size_t len);

#endif
