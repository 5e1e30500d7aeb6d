package policies.pss_restricted_seccomp_test

import data.policies.pss_restricted_seccomp as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(spec) := _review("Pod", {"spec": spec})

_rd := {"seccompProfile": {"type": "RuntimeDefault"}}

test_pod_level_profile_covers_containers if {
	count(p.violation) == 0 with input.review as _pod({"securityContext": _rd, "initContainers": [{"name": "i"}], "containers": [{"name": "a"}]})
	lh := {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}
	count(p.violation) == 0 with input.review as _pod({"securityContext": lh, "containers": [{"name": "a"}]})
}

test_every_container_profile_allowed if {
	count(p.violation) == 0 with input.review as _pod({"containers": [{"name": "a", "securityContext": _rd}, {"name": "b", "securityContext": _rd}]})
}

test_unset_denied_per_container if {
	p.violation == {{
		"msg": "seccompProfile (pod or container \"b\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
		"path": "spec.containers[1].securityContext.seccompProfile.type",
		"fix": "set spec.securityContext.seccompProfile.type: RuntimeDefault (or on the container)",
		"details": {"check": "seccompProfile_restricted", "container": "b", "containerType": "container", "value": null},
	}} with input.review as _pod({"containers": [{"name": "a", "securityContext": _rd}, {"name": "b"}]})
}

test_explicit_bad_reported_instead_of_unset if {
	pod := {"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "a"}, {"name": "b", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]}
	{[v.msg, v.path] | some v in p.violation} == {
		["seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")", "spec.securityContext.seccompProfile.type"],
		["seccompProfile (container \"b\" must not set securityContext.seccompProfile.type to \"Unconfined\")", "spec.containers[1].securityContext.seccompProfile.type"],
	} with input.review as _pod(pod)
}

test_versions if {
	spec := {"containers": [{"name": "a"}]}
	count(p.violation) == 0 with input.review as _pod(spec) with input.parameters as {"version": "v1.18"}
	count(p.violation) == 1 with input.review as _pod(spec) with input.parameters as {"version": "v1.19"}
}

test_windows_exempt_from_v1_25 if {
	spec := {"os": {"name": "windows"}, "containers": [{"name": "a"}]}
	count(p.violation) == 0 with input.review as _pod(spec)
	count(p.violation) == 1 with input.review as _pod(spec) with input.parameters as {"version": "v1.24"}
}

test_podtemplate_path if {
	pt := {"template": {"spec": {"containers": [{"name": "a"}]}}}
	{v.path | some v in p.violation} == {"template.spec.containers[0].securityContext.seccompProfile.type"} with input.review as _review("PodTemplate", pt)
}
