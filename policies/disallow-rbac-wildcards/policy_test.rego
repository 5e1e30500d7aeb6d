package policies.disallow_rbac_wildcards_test

import data.policies.disallow_rbac_wildcards as policy

_review(kind, obj) := {"kind": {"group": "rbac.authorization.k8s.io", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_role(name, rules) := {"metadata": {"name": name}, "rules": rules}

_paths(vs) := {v.path | some v in vs}

test_wildcard_verb_denied if {
	role := _role("ops", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "*"]}])
	policy.violation == {{
		"msg": "RBAC wildcard (Role \"ops\" rules[0] must not grant verbs \"*\")",
		"path": "rules[0].verbs[1]",
		"fix": "list the verbs the role needs, e.g. [get, list, watch]",
		"details": {"rule": 0, "field": "verbs", "value": "*"},
	}} with input.review as _review("Role", role)
}

test_wildcard_resources_and_urls_denied if {
	role := _role("ops", [
		{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]},
		{"apiGroups": ["*"], "resources": ["*", "*/scale"], "verbs": ["get"]},
		{"nonResourceURLs": ["*"], "verbs": ["get"]},
	])
	vs := policy.violation with input.review as _review("ClusterRole", role)
	_paths(vs) == {"rules[1].resources[0]", "rules[1].resources[1]", "rules[2].nonResourceURLs[0]"}
	"RBAC wildcard (ClusterRole \"ops\" rules[1] must not grant resources \"*/scale\")" in {v.msg | some v in vs}
}

test_specific_rules_allowed if {
	role := _role("reader", [
		{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]},
		{"nonResourceURLs": ["/healthz", "/metrics/*"], "verbs": ["get"]},
	])
	count(policy.violation) == 0 with input.review as _review("ClusterRole", role)
}

test_bootstrap_roles_exempt_by_default if {
	all := [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]
	count(policy.violation) == 0 with input.review as _review("ClusterRole", _role("cluster-admin", all))
	count(policy.violation) == 0 with input.review as _review("ClusterRole", _role("system:controller:namespace-controller", all))
	count(policy.violation) == 2 with input.review as _review("ClusterRole", _role("my-admin", all))
	count(policy.violation) == 2 with input.review as _review("ClusterRole", _role("cluster-admin", all)) with input.parameters as {"exemptRoles": []}
	count(policy.violation) == 0 with input.review as _review("ClusterRole", _role("team-a-admin", all)) with input.parameters as {"exemptRoles": ["team-*"]}
}

test_aggregated_cluster_role_skipped if {
	role := object.union(_role("monitoring", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]), {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}})
	count(policy.violation) == 0 with input.review as _review("ClusterRole", role)
}

test_delete_and_no_rules_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Role"}, "operation": "DELETE", "object": null}
	count(policy.violation) == 0 with input.review as _review("Role", {"metadata": {"name": "empty"}})
}
