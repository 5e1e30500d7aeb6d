# Pod Security Standards, baseline: host probes and lifecycle hooks (PSA check
# hostProbesAndHostLifecycle, v1.34+). Probes (liveness, readiness, startup) and lifecycle hooks
# (postStart, preStop) must not send httpGet or tcpSocket requests to another host: .host must be
# unset or empty, so the kubelet only ever connects to the pod itself. One violation per handler.
package policies.pss_baseline_host_probes_and_lifecycle_hooks

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

_handlers := [
	["livenessProbe"],
	["readinessProbe"],
	["startupProbe"],
	["lifecycle", "postStart"],
	["lifecycle", "preStop"],
]

violation contains {
	"msg": sprintf("probe or lifecycle host (container \"%s\" uses probe or lifecycle host \"%v\")", [c.name, host]),
	"path": concat(".", [c.path, concat(".", handler), action, "host"]),
	"fix": sprintf("remove %s.%s.host: the kubelet then connects to the pod's own IP", [concat(".", handler), action]),
	"details": object.union(pss.container_details(c), {"check": "hostProbesAndHostLifecycle", "host": host}),
} if {
	pss.evaluated
	pss.minor >= 34
	some c in pods.containers
	some handler in _handlers
	h := object.get(c.container, handler, null)
	is_object(h)
	some action in ["httpGet", "tcpSocket"]
	a := h[action]
	is_object(a)
	host := object.get(a, "host", "")
	host != ""
}
