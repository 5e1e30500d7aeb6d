# RoleBindings and ClusterRoleBindings must not give cluster-admin (or another ClusterRole listed
# in parameters.roles) to service accounts: a service account's token sits in every pod that runs
# as it, so whoever gets into such a pod owns the cluster (or the namespace, for a RoleBinding).
# A service account can be named three ways, all checked: a ServiceAccount subject, a User
# "system:serviceaccount:<ns>:<name>", or a Group "system:serviceaccounts[:<ns>]" (all of them).
package policies.disallow_cluster_admin_binding

default_roles := ["cluster-admin"]

roles := object.get(input, ["parameters", "roles"], default_roles)

allowed_service_accounts := object.get(input, ["parameters", "allowedServiceAccounts"], [])

_obj := input.review.object

_name := object.get(_obj, ["metadata", "name"], "")

# A RoleBinding's ServiceAccount subject without a namespace is in the binding's namespace.
_binding_namespace := ns if {
	ns := object.get(input.review, "namespace", "")
	ns != ""
} else := object.get(_obj, ["metadata", "namespace"], "")

# subject -> {"who": text for the message, "sa": "<ns>:<name>" or null for a group}
_service_account(s) := {"who": $"ServiceAccount {ns}/{s.name}", "sa": concat(":", [ns, s.name])} if {
	s.kind == "ServiceAccount"
	ns := object.get(s, "namespace", "")
	ns != ""
}

_service_account(s) := {"who": $"ServiceAccount {_binding_namespace}/{s.name}", "sa": concat(":", [_binding_namespace, s.name])} if {
	s.kind == "ServiceAccount"
	object.get(s, "namespace", "") == ""
}

_service_account(s) := {"who": $"User {s.name}", "sa": trim_prefix(s.name, "system:serviceaccount:")} if {
	s.kind == "User"
	startswith(s.name, "system:serviceaccount:")
}

_service_account(s) := {"who": $"Group {s.name}", "sa": null} if {
	s.kind == "Group"
	s.name == "system:serviceaccounts"
}

_service_account(s) := {"who": $"Group {s.name}", "sa": null} if {
	s.kind == "Group"
	startswith(s.name, "system:serviceaccounts:")
}

violation contains {
	"msg": $"{role} binding ({input.review.kind.kind} \"{_name}\" must not bind {role} to {sa.who})",
	"path": $"subjects[{i}]",
	"fix": $"bind a Role or ClusterRole that grants only what {sa.who} needs",
	"details": {"role": role, "subject": s},
} if {
	is_object(_obj)
	_obj.roleRef.kind == "ClusterRole"
	role := _obj.roleRef.name
	role in roles
	some i, s in object.get(_obj, "subjects", [])
	sa := _service_account(s)
	not sa.sa in allowed_service_accounts
}
