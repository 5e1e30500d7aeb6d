# Every container must declare the resource limits named in parameters.resources (default cpu and
# memory), so one workload cannot starve its node. Ephemeral containers are skipped: the apiserver
# forbids resources on them.
package policies.require_resource_limits

import data.lib.kubernetes.pods

default_resources := ["cpu", "memory"]

resources := object.get(input, ["parameters", "resources"], default_resources)

# Example values shown in the fix for well-known resources.
_examples := {"cpu": "500m", "memory": "256Mi", "ephemeral-storage": "1Gi"}

_missing(limits) := [r |
	some r in resources
	not _has(limits, r)
]

_has(limits, r) if limits[r] != null

_example(r) := object.get(_examples, r, "<quantity>")

violation contains {
	"msg": sprintf("resource limits (container \"%s\" must set %s)", [c.name, concat(", ", [concat("", ["resources.limits.", r]) | some r in missing])]),
	"path": concat("", [c.path, ".resources.limits"]),
	"fix": sprintf("add to container \"%s\": resources: {limits: {%s}}", [c.name, concat(", ", [concat(": ", [r, _example(r)]) | some r in missing])]),
	"details": {"container": c.name, "containerType": c.type, "missing": missing, "required": resources},
} if {
	some c in pods.containers
	c.type != "ephemeralContainer"
	limits := object.get(c.container, ["resources", "limits"], {})
	missing := _missing(limits)
	count(missing) > 0
}
