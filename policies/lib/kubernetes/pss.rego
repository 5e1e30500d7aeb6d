# What the Pod Security Standards policies (pss-baseline-*, pss-restricted-*) share, following
# Kubernetes' own Pod Security Admission (PSA), k8s.io/pod-security-admission v0.37.2, which is the
# spec where the documentation is vague:
#
#   minor            the PSS version to apply (input.parameters.version: "latest" or "v1.N")
#   evaluated        true when PSA would evaluate this request at all (see below)
#   security_context(x)  x.securityContext as an object ({} when unset or null)
#   is_set(obj, key) obj[key] is present and not null (a Go pointer that is not nil)
#   windows(spec)    spec.os.name is "windows" (restricted checks exempt such pods from v1.25)
#   user_namespace(spec)  spec.hostUsers is false (some checks relax for such pods from v1.35)
#   join_quote(xs)   "a", "b" (PSA's joinQuote; no escaping, as PSA)
#   annotation_path(meta_path, key)  metadata.annotations['key']
package lib.kubernetes.pss

import data.lib.kubernetes.pods

# The newest version whose checks are implemented; "latest" means this one.
latest_minor := 37

# PSA accepts "latest" or "v1.N" and treats a version newer than its newest as latest. A value
# that is neither (the parameter schema refuses it, but configuration may bypass the schema) falls
# back to latest as well.
default minor := 37

# "latest" (the default) skips the regex: every PSS policy evaluates minor under its own
# parameters, so it is computed once per policy per review (~15 µs of a Deployment's evaluation).
minor := min([to_number(m[1]), latest_minor]) if {
	v := input.parameters.version
	is_string(v)
	v != "latest"
	some m in regex.find_all_string_submatch_n(`^v1\.(0|[1-9][0-9]*)$`, v, 1)
}

_kind := input.review.kind.kind

_subresource := s if {
	s := input.review.subResource
	is_string(s)
} else := ""

# Pod subresources PSA ignores (admission.go ignoredPodSubresources); any other subresource of a
# Pod (ephemeralcontainers, resize, ...) carries a Pod and is evaluated.
_ignored_pod_subresources := {"exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status"}

# PSA evaluates a Pod on CREATE, and on UPDATE only when the update is significant
# (pods.pod_judged, which every pod policy follows through the pod library). Workload templates
# are evaluated on every CREATE/UPDATE of the object itself, never on a subresource (scale,
# status).
default evaluated := false

evaluated if {
	_kind == "Pod"
	not _ignored_pod_subresources[_subresource]
	pods.pod_judged
}

evaluated if {
	_kind != "Pod"
	pods.pod_kinds[_kind]
	_subresource == ""
}

security_context(x) := s if {
	s := x.securityContext
	is_object(s)
} else := {}

is_set(obj, key) if obj[key] != null

windows(spec) if spec.os.name == "windows"

user_namespace(spec) if spec.hostUsers == false

join_quote(xs) := concat("", ["\"", concat("\", \"", xs), "\""])

annotation_path(meta_path, key) := concat("", [meta_path, ".annotations['", key, "']"])

# The fields every container violation carries in details.
container_details(c) := {"container": c.name, "containerType": c.type}
