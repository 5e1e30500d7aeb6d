package policies.pss_restricted_capabilities_test

import data.policies.pss_restricted_capabilities as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(containers) := _review("Pod", {"spec": {"containers": containers}})

_caps(name, caps) := {"name": name, "securityContext": {"capabilities": caps}}

test_drop_all_required if {
	p.violation == {{
		"msg": "unrestricted capabilities (container \"a\" must set securityContext.capabilities.drop=[\"ALL\"])",
		"path": "spec.containers[0].securityContext.capabilities.drop",
		"fix": "set securityContext.capabilities.drop: [\"ALL\"]",
		"details": {"check": "capabilities_restricted", "container": "a", "containerType": "container"},
	}} with input.review as _pod([{"name": "a"}, _caps("b", {"drop": ["ALL"]})])
}

test_drop_names_compared_exactly if {
	count(p.violation) == 1 with input.review as _pod([_caps("a", {"drop": ["all"]})])
	count(p.violation) == 1 with input.review as _pod([_caps("a", {"drop": ["NET_RAW", "SYS_ADMIN"]})])
	count(p.violation) == 0 with input.review as _pod([_caps("a", {"drop": ["NET_RAW", "ALL"]})])
}

test_only_net_bind_service_added if {
	count(p.violation) == 0 with input.review as _pod([_caps("a", {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]})])
	p.violation == {{
		"msg": "unrestricted capabilities (container \"a\" must not include \"CHOWN\", \"SYS_ADMIN\" in securityContext.capabilities.add)",
		"path": "spec.containers[0].securityContext.capabilities.add",
		"fix": "remove \"CHOWN\", \"SYS_ADMIN\" from securityContext.capabilities.add; only NET_BIND_SERVICE may be added",
		"details": {"check": "capabilities_restricted", "container": "a", "containerType": "container", "capabilities": ["CHOWN", "SYS_ADMIN"]},
	}} with input.review as _pod([_caps("a", {"drop": ["ALL"], "add": ["SYS_ADMIN", "NET_BIND_SERVICE", "CHOWN"]})])
}

test_versions_and_windows if {
	count(p.violation) == 0 with input.review as _pod([{"name": "a"}]) with input.parameters as {"version": "v1.21"}
	count(p.violation) == 1 with input.review as _pod([{"name": "a"}]) with input.parameters as {"version": "v1.22"}
	win := _review("Pod", {"spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}})
	count(p.violation) == 0 with input.review as win
	count(p.violation) == 1 with input.review as win with input.parameters as {"version": "v1.24"}
}

test_init_container_in_job if {
	j := {"spec": {"template": {"spec": {"initContainers": [_caps("i", {"drop": ["ALL"], "add": ["NET_RAW"]})], "containers": [_caps("a", {"drop": ["ALL"]})]}}}}
	{v.path | some v in p.violation} == {"spec.template.spec.initContainers[0].securityContext.capabilities.add"} with input.review as _review("Job", j)
}
