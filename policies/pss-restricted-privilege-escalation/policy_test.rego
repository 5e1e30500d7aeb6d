package policies.pss_restricted_privilege_escalation_test

import data.policies.pss_restricted_privilege_escalation as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_msg(name) := sprintf("allowPrivilegeEscalation != false (container \"%s\" must set securityContext.allowPrivilegeEscalation=false)", [name])

test_unset_or_true_denied if {
	pod := {"spec": {
		"initContainers": [{"name": "init"}],
		"containers": [
			{"name": "a", "securityContext": {"allowPrivilegeEscalation": true}},
			{"name": "b", "securityContext": {"allowPrivilegeEscalation": false}},
		],
	}}
	p.violation == {
		{
			"msg": _msg("init"), "path": "spec.initContainers[0].securityContext.allowPrivilegeEscalation",
			"fix": "set securityContext.allowPrivilegeEscalation: false",
			"details": {"check": "allowPrivilegeEscalation", "container": "init", "containerType": "initContainer", "value": null},
		},
		{
			"msg": _msg("a"), "path": "spec.containers[0].securityContext.allowPrivilegeEscalation",
			"fix": "set securityContext.allowPrivilegeEscalation: false",
			"details": {"check": "allowPrivilegeEscalation", "container": "a", "containerType": "container", "value": true},
		},
	} with input.review as _review("Pod", pod)
}

test_false_allowed if {
	pod := {"spec": {"containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}]}}
	count(p.violation) == 0 with input.review as _review("Pod", pod)
}

test_versions if {
	pod := {"spec": {"containers": [{"name": "a"}]}}
	count(p.violation) == 0 with input.review as _review("Pod", pod) with input.parameters as {"version": "v1.7"}
	count(p.violation) == 1 with input.review as _review("Pod", pod) with input.parameters as {"version": "v1.8"}
}

test_windows_exempt_from_v1_25 if {
	pod := {"spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}}
	count(p.violation) == 0 with input.review as _review("Pod", pod)
	count(p.violation) == 0 with input.review as _review("Pod", pod) with input.parameters as {"version": "v1.25"}
	count(p.violation) == 1 with input.review as _review("Pod", pod) with input.parameters as {"version": "v1.24"}
	count(p.violation) == 1 with input.review as _review("Pod", {"spec": {"os": {"name": "linux"}, "containers": [{"name": "a"}]}})
}

test_ephemeral_container_in_update if {
	old := {"spec": {"containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}]}}
	new := {"spec": object.union(old.spec, {"ephemeralContainers": [{"name": "debug"}]})}
	review := object.union(_review("Pod", new), {"operation": "UPDATE", "subResource": "ephemeralcontainers", "oldObject": old})
	{v.path | some v in p.violation} == {"spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation"} with input.review as review
}
