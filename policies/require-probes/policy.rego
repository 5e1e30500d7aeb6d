# Long-running containers must declare the probes named in parameters.probes (default liveness
# and readiness), so the kubelet restarts a hung container and Services send traffic only to
# ready pods. Checked: regular containers and restartable init containers (native sidecars,
# restartPolicy: Always), which run for the pod's lifetime. Skipped: plain init containers and
# ephemeral containers (the API server forbids probes on them) and pods whose restartPolicy is
# Never or OnFailure (run-to-completion pods, where readiness has no meaning).
package policies.require_probes

import data.lib.kubernetes.pods

default_probes := ["livenessProbe", "readinessProbe"]

probes := object.get(input, ["parameters", "probes"], default_probes)

_long_running(c) if c.type == "container"

_long_running(c) if {
	c.type == "initContainer"
	c.container.restartPolicy == "Always"
}

_runs_to_completion if {
	some ps in pods.pod_specs
	ps.spec.restartPolicy in {"Never", "OnFailure"}
}

_has_probe(container, p) if is_object(container[p])

_and(names) := names[0] if count(names) == 1

_and(names) := concat(" and ", [concat(", ", array.slice(names, 0, count(names) - 1)), names[count(names) - 1]]) if {
	count(names) > 1
}

violation contains {
	"msg": $"probes (container \"{c.name}\" must set {concat(", ", missing)})",
	"path": c.path,
	"fix": $"add {_and(missing)} to container \"{c.name}\" (httpGet, tcpSocket, grpc or exec)",
	"details": {"container": c.name, "containerType": c.type, "missing": missing, "required": probes},
} if {
	not _runs_to_completion
	some c in pods.containers
	_long_running(c)
	missing := [p | some p in probes; not _has_probe(c.container, p)]
	count(missing) > 0
}
