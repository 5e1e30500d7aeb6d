# Pod Security Standards, restricted: running as non-root (PSA check runAsNonRoot, v1.0+).
# runAsNonRoot must be true: set on the pod (spec.securityContext.runAsNonRoot) and not set to
# false by any container, or set to true by every container. From v1.35 a pod in its own user
# namespace (spec.hostUsers: false) may run as root.
#
# As PSA does, explicit false values are reported first; containers that merely leave the field
# unset are reported only when nothing sets it to false.
package policies.pss_restricted_running_as_non_root

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

_check := "runAsNonRoot"

violation contains {
	"msg": "runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)",
	"path": concat("", [ps.path, ".securityContext.runAsNonRoot"]),
	"fix": "set spec.securityContext.runAsNonRoot: true",
	"details": {"check": _check, "value": false},
} if {
	some ps in _specs
	pss.security_context(ps.spec).runAsNonRoot == false
}

violation contains {
	"msg": sprintf("runAsNonRoot != true (container \"%s\" must not set securityContext.runAsNonRoot=false)", [c.name]),
	"path": concat("", [c.path, ".securityContext.runAsNonRoot"]),
	"fix": "set securityContext.runAsNonRoot: true or remove it and set it on the pod",
	"details": object.union(pss.container_details(c), {"check": _check, "value": false}),
} if {
	count(_specs) > 0
	some c in pods.containers
	pss.security_context(c.container).runAsNonRoot == false
}

violation contains {
	"msg": sprintf("runAsNonRoot != true (pod or container \"%s\" must set securityContext.runAsNonRoot=true)", [c.name]),
	"path": concat("", [c.path, ".securityContext.runAsNonRoot"]),
	"fix": "set spec.securityContext.runAsNonRoot: true (or securityContext.runAsNonRoot: true on the container)",
	"details": object.union(pss.container_details(c), {"check": _check, "value": null}),
} if {
	some ps in _specs
	not _explicitly_false(ps.spec)
	not pss.security_context(ps.spec).runAsNonRoot == true
	some c in pods.containers
	not pss.is_set(pss.security_context(c.container), "runAsNonRoot")
}

# The pod spec, when this check applies to it.
_specs[ps.path] := ps if {
	pss.evaluated
	some ps in pods.pod_specs
	not _relaxed(ps.spec)
}

_relaxed(spec) if {
	pss.minor >= 35
	pss.user_namespace(spec)
}

_explicitly_false(spec) if pss.security_context(spec).runAsNonRoot == false

_explicitly_false(_) if {
	some c in pods.containers
	pss.security_context(c.container).runAsNonRoot == false
}
