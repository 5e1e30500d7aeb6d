# Roles and ClusterRoles must name what they grant: a "*" verb grants every verb present and
# future (escalate, bind, impersonate included), a "*" resource (or "*/subresource") every
# resource of the API groups, including Secrets and resources that CRDs add later, and a "*"
# nonResourceURL every non-resource path. Roles named in parameters.exemptRoles (the bootstrap
# roles by default: cluster-admin and system:*, which Kubernetes itself creates and reconciles)
# and aggregated ClusterRoles (whose rules the aggregation controller writes from roles that are
# checked themselves) are skipped.
package policies.disallow_rbac_wildcards

default_exempt_roles := ["cluster-admin", "system:*"]

exempt_roles := object.get(input, ["parameters", "exemptRoles"], default_exempt_roles)

_obj := input.review.object

_name := object.get(_obj, ["metadata", "name"], "")

_exempt if {
	some pattern in exempt_roles
	_name_matches(pattern, _name)
}

_name_matches(pattern, name) if pattern == name

_name_matches(pattern, name) if {
	endswith(pattern, "*")
	startswith(name, trim_suffix(pattern, "*"))
}

_aggregated if is_object(_obj.aggregationRule)

# field -> what the fix suggests listing instead.
_fields := {
	"verbs": "the verbs the role needs, e.g. [get, list, watch]",
	"resources": "the resources the role needs, e.g. [pods, services]",
	"nonResourceURLs": "the paths the role needs, e.g. [/healthz]",
}

_wildcard("verbs", v) if v == "*"

_wildcard("resources", v) if v == "*"

_wildcard("resources", v) if startswith(v, "*/")

_wildcard("nonResourceURLs", v) if v == "*"

violation contains {
	"msg": $"RBAC wildcard ({input.review.kind.kind} \"{_name}\" rules[{i}] must not grant {field} \"{value}\")",
	"path": $"rules[{i}].{field}[{j}]",
	"fix": $"list {hint}",
	"details": {"rule": i, "field": field, "value": value},
} if {
	is_object(_obj)
	not _exempt
	not _aggregated
	some i, rule in object.get(_obj, "rules", [])
	some field, hint in _fields
	some j, value in object.get(rule, field, [])
	_wildcard(field, value)
}
