package policies.pss_restricted_proc_mount_test

import data.policies.pss_restricted_proc_mount as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_spec := {"hostUsers": false, "containers": [{"name": "app", "securityContext": {"procMount": "Unmasked"}}]}

test_unmasked_denied_even_in_a_user_namespace if {
	p.violation == {{
		"msg": "procMount (container \"app\" must not set securityContext.procMount to \"Unmasked\")",
		"path": "spec.containers[0].securityContext.procMount",
		"fix": "remove securityContext.procMount or set it to Default",
		"details": {"check": "procMount_restricted", "container": "app", "containerType": "container", "value": "Unmasked"},
	}} with input.review as _review("Pod", {"spec": _spec})
}

test_default_allowed if {
	count(p.violation) == 0 with input.review as _review("Pod", {"spec": {"containers": [{"name": "a", "securityContext": {"procMount": "Default"}}]}})
}

test_from_v1_35 if {
	# Before v1.35 the baseline check (pss-baseline-proc-mount) refuses every Unmasked /proc.
	count(p.violation) == 0 with input.review as _review("Pod", {"spec": _spec}) with input.parameters as {"version": "v1.34"}
	count(p.violation) == 1 with input.review as _review("Pod", {"spec": _spec}) with input.parameters as {"version": "v1.35"}
}

test_deployment_template_path if {
	{v.path | some v in p.violation} == {"spec.template.spec.containers[0].securityContext.procMount"} with input.review as _review("Deployment", {"spec": {"template": {"spec": _spec}}})
}
