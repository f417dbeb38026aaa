/* describe_extra.c — the place where other parts of the lab add to
 * `clientip describe svc`.
 *
 * describe_svc_extra() runs after the "HealthCheck NodePort" line and
 * before "Events". The node service proxy adds its per-node view there:
 * each node's local endpoints and what its health check node port answers
 * (cli/describe_proxy.c, read from files only). Tabs separate label and
 * value; consecutive tabbed lines are aligned the way kubectl's describe
 * aligns them (cli/objects.h, obj_tabwrite).
 */
#include "describe_proxy.h"
#include "objects.h"

void describe_svc_extra(const struct cli *cli, const struct model_service *s, struct buf *out)
{
	describe_svc_proxy_lines(cli, s, out);
}
