# Ingresses must name the hosts they serve. A wildcard host ("*.example.com") takes traffic for
# every subdomain, including ones another team may expect to own; a rule without a host, or a
# spec.defaultBackend, takes traffic for every host that reaches the controller. Wildcards listed
# in parameters.allowedWildcardHosts are allowed; parameters.allowCatchAll allows the last two.
package policies.disallow_wildcard_ingress_hosts

allowed_wildcard_hosts := object.get(input, ["parameters", "allowedWildcardHosts"], [])

allow_catch_all := object.get(input, ["parameters", "allowCatchAll"], false)

_obj := input.review.object

_name := object.get(_obj, ["metadata", "name"], "")

_rules := object.get(_obj, ["spec", "rules"], [])

violation contains {
	"msg": $"wildcard host (Ingress \"{_name}\" must not use host \"{host}\")",
	"path": $"spec.rules[{i}].host",
	"fix": $"name the host exactly, e.g. {replace(host, "*", "shop")}",
	"details": {"rule": i, "host": host},
} if {
	some i, rule in _rules
	host := rule.host
	is_string(host)
	contains(host, "*")
	not host in allowed_wildcard_hosts
}

violation contains {
	"msg": $"wildcard host (Ingress \"{_name}\" rule {i} has no host, so it matches every host)",
	"path": $"spec.rules[{i}]",
	"fix": $"set spec.rules[{i}].host to the host this rule serves",
	"details": {"rule": i, "host": ""},
} if {
	allow_catch_all != true
	some i, rule in _rules
	object.get(rule, "host", "") == ""
}

violation contains {
	"msg": $"wildcard host (Ingress \"{_name}\" must not set spec.defaultBackend, which serves every host)",
	"path": "spec.defaultBackend",
	"fix": "route by host in spec.rules instead of spec.defaultBackend",
	"details": {},
} if {
	allow_catch_all != true
	is_object(_obj.spec.defaultBackend)
}
