# Pod Security Standards, restricted: /proc mount (PSA check procMount_restricted, v1.35+).
# From v1.35 the baseline procMount check lets a pod in its own user namespace
# (spec.hostUsers: false) unmask /proc; the restricted level does not: securityContext.procMount
# must be unset or "Default" for every container. (Before v1.35 the baseline check,
# pss-baseline-proc-mount, already refuses every pod.)
package policies.pss_restricted_proc_mount

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

violation contains {
	"msg": sprintf("procMount (container \"%s\" must not set securityContext.procMount to \"%v\")", [c.name, value]),
	"path": concat("", [c.path, ".securityContext.procMount"]),
	"fix": "remove securityContext.procMount or set it to Default",
	"details": object.union(pss.container_details(c), {"check": "procMount_restricted", "value": value}),
} if {
	pss.evaluated
	pss.minor >= 35
	some c in pods.containers
	sc := pss.security_context(c.container)
	pss.is_set(sc, "procMount")
	value := sc.procMount
	value != "Default"
}
