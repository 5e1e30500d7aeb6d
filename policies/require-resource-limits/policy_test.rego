package policies.require_resource_limits_test

import data.policies.require_resource_limits as policy

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_limited(name) := {"name": name, "image": "app:1", "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}}}

_both := "resources.limits.cpu, resources.limits.memory"

_msg(name, what) := sprintf("resource limits (container \"%s\" must set %s)", [name, what])

_pairs(vs) := {[v.msg, v.path] | some v in vs}

test_pod_no_limits_denied if {
	pod := {"spec": {"containers": [{"name": "app", "image": "app:1"}]}}
	policy.violation == {{
		"msg": "resource limits (container \"app\" must set resources.limits.cpu, resources.limits.memory)",
		"path": "spec.containers[0].resources.limits",
		"fix": "add to container \"app\": resources: {limits: {cpu: 500m, memory: 256Mi}}",
		"details": {"container": "app", "containerType": "container", "missing": ["cpu", "memory"], "required": ["cpu", "memory"]},
	}} with input.review as _review("Pod", pod) with input.parameters as {"resources": ["cpu", "memory"]}
}

test_defaults_when_parameters_missing if {
	pod := {"spec": {"containers": [{"name": "app", "image": "app:1"}]}}
	_pairs(policy.violation) == {[_msg("app", _both), "spec.containers[0].resources.limits"]} with input.review as _review("Pod", pod)
	_pairs(policy.violation) == {[_msg("app", _both), "spec.containers[0].resources.limits"]} with input.review as _review("Pod", pod) with input.parameters as {}
	_pairs(policy.violation) == {[_msg("app", _both), "spec.containers[0].resources.limits"]} with input.review as _review("Pod", pod) with input.parameters as null
}

test_pod_with_limits_allowed if {
	pod := {"spec": {"containers": [_limited("app"), _limited("sidecar")]}}
	count(policy.violation) == 0 with input.review as _review("Pod", pod)
}

test_requests_only_denied if {
	pod := {"spec": {"containers": [{"name": "app", "image": "app:1", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}}
	_pairs(policy.violation) == {[_msg("app", _both), "spec.containers[0].resources.limits"]} with input.review as _review("Pod", pod)
}

test_memory_missing_only if {
	pod := {"spec": {"containers": [{"name": "app", "image": "app:1", "resources": {"limits": {"cpu": "1"}}}]}}
	vs := policy.violation with input.review as _review("Pod", pod)
	_pairs(vs) == {[_msg("app", "resources.limits.memory"), "spec.containers[0].resources.limits"]}
	[v.fix | some v in vs] == ["add to container \"app\": resources: {limits: {memory: 256Mi}}"]
}

test_null_limit_counts_as_missing if {
	pod := {"spec": {"containers": [{"name": "app", "resources": {"limits": {"cpu": null, "memory": "1Gi"}}}]}}
	_pairs(policy.violation) == {[_msg("app", "resources.limits.cpu"), "spec.containers[0].resources.limits"]} with input.review as _review("Pod", pod)
}

test_parameters_choose_resources if {
	pod := {"spec": {"containers": [{"name": "app", "resources": {"limits": {"cpu": "1"}}}]}}

	# Only memory required.
	_pairs(policy.violation) == {[_msg("app", "resources.limits.memory"), "spec.containers[0].resources.limits"]} with input.review as _review("Pod", pod) with input.parameters as {"resources": ["memory"]}

	# Only cpu required: satisfied.
	count(policy.violation) == 0 with input.review as _review("Pod", pod) with input.parameters as {"resources": ["cpu"]}

	# Nothing required.
	count(policy.violation) == 0 with input.review as _review("Pod", pod) with input.parameters as {"resources": []}

	# Extended resource, with a placeholder in the fix.
	vs := policy.violation with input.review as _review("Pod", pod) with input.parameters as {"resources": ["cpu", "ephemeral-storage", "nvidia.com/gpu"]}
	_pairs(vs) == {[_msg("app", "resources.limits.ephemeral-storage, resources.limits.nvidia.com/gpu"), "spec.containers[0].resources.limits"]}
	[v.fix | some v in vs] == ["add to container \"app\": resources: {limits: {ephemeral-storage: 1Gi, nvidia.com/gpu: <quantity>}}"]
}

test_init_container_denied if {
	pod := {"spec": {"initContainers": [{"name": "migrate", "image": "app:1"}], "containers": [_limited("app")]}}
	vs := policy.violation with input.review as _review("Pod", pod)
	_pairs(vs) == {[_msg("migrate", _both), "spec.initContainers[0].resources.limits"]}
	[v.details.containerType | some v in vs] == ["initContainer"]
}

test_ephemeral_container_skipped if {
	# The apiserver rejects resources on ephemeral containers, so they are never required.
	pod := {"spec": {"containers": [_limited("app")], "ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36"}]}}
	review := object.union(_review("Pod", pod), {"operation": "UPDATE", "subResource": "ephemeralcontainers"})
	count(policy.violation) == 0 with input.review as review
}

test_deployment_template_denied if {
	d := {"spec": {"template": {"spec": {"containers": [_limited("web"), {"name": "proxy", "image": "envoy:1"}]}}}}
	_pairs(policy.violation) == {[_msg("proxy", _both), "spec.template.spec.containers[1].resources.limits"]} with input.review as _review("Deployment", d)
}

test_deployment_allowed if {
	d := {"spec": {"template": {"spec": {"containers": [_limited("web")]}}}}
	count(policy.violation) == 0 with input.review as _review("Deployment", d)
}

test_cronjob_template_denied if {
	cj := {"spec": {"jobTemplate": {"spec": {"template": {"spec": {
		"initContainers": [{"name": "prep", "image": "a:1", "resources": {"limits": {"memory": "64Mi"}}}],
		"containers": [{"name": "job", "image": "a:1"}],
	}}}}}}
	_pairs(policy.violation) == {
		[_msg("prep", "resources.limits.cpu"), "spec.jobTemplate.spec.template.spec.initContainers[0].resources.limits"],
		[_msg("job", _both), "spec.jobTemplate.spec.template.spec.containers[0].resources.limits"],
	} with input.review as _review("CronJob", cj)
}

test_every_workload_kind_denied if {
	tpl := {"spec": {"containers": [{"name": "app", "image": "a:1"}]}}
	every kind in {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"} {
		_pairs(policy.violation) == {[_msg("app", _both), "spec.template.spec.containers[0].resources.limits"]} with input.review as _review(kind, {"spec": {"template": tpl}})
	}
	_pairs(policy.violation) == {[_msg("app", _both), "template.spec.containers[0].resources.limits"]} with input.review as _review("PodTemplate", {"template": tpl})
}

test_delete_allowed if {
	review := {"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null, "oldObject": {"spec": {"containers": [{"name": "a"}]}}}
	count(policy.violation) == 0 with input.review as review
}
