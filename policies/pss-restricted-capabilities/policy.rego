# Pod Security Standards, restricted: capabilities (PSA check capabilities_restricted, v1.22+).
# Every container must drop ALL capabilities (securityContext.capabilities.drop includes "ALL")
# and may add back only NET_BIND_SERVICE. From v1.25, pods with spec.os.name: windows are exempt.
package policies.pss_restricted_capabilities

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

_check := "capabilities_restricted"

violation contains {
	"msg": sprintf("unrestricted capabilities (container \"%s\" must set securityContext.capabilities.drop=[\"ALL\"])", [c.name]),
	"path": concat("", [c.path, ".securityContext.capabilities.drop"]),
	"fix": "set securityContext.capabilities.drop: [\"ALL\"]",
	"details": object.union(pss.container_details(c), {"check": _check}),
} if {
	some c in _containers
	not _drops_all(pss.security_context(c.container))
}

violation contains {
	"msg": sprintf("unrestricted capabilities (container \"%s\" must not include %s in securityContext.capabilities.add)", [c.name, pss.join_quote(bad)]),
	"path": concat("", [c.path, ".securityContext.capabilities.add"]),
	"fix": sprintf("remove %s from securityContext.capabilities.add; only NET_BIND_SERVICE may be added", [pss.join_quote(bad)]),
	"details": object.union(pss.container_details(c), {"check": _check, "capabilities": bad}),
} if {
	some c in _containers
	added := pss.security_context(c.container).capabilities.add
	is_array(added)
	bad := sort({sprintf("%v", [x]) | some x in added; x != "NET_BIND_SERVICE"})
	count(bad) > 0
}

# The containers, when this check applies to the pod.
_containers[c.path] := c if {
	pss.evaluated
	pss.minor >= 22
	some ps in pods.pod_specs
	not _windows_exempt(ps.spec)
	some c in pods.containers
}

_windows_exempt(spec) if {
	pss.minor >= 25
	pss.windows(spec)
}

_drops_all(sc) if {
	drop := sc.capabilities.drop
	is_array(drop)
	"ALL" in drop
}
