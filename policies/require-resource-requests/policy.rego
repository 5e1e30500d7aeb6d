# Every container must request the resources named in parameters.resources (default cpu and
# memory), so the scheduler places pods on nodes that can hold them and the kubelet can rank them
# under pressure. A limit counts as the request: the API server copies limits into missing requests
# when it creates a Pod (SetDefaults_Pod), so a template that sets only limits yields pods with
# requests. Ephemeral containers are skipped: the apiserver forbids resources on them.
package policies.require_resource_requests

import data.lib.kubernetes.pods

default_resources := ["cpu", "memory"]

resources := object.get(input, ["parameters", "resources"], default_resources)

# Example values shown in the fix for well-known resources.
_examples := {"cpu": "100m", "memory": "128Mi", "ephemeral-storage": "1Gi"}

_example(r) := object.get(_examples, r, "<quantity>")

_has(c, r) if object.get(c, ["resources", "requests", r], null) != null

_has(c, r) if object.get(c, ["resources", "limits", r], null) != null

violation contains {
	"msg": $"resource requests (container \"{c.name}\" must set {concat(", ", [concat("", ["resources.requests.", r]) | some r in missing])})",
	"path": concat("", [c.path, ".resources.requests"]),
	"fix": $"add to container \"{c.name}\": resources: \{requests: \{{concat(", ", [concat(": ", [r, _example(r)]) | some r in missing])}}}",
	"details": {"container": c.name, "containerType": c.type, "missing": missing, "required": resources},
} if {
	some c in pods.containers
	c.type != "ephemeralContainer"
	missing := [r | some r in resources; not _has(c.container, r)]
	count(missing) > 0
}
