package policies.disallow_privileged_test

import data.policies.disallow_privileged

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_priv := {"privileged": true}

_msg(name) := sprintf("privileged (container \"%s\" must not set securityContext.privileged=true)", [name])

_fix := "remove securityContext.privileged or set it to false"

test_pod_privileged_denied if {
	pod := {"spec": {"containers": [{"name": "app", "image": "app:1", "securityContext": _priv}]}}
	disallow_privileged.violation == {{
		"msg": "privileged (container \"app\" must not set securityContext.privileged=true)",
		"path": "spec.containers[0].securityContext.privileged",
		"fix": _fix,
		"details": {"container": "app", "containerType": "container", "value": true},
	}} with input.review as _review("Pod", pod) with input.parameters as {}
}

test_pod_unprivileged_allowed if {
	pod := {"spec": {"containers": [
		{"name": "a", "image": "app:1"},
		{"name": "b", "image": "app:1", "securityContext": {"privileged": false}},
		{"name": "c", "image": "app:1", "securityContext": {"runAsNonRoot": true}},
	]}}
	count(disallow_privileged.violation) == 0 with input.review as _review("Pod", pod)
}

test_non_boolean_privileged_allowed if {
	# The apiserver rejects a non-boolean; this policy only flags a literal true.
	pod := {"spec": {"containers": [{"name": "a", "securityContext": {"privileged": "true"}}]}}
	count(disallow_privileged.violation) == 0 with input.review as _review("Pod", pod)
}

test_second_container_path if {
	pod := {"spec": {"containers": [{"name": "ok", "image": "a:1"}, {"name": "bad", "image": "a:1", "securityContext": _priv}]}}
	{[v.msg, v.path] | some v in disallow_privileged.violation} == {[_msg("bad"), "spec.containers[1].securityContext.privileged"]} with input.review as _review("Pod", pod)
}

test_init_container_denied if {
	pod := {"spec": {
		"initContainers": [{"name": "setup", "image": "a:1", "securityContext": _priv}],
		"containers": [{"name": "app", "image": "a:1"}],
	}}
	{[v.msg, v.path, v.details.containerType] | some v in disallow_privileged.violation} == {[_msg("setup"), "spec.initContainers[0].securityContext.privileged", "initContainer"]} with input.review as _review("Pod", pod)
}

test_ephemeral_container_denied if {
	pod := {"spec": {
		"containers": [{"name": "app", "image": "a:1"}],
		"ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "securityContext": _priv}],
	}}
	review := object.union(_review("Pod", pod), {"operation": "UPDATE", "subResource": "ephemeralcontainers"})
	{[v.msg, v.path] | some v in disallow_privileged.violation} == {[_msg("debugger"), "spec.ephemeralContainers[0].securityContext.privileged"]} with input.review as review
}

test_deployment_template_denied if {
	d := {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "a:1", "securityContext": _priv}]}}}}
	{[v.msg, v.path] | some v in disallow_privileged.violation} == {[_msg("web"), "spec.template.spec.containers[0].securityContext.privileged"]} with input.review as _review("Deployment", d)
}

test_cronjob_template_denied if {
	cj := {"spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
		"initContainers": [{"name": "prep", "image": "a:1", "securityContext": _priv}],
		"containers": [{"name": "job", "image": "a:1", "securityContext": _priv}],
	}}}}}}
	{[v.msg, v.path] | some v in disallow_privileged.violation} == {
		[_msg("job"), "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged"],
		[_msg("prep"), "spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.privileged"],
	} with input.review as _review("CronJob", cj)
}

test_every_workload_kind_denied if {
	tpl := {"spec": {"containers": [{"name": "app", "image": "a:1", "securityContext": _priv}]}}
	every kind in {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"} {
		count(disallow_privileged.violation) == 1 with input.review as _review(kind, {"spec": {"template": tpl}})
	}
	{v.path | some v in disallow_privileged.violation} == {"template.spec.containers[0].securityContext.privileged"} with input.review as _review("PodTemplate", {"template": tpl})
}

test_deployment_allowed if {
	d := {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "a:1", "securityContext": {"privileged": false}}]}}}}
	count(disallow_privileged.violation) == 0 with input.review as _review("Deployment", d)
}

test_delete_allowed if {
	review := {"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null, "oldObject": {"spec": {"containers": [{"name": "a", "securityContext": _priv}]}}}
	count(disallow_privileged.violation) == 0 with input.review as review
}

test_privileged_pod_level_field_ignored if {
	# Only containers carry securityContext.privileged; a pod-level key is not a Kubernetes field.
	pod := {"spec": {"securityContext": {"privileged": true}, "containers": [{"name": "a", "image": "a:1"}]}}
	count(disallow_privileged.violation) == 0 with input.review as _review("Pod", pod)
}
