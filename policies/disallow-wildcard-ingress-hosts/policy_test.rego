package policies.disallow_wildcard_ingress_hosts_test

import data.policies.disallow_wildcard_ingress_hosts as policy

_review(obj) := {"kind": {"group": "networking.k8s.io", "version": "v1", "kind": "Ingress"}, "operation": "CREATE", "object": obj}

_backend := {"service": {"name": "web", "port": {"number": 80}}}

_rule(host) := {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": _backend}]}}

_ingress(rules) := {"metadata": {"name": "web"}, "spec": {"rules": rules}}

_paths(vs) := {v.path | some v in vs}

test_wildcard_host_denied if {
	policy.violation == {{
		"msg": "wildcard host (Ingress \"web\" must not use host \"*.example.com\")",
		"path": "spec.rules[0].host",
		"fix": "name the host exactly, e.g. shop.example.com",
		"details": {"rule": 0, "host": "*.example.com"},
	}} with input.review as _review(_ingress([_rule("*.example.com")]))
}

test_exact_hosts_allowed if {
	count(policy.violation) == 0 with input.review as _review(_ingress([_rule("shop.example.com"), _rule("api.example.com")]))
}

test_catch_alls_denied if {
	no_host := {"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": _backend}]}}
	ing := {"metadata": {"name": "web"}, "spec": {"defaultBackend": _backend, "rules": [_rule("shop.example.com"), no_host, _rule("")]}}
	vs := policy.violation with input.review as _review(ing)
	_paths(vs) == {"spec.rules[1]", "spec.rules[2]", "spec.defaultBackend"}
	"wildcard host (Ingress \"web\" rule 1 has no host, so it matches every host)" in {v.msg | some v in vs}
	count(policy.violation) == 0 with input.review as _review(ing) with input.parameters as {"allowCatchAll": true}
}

test_allowed_wildcards if {
	ing := _ingress([_rule("*.apps.example.com"), _rule("*.example.com")])
	_paths(policy.violation) == {"spec.rules[1].host"} with input.review as _review(ing) with input.parameters as {"allowedWildcardHosts": ["*.apps.example.com"]}
}

test_delete_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Ingress"}, "operation": "DELETE", "object": null}
}
