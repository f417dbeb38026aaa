/* describe_extra.c — the place where other parts of the lab add to
 * `clientip describe svc`.
 *
 * describe_svc_extra() runs after the "HealthCheck NodePort" line and
 * before "Events". The node service proxy fills it with its per-node view
 * (local endpoints, health check node port answers): append lines such as
 *
 *   buf_puts(out, "Node Health Checks:\n");
 *   buf_printf(out, "  node0:\t200 (1 local endpoint)\n");
 *
 * Tabs separate label and value; consecutive tabbed lines are aligned the
 * way kubectl's describe aligns them (cli/objects.h, obj_tabwrite). Until
 * then it adds nothing.
 */
#include "objects.h"

void describe_svc_extra(const struct cli *cli, const struct model_service *s, struct buf *out)
{
	(void)cli;
	(void)s;
	(void)out;
}
