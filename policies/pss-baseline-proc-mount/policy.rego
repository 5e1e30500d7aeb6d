# Pod Security Standards, baseline: /proc mount (PSA check procMount).
# Containers must keep the default masked /proc: securityContext.procMount must be unset or
# "Default". From v1.35 a pod in its own user namespace (spec.hostUsers: false) may set any value;
# the restricted level takes that relaxation back (pss-restricted-proc-mount).
package policies.pss_baseline_proc_mount

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

violation contains {
	"msg": sprintf("procMount (container \"%s\" must not set securityContext.procMount to \"%v\")", [c.name, value]),
	"path": concat("", [c.path, ".securityContext.procMount"]),
	"fix": "remove securityContext.procMount or set it to Default",
	"details": object.union(pss.container_details(c), {"check": "procMount", "value": value}),
} if {
	pss.evaluated
	some ps in pods.pod_specs
	not _relaxed(ps.spec)
	some c in pods.containers
	sc := pss.security_context(c.container)
	pss.is_set(sc, "procMount")
	value := sc.procMount
	value != "Default"
}

_relaxed(spec) if {
	pss.minor >= 35
	pss.user_namespace(spec)
}
