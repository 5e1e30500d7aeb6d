package policies.disallow_cluster_admin_binding_test

import data.policies.disallow_cluster_admin_binding as policy

_review(kind, ns, obj) := {"kind": {"group": "rbac.authorization.k8s.io", "version": "v1", "kind": kind}, "operation": "CREATE", "namespace": ns, "object": obj}

_binding(role, subjects) := {"metadata": {"name": "ci"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}, "subjects": subjects}

_sa(ns, name) := {"kind": "ServiceAccount", "name": name, "namespace": ns}

_msgs(vs) := {v.msg | some v in vs}

test_cluster_admin_to_service_account_denied if {
	b := _binding("cluster-admin", [_sa("ci", "deployer")])
	policy.violation == {{
		"msg": "cluster-admin binding (ClusterRoleBinding \"ci\" must not bind cluster-admin to ServiceAccount ci/deployer)",
		"path": "subjects[0]",
		"fix": "bind a Role or ClusterRole that grants only what ServiceAccount ci/deployer needs",
		"details": {"role": "cluster-admin", "subject": {"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}},
	}} with input.review as _review("ClusterRoleBinding", "", b)
}

test_every_way_to_name_a_service_account if {
	b := _binding("cluster-admin", [
		{"kind": "User", "name": "system:serviceaccount:ci:deployer"},
		{"kind": "Group", "name": "system:serviceaccounts"},
		{"kind": "Group", "name": "system:serviceaccounts:ci"},
		{"kind": "ServiceAccount", "name": "builder"},
		{"kind": "User", "name": "alice"},
		{"kind": "Group", "name": "system:masters"},
	])
	_msgs(policy.violation) == {
		"cluster-admin binding (RoleBinding \"ci\" must not bind cluster-admin to User system:serviceaccount:ci:deployer)",
		"cluster-admin binding (RoleBinding \"ci\" must not bind cluster-admin to Group system:serviceaccounts)",
		"cluster-admin binding (RoleBinding \"ci\" must not bind cluster-admin to Group system:serviceaccounts:ci)",
		"cluster-admin binding (RoleBinding \"ci\" must not bind cluster-admin to ServiceAccount shop/builder)",
	} with input.review as _review("RoleBinding", "shop", b)
}

test_other_roles_and_people_allowed if {
	count(policy.violation) == 0 with input.review as _review("ClusterRoleBinding", "", _binding("view", [_sa("ci", "deployer")]))
	count(policy.violation) == 0 with input.review as _review("ClusterRoleBinding", "", _binding("cluster-admin", [{"kind": "Group", "name": "platform-admins"}]))

	# A Role that happens to be called cluster-admin is not the ClusterRole.
	role_ref := object.union(_binding("cluster-admin", [_sa("ci", "deployer")]), {"roleRef": {"kind": "Role", "name": "cluster-admin"}})
	count(policy.violation) == 0 with input.review as _review("RoleBinding", "ci", role_ref)
}

test_parameters if {
	b := _binding("admin", [_sa("ci", "deployer"), _sa("ops", "backup")])
	count(policy.violation) == 0 with input.review as _review("ClusterRoleBinding", "", b)
	count(policy.violation) == 2 with input.review as _review("ClusterRoleBinding", "", b) with input.parameters as {"roles": ["cluster-admin", "admin"]}
	vs := policy.violation with input.review as _review("ClusterRoleBinding", "", b) with input.parameters as {"roles": ["admin"], "allowedServiceAccounts": ["ops:backup"]}
	{v.path | some v in vs} == {"subjects[0]"}
	u := _binding("cluster-admin", [{"kind": "User", "name": "system:serviceaccount:ops:backup"}])
	count(policy.violation) == 0 with input.review as _review("ClusterRoleBinding", "", u) with input.parameters as {"allowedServiceAccounts": ["ops:backup"]}
}

test_delete_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "ClusterRoleBinding"}, "operation": "DELETE", "object": null}
}
