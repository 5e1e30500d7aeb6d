package policies.pss_baseline_privileged_test

import data.policies.pss_baseline_privileged as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(spec) := _review("Pod", {"spec": spec})

_priv := {"privileged": true}

_msg(name) := sprintf("privileged (container \"%s\" must not set securityContext.privileged=true)", [name])

test_privileged_container_denied if {
	p.violation == {{
		"msg": _msg("app"),
		"path": "spec.containers[0].securityContext.privileged",
		"fix": "remove securityContext.privileged or set it to false",
		"details": {"check": "privileged", "container": "app", "containerType": "container", "value": true},
	}} with input.review as _pod({"containers": [{"name": "app", "securityContext": _priv}]})
}

test_init_and_ephemeral_containers_denied if {
	pod := {"spec": {
		"initContainers": [{"name": "init", "securityContext": _priv}],
		"containers": [{"name": "app"}],
		"ephemeralContainers": [{"name": "debug", "securityContext": _priv}],
	}}
	review := object.union(_review("Pod", pod), {"operation": "UPDATE", "subResource": "ephemeralcontainers", "oldObject": {"spec": {"containers": [{"name": "app"}]}}})
	{[v.msg, v.path] | some v in p.violation} == {
		[_msg("init"), "spec.initContainers[0].securityContext.privileged"],
		[_msg("debug"), "spec.ephemeralContainers[0].securityContext.privileged"],
	} with input.review as review
}

test_unprivileged_allowed if {
	count(p.violation) == 0 with input.review as _pod({"containers": [
		{"name": "a"},
		{"name": "b", "securityContext": {"privileged": false}},
		{"name": "c", "securityContext": null},
	]})
}

test_deployment_template_path if {
	d := {"spec": {"template": {"spec": {"containers": [{"name": "ok"}, {"name": "web", "securityContext": _priv}]}}}}
	{v.path | some v in p.violation} == {"spec.template.spec.containers[1].securityContext.privileged"} with input.review as _review("Deployment", d)
}

test_delete_allowed if {
	review := {"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null, "oldObject": {"spec": {"containers": [{"name": "a", "securityContext": _priv}]}}}
	count(p.violation) == 0 with input.review as review
}
