# Pod Security Standards, restricted: privilege escalation (PSA check allowPrivilegeEscalation,
# v1.8+). Every container must set securityContext.allowPrivilegeEscalation=false (unset counts as
# allowed escalation). From v1.25, pods with spec.os.name: windows are exempt.
package policies.pss_restricted_privilege_escalation

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

violation contains {
	"msg": sprintf("allowPrivilegeEscalation != false (container \"%s\" must set securityContext.allowPrivilegeEscalation=false)", [c.name]),
	"path": concat("", [c.path, ".securityContext.allowPrivilegeEscalation"]),
	"fix": "set securityContext.allowPrivilegeEscalation: false",
	"details": object.union(pss.container_details(c), {"check": "allowPrivilegeEscalation", "value": value}),
} if {
	pss.evaluated
	pss.minor >= 8
	some ps in pods.pod_specs
	not _windows_exempt(ps.spec)
	some c in pods.containers
	value := object.get(pss.security_context(c.container), "allowPrivilegeEscalation", null)
	value != false
}

_windows_exempt(spec) if {
	pss.minor >= 25
	pss.windows(spec)
}
