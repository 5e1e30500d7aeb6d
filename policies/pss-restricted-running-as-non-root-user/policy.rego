# Pod Security Standards, restricted: running as non-root user (PSA check runAsUser, v1.23+).
# Neither the pod nor any container may set runAsUser: 0. From v1.35 a pod in its own user
# namespace (spec.hostUsers: false) may.
package policies.pss_restricted_running_as_non_root_user

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

_check := "runAsUser"

_fix := "set runAsUser to a non-zero UID, or remove it and build the image with a non-root USER"

violation contains {
	"msg": "runAsUser=0 (pod must not set runAsUser=0)",
	"path": concat("", [ps.path, ".securityContext.runAsUser"]),
	"fix": _fix,
	"details": {"check": _check, "value": 0},
} if {
	some ps in _specs
	pss.security_context(ps.spec).runAsUser == 0
}

violation contains {
	"msg": sprintf("runAsUser=0 (container \"%s\" must not set runAsUser=0)", [c.name]),
	"path": concat("", [c.path, ".securityContext.runAsUser"]),
	"fix": _fix,
	"details": object.union(pss.container_details(c), {"check": _check, "value": 0}),
} if {
	count(_specs) > 0
	some c in pods.containers
	pss.security_context(c.container).runAsUser == 0
}

# The pod spec, when this check applies to it.
_specs[ps.path] := ps if {
	pss.evaluated
	pss.minor >= 23
	some ps in pods.pod_specs
	not _relaxed(ps.spec)
}

_relaxed(spec) if {
	pss.minor >= 35
	pss.user_namespace(spec)
}
