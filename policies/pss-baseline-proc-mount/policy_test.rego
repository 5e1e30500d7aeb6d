package policies.pss_baseline_proc_mount_test

import data.policies.pss_baseline_proc_mount as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(spec) := _review("Pod", {"spec": spec})

_unmasked := [{"name": "app", "securityContext": {"procMount": "Unmasked"}}]

test_unmasked_denied if {
	p.violation == {{
		"msg": "procMount (container \"app\" must not set securityContext.procMount to \"Unmasked\")",
		"path": "spec.containers[0].securityContext.procMount",
		"fix": "remove securityContext.procMount or set it to Default",
		"details": {"check": "procMount", "container": "app", "containerType": "container", "value": "Unmasked"},
	}} with input.review as _pod({"containers": _unmasked})
}

test_default_allowed if {
	count(p.violation) == 0 with input.review as _pod({"containers": [{"name": "a", "securityContext": {"procMount": "Default"}}, {"name": "b"}]})
}

test_user_namespace_relaxes_from_v1_35 if {
	spec := {"hostUsers": false, "containers": _unmasked}
	count(p.violation) == 0 with input.review as _pod(spec)
	count(p.violation) == 0 with input.review as _pod(spec) with input.parameters as {"version": "v1.35"}
	count(p.violation) == 1 with input.review as _pod(spec) with input.parameters as {"version": "v1.34"}

	# hostUsers true or unset: no relaxation.
	count(p.violation) == 1 with input.review as _pod({"hostUsers": true, "containers": _unmasked})
}

test_job_template_path if {
	j := {"spec": {"template": {"spec": {"initContainers": _unmasked}}}}
	{v.path | some v in p.violation} == {"spec.template.spec.initContainers[0].securityContext.procMount"} with input.review as _review("Job", j)
}
