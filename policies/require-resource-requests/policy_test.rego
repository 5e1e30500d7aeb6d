package policies.require_resource_requests_test

import data.policies.require_resource_requests as policy

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_requested(name) := {"name": name, "image": "app:1", "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}

_both := "resources.requests.cpu, resources.requests.memory"

_msg(name, what) := sprintf("resource requests (container \"%s\" must set %s)", [name, what])

_pairs(vs) := {[v.msg, v.path] | some v in vs}

test_pod_no_requests_denied if {
	pod := {"spec": {"containers": [{"name": "app", "image": "app:1"}]}}
	policy.violation == {{
		"msg": "resource requests (container \"app\" must set resources.requests.cpu, resources.requests.memory)",
		"path": "spec.containers[0].resources.requests",
		"fix": "add to container \"app\": resources: {requests: {cpu: 100m, memory: 128Mi}}",
		"details": {"container": "app", "containerType": "container", "missing": ["cpu", "memory"], "required": ["cpu", "memory"]},
	}} with input.review as _review("Pod", pod)
}

test_requests_allowed if {
	pod := {"spec": {"containers": [_requested("app"), _requested("side")]}}
	count(policy.violation) == 0 with input.review as _review("Pod", pod)
}

test_limit_counts_as_request if {
	pod := {"spec": {"containers": [{"name": "app", "resources": {"limits": {"cpu": "1"}, "requests": {"memory": "1Gi"}}}]}}
	count(policy.violation) == 0 with input.review as _review("Pod", pod)
}

test_missing_memory_only if {
	pod := {"spec": {"containers": [{"name": "app", "resources": {"requests": {"cpu": "1", "memory": null}}}]}}
	vs := policy.violation with input.review as _review("Pod", pod)
	_pairs(vs) == {[_msg("app", "resources.requests.memory"), "spec.containers[0].resources.requests"]}
	[v.fix | some v in vs] == ["add to container \"app\": resources: {requests: {memory: 128Mi}}"]
}

test_parameters_choose_resources if {
	pod := {"spec": {"containers": [{"name": "app", "resources": {"requests": {"cpu": "1"}}}]}}
	count(policy.violation) == 0 with input.review as _review("Pod", pod) with input.parameters as {"resources": ["cpu"]}
	count(policy.violation) == 0 with input.review as _review("Pod", pod) with input.parameters as {"resources": []}
	vs := policy.violation with input.review as _review("Pod", pod) with input.parameters as {"resources": ["cpu", "nvidia.com/gpu"]}
	[v.fix | some v in vs] == ["add to container \"app\": resources: {requests: {nvidia.com/gpu: <quantity>}}"]
}

test_init_and_template_containers if {
	d := {"spec": {"template": {"spec": {
		"initContainers": [{"name": "migrate"}],
		"containers": [_requested("web")],
		"ephemeralContainers": [{"name": "debug"}],
	}}}}
	_pairs(policy.violation) == {[_msg("migrate", _both), "spec.template.spec.initContainers[0].resources.requests"]} with input.review as _review("Deployment", d)
}

test_delete_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null}
}
