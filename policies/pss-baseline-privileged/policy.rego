# Pod Security Standards, baseline: privileged containers (PSA check privileged, v1.0+).
# Containers, init containers and ephemeral containers must not set
# securityContext.privileged=true.
package policies.pss_baseline_privileged

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

violation contains {
	"msg": sprintf("privileged (container \"%s\" must not set securityContext.privileged=true)", [c.name]),
	"path": concat("", [c.path, ".securityContext.privileged"]),
	"fix": "remove securityContext.privileged or set it to false",
	"details": object.union(pss.container_details(c), {"check": "privileged", "value": true}),
} if {
	pss.evaluated
	some c in pods.containers
	pss.security_context(c.container).privileged == true
}
