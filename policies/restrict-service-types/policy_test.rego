package policies.restrict_service_types_test

import data.policies.restrict_service_types as policy

_review(obj) := {"kind": {"group": "", "version": "v1", "kind": "Service"}, "operation": "CREATE", "object": obj}

_svc(type) := {"metadata": {"name": "web"}, "spec": {"type": type, "ports": [{"port": 80}]}}

test_node_port_denied if {
	policy.violation == {{
		"msg": "service type (Service \"web\" must not use type NodePort)",
		"path": "spec.type",
		"fix": "use type ClusterIP and expose the Service through an Ingress or a Gateway",
		"details": {"type": "NodePort", "disallowedTypes": ["NodePort", "LoadBalancer"]},
	}} with input.review as _review(_svc("NodePort"))
}

test_load_balancer_denied if {
	[v.msg | some v in policy.violation] == ["service type (Service \"web\" must not use type LoadBalancer)"] with input.review as _review(_svc("LoadBalancer"))
}

test_cluster_ip_and_default_allowed if {
	count(policy.violation) == 0 with input.review as _review(_svc("ClusterIP"))
	count(policy.violation) == 0 with input.review as _review({"metadata": {"name": "web"}, "spec": {}})
	count(policy.violation) == 0 with input.review as _review(_svc("ExternalName"))
}

test_parameters_choose_types if {
	count(policy.violation) == 0 with input.review as _review(_svc("LoadBalancer")) with input.parameters as {"disallowedTypes": ["NodePort"]}
	vs := policy.violation with input.review as _review(_svc("ExternalName")) with input.parameters as {"disallowedTypes": ["ExternalName"]}
	count(vs) == 1
	vs2 := policy.violation with input.review as _review({"spec": {}}) with input.parameters as {"disallowedTypes": ["ClusterIP"]}
	[v.fix | some v in vs2] == ["use a Service type other than ClusterIP"]
}

test_delete_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Service"}, "operation": "DELETE", "object": null}
}
