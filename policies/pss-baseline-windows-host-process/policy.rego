# Pod Security Standards, baseline: Windows HostProcess (PSA check windowsHostProcess, v1.0+).
# HostProcess containers run directly on the Windows node with host access: neither the pod nor
# any container may set securityContext.windowsOptions.hostProcess=true.
package policies.pss_baseline_windows_host_process

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

_fix := "remove securityContext.windowsOptions.hostProcess or set it to false"

violation contains {
	"msg": "hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)",
	"path": concat("", [ps.path, ".securityContext.windowsOptions.hostProcess"]),
	"fix": _fix,
	"details": {"check": "windowsHostProcess", "value": true},
} if {
	pss.evaluated
	some ps in pods.pod_specs
	pss.security_context(ps.spec).windowsOptions.hostProcess == true
}

violation contains {
	"msg": sprintf("hostProcess (container \"%s\" must not set securityContext.windowsOptions.hostProcess=true)", [c.name]),
	"path": concat("", [c.path, ".securityContext.windowsOptions.hostProcess"]),
	"fix": _fix,
	"details": object.union(pss.container_details(c), {"check": "windowsHostProcess", "value": true}),
} if {
	pss.evaluated
	some c in pods.containers
	pss.security_context(c.container).windowsOptions.hostProcess == true
}
