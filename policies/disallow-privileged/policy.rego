# Privileged containers get every capability and access to all host devices: root on the node.
# Pod Security Standards baseline, check "privileged".
package policies.disallow_privileged

import data.lib.kubernetes.pods

violation contains {
	"msg": sprintf("privileged (container \"%s\" must not set securityContext.privileged=true)", [c.name]),
	"path": concat("", [c.path, ".securityContext.privileged"]),
	"fix": "remove securityContext.privileged or set it to false",
	"details": {"container": c.name, "containerType": c.type, "value": true},
} if {
	some c in pods.containers
	c.container.securityContext.privileged == true
}
