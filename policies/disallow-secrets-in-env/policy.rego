# Secrets must not be written into manifests as environment variable literals: an env var whose
# name looks like a credential (contains, case-insensitively, one of parameters.namePatterns:
# PASSWORD, TOKEN, SECRET, KEY, ...) with a literal `value` puts the secret in Git, in the
# object (readable by anyone who may read the workload) and in the API server's audit log.
# A value that only refers to other variables ("$(DB_PASS)") is not a literal. The value is never
# repeated in the message or details. Every container type is checked.
package policies.disallow_secrets_in_env

import data.lib.kubernetes.pods

default_name_patterns := ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL"]

name_patterns := object.get(input, ["parameters", "namePatterns"], default_name_patterns)

allowed_names := object.get(input, ["parameters", "allowedNames"], [])

# The patterns an upper-cased name n matches, in parameter order (the first one is reported).
_patterns(n) := [p | some i, p in name_patterns; contains(n, _upper_patterns[i])]

# Whether n matches any pattern: no list built for the many names that match none.
_any_pattern(n) if {
	some u in _upper_patterns
	contains(n, u)
}

# Each pattern upper-cased once per review (not once per env var), by its index.
_upper_patterns := {i: upper(p) | some i, p in name_patterns}

_literal(value) if {
	is_string(value)
	value != ""
	not contains(value, "$(")
}

# Only values holding "$(" pay for the regular expression.
_literal(value) if {
	is_string(value)
	contains(value, "$(")
	not regex.match(`^(\$\([^()]+\))+$`, value)
}

violation contains {
	"msg": $"secret in env (container \"{c.name}\" must not set {e.name} to a literal value)",
	"path": $"{c.path}.env[{j}].value",
	"fix": $"keep {e.name} in a Secret and mount it as a file, or reference it with valueFrom.secretKeyRef",
	"details": {"container": c.name, "containerType": c.type, "env": e.name, "pattern": pattern},
} if {
	some c in pods.containers
	some j, e in object.get(c.container, "env", [])
	is_string(e.name)
	n := upper(e.name)
	_any_pattern(n) # cheapest filter first: most names match no pattern
	pattern := _patterns(n)[0]
	not e.name in allowed_names
	_literal(e.value)
}
