package policies.require_probes_test

import data.policies.require_probes as policy

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_probe := {"httpGet": {"path": "/healthz", "port": 8080}}

_probed(name) := {"name": name, "image": "app:1", "livenessProbe": _probe, "readinessProbe": _probe}

_pairs(vs) := {[v.msg, v.path] | some v in vs}

test_no_probes_denied if {
	pod := {"spec": {"containers": [{"name": "app", "image": "app:1"}]}}
	policy.violation == {{
		"msg": "probes (container \"app\" must set livenessProbe, readinessProbe)",
		"path": "spec.containers[0]",
		"fix": "add livenessProbe and readinessProbe to container \"app\" (httpGet, tcpSocket, grpc or exec)",
		"details": {"container": "app", "containerType": "container", "missing": ["livenessProbe", "readinessProbe"], "required": ["livenessProbe", "readinessProbe"]},
	}} with input.review as _review("Pod", pod)
}

test_probes_allowed if {
	pod := {"spec": {"containers": [_probed("app"), _probed("side")]}}
	count(policy.violation) == 0 with input.review as _review("Pod", pod)
}

test_readiness_missing if {
	pod := {"spec": {"containers": [{"name": "app", "livenessProbe": _probe}]}}
	vs := policy.violation with input.review as _review("Pod", pod)
	_pairs(vs) == {["probes (container \"app\" must set readinessProbe)", "spec.containers[0]"]}
	[v.fix | some v in vs] == ["add readinessProbe to container \"app\" (httpGet, tcpSocket, grpc or exec)"]
}

test_parameters_choose_probes if {
	pod := {"spec": {"containers": [{"name": "app", "readinessProbe": _probe}]}}
	count(policy.violation) == 0 with input.review as _review("Pod", pod) with input.parameters as {"probes": ["readinessProbe"]}
	vs := policy.violation with input.review as _review("Pod", pod) with input.parameters as {"probes": ["livenessProbe", "readinessProbe", "startupProbe"]}
	[v.fix | some v in vs] == ["add livenessProbe and startupProbe to container \"app\" (httpGet, tcpSocket, grpc or exec)"]
}

test_sidecars_checked_init_and_ephemeral_skipped if {
	d := {"spec": {"template": {"spec": {
		"initContainers": [{"name": "migrate"}, {"name": "proxy", "restartPolicy": "Always"}],
		"containers": [_probed("web")],
		"ephemeralContainers": [{"name": "debug"}],
	}}}}
	_pairs(policy.violation) == {["probes (container \"proxy\" must set livenessProbe, readinessProbe)", "spec.template.spec.initContainers[1]"]} with input.review as _review("Deployment", d)
}

test_run_to_completion_pods_skipped if {
	every rp in ["Never", "OnFailure"] {
		count(policy.violation) == 0 with input.review as _review("Pod", {"spec": {"restartPolicy": rp, "containers": [{"name": "job"}]}})
	}
	count(policy.violation) == 1 with input.review as _review("Pod", {"spec": {"restartPolicy": "Always", "containers": [{"name": "job"}]}})
}

test_delete_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null}
}
