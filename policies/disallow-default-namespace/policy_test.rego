package policies.disallow_default_namespace_test

import data.policies.disallow_default_namespace as policy

_review(kind, ns, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "namespace": ns, "name": object.get(obj, ["metadata", "name"], ""), "object": obj}

test_default_namespace_denied if {
	policy.violation == {{
		"msg": "default namespace (Deployment \"web\" must not be created in namespace \"default\")",
		"path": "metadata.namespace",
		"fix": "create it in a namespace of its own: set metadata.namespace or run kubectl with -n <namespace>",
		"details": {"namespace": "default", "kind": "Deployment", "name": "web"},
	}} with input.review as _review("Deployment", "default", {"metadata": {"name": "web"}})
}

test_other_namespace_allowed if {
	count(policy.violation) == 0 with input.review as _review("Deployment", "shop", {"metadata": {"name": "web"}})
}

test_generate_name_and_no_name if {
	vs := policy.violation with input.review as _review("Pod", "default", {"metadata": {"generateName": "job-"}})
	[v.msg | some v in vs] == ["default namespace (Pod \"job-\" must not be created in namespace \"default\")"]
	ws := policy.violation with input.review as _review("Pod", "default", {"metadata": {}})
	[v.msg | some v in ws] == ["default namespace (a Pod must not be created in namespace \"default\")"]
}

test_namespace_from_object_when_review_has_none if {
	review := {"kind": {"kind": "ConfigMap"}, "operation": "CREATE", "object": {"metadata": {"name": "c", "namespace": "default"}}}
	count(policy.violation) == 1 with input.review as review
	count(policy.violation) == 1 with input.review as object.union(review, {"namespace": ""})
}

test_system_objects_allowed if {
	count(policy.violation) == 0 with input.review as _review("Service", "default", {"metadata": {"name": "kubernetes"}})
	count(policy.violation) == 0 with input.review as _review("ServiceAccount", "default", {"metadata": {"name": "default"}})
	count(policy.violation) == 0 with input.review as _review("ConfigMap", "default", {"metadata": {"name": "kube-root-ca.crt"}})
	count(policy.violation) == 1 with input.review as _review("ConfigMap", "default", {"metadata": {"name": "kubernetes"}})
}

test_parameters_list_namespaces if {
	params := {"namespaces": ["default", "sandbox"]}
	count(policy.violation) == 1 with input.review as _review("Pod", "sandbox", {"metadata": {"name": "p"}}) with input.parameters as params
	count(policy.violation) == 0 with input.review as _review("Pod", "default", {"metadata": {"name": "p"}}) with input.parameters as {"namespaces": []}
}

test_delete_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Pod"}, "operation": "DELETE", "namespace": "default", "object": null}
}
