package policies.pss_restricted_running_as_non_root_user_test

import data.policies.pss_restricted_running_as_non_root_user as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(spec) := _review("Pod", {"spec": spec})

_fix := "set runAsUser to a non-zero UID, or remove it and build the image with a non-root USER"

test_root_denied if {
	p.violation == {
		{"msg": "runAsUser=0 (pod must not set runAsUser=0)", "path": "spec.securityContext.runAsUser", "fix": _fix, "details": {"check": "runAsUser", "value": 0}},
		{
			"msg": "runAsUser=0 (container \"a\" must not set runAsUser=0)", "path": "spec.initContainers[0].securityContext.runAsUser", "fix": _fix,
			"details": {"check": "runAsUser", "container": "a", "containerType": "initContainer", "value": 0},
		},
	} with input.review as _pod({"securityContext": {"runAsUser": 0}, "initContainers": [{"name": "a", "securityContext": {"runAsUser": 0}}], "containers": [{"name": "b", "securityContext": {"runAsUser": 1000}}]})
}

test_non_zero_or_unset_allowed if {
	count(p.violation) == 0 with input.review as _pod({"securityContext": {"runAsUser": 1000}, "containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsUser": 65534}}]})
}

test_versions if {
	spec := {"securityContext": {"runAsUser": 0}, "containers": [{"name": "a"}]}
	count(p.violation) == 0 with input.review as _pod(spec) with input.parameters as {"version": "v1.22"}
	count(p.violation) == 1 with input.review as _pod(spec) with input.parameters as {"version": "v1.23"}
	count(p.violation) == 0 with input.review as _pod(object.union(spec, {"hostUsers": false}))
	count(p.violation) == 1 with input.review as _pod(object.union(spec, {"hostUsers": false})) with input.parameters as {"version": "v1.34"}
}

test_deployment_template_path if {
	d := {"spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"runAsUser": 0}}]}}}}
	{v.path | some v in p.violation} == {"spec.template.spec.containers[0].securityContext.runAsUser"} with input.review as _review("Deployment", d)
}
