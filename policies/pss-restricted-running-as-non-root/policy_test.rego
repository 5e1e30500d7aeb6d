package policies.pss_restricted_running_as_non_root_test

import data.policies.pss_restricted_running_as_non_root as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(spec) := _review("Pod", {"spec": spec})

_msgs := {v.msg | some v in p.violation}

test_pod_level_true_covers_containers if {
	count(p.violation) == 0 with input.review as _pod({"securityContext": {"runAsNonRoot": true}, "initContainers": [{"name": "i"}], "containers": [{"name": "a"}]})
}

test_every_container_true_allowed if {
	sc := {"securityContext": {"runAsNonRoot": true}}
	count(p.violation) == 0 with input.review as _pod({"initContainers": [object.union({"name": "i"}, sc)], "containers": [object.union({"name": "a"}, sc)]})
}

test_unset_denied_per_container if {
	pod := {"containers": [{"name": "a", "securityContext": {"runAsNonRoot": true}}, {"name": "b"}]}
	p.violation == {{
		"msg": "runAsNonRoot != true (pod or container \"b\" must set securityContext.runAsNonRoot=true)",
		"path": "spec.containers[1].securityContext.runAsNonRoot",
		"fix": "set spec.securityContext.runAsNonRoot: true (or securityContext.runAsNonRoot: true on the container)",
		"details": {"check": "runAsNonRoot", "container": "b", "containerType": "container", "value": null},
	}} with input.review as _pod(pod)
}

test_explicit_false_reported_instead_of_unset if {
	# As PSA: once something sets false, only the explicit settings are reported.
	pod := {"securityContext": {"runAsNonRoot": false}, "containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsNonRoot": false}}]}
	{[v.msg, v.path] | some v in p.violation} == {
		["runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)", "spec.securityContext.runAsNonRoot"],
		["runAsNonRoot != true (container \"b\" must not set securityContext.runAsNonRoot=false)", "spec.containers[1].securityContext.runAsNonRoot"],
	} with input.review as _pod(pod)
}

test_container_false_overrides_pod_true if {
	_msgs == {"runAsNonRoot != true (container \"a\" must not set securityContext.runAsNonRoot=false)"} with input.review as _pod({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}}]})
}

test_user_namespace_exempt_from_v1_35 if {
	spec := {"hostUsers": false, "containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}}]}
	count(p.violation) == 0 with input.review as _pod(spec)
	count(p.violation) == 1 with input.review as _pod(spec) with input.parameters as {"version": "v1.34"}
}

test_cronjob_template_path if {
	cj := {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "j"}]}}}}}}
	{v.path | some v in p.violation} == {"spec.jobTemplate.spec.template.spec.containers[0].securityContext.runAsNonRoot"} with input.review as _review("CronJob", cj)
}
