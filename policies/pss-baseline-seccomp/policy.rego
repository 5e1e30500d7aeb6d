# Pod Security Standards, baseline: seccomp (PSA check seccompProfile_baseline).
# Where a seccomp profile is set, it must be the runtime default or a local profile:
#   v1.19+: spec.securityContext.seccompProfile.type and every container's
#           securityContext.seccompProfile.type: RuntimeDefault, Localhost or unset;
#   v1.0 - v1.18: the annotations seccomp.security.alpha.kubernetes.io/pod and
#           container.seccomp.security.alpha.kubernetes.io/<container>: runtime/default,
#           docker/default, localhost/* or unset (the fields are not looked at, as in PSA).
package policies.pss_baseline_seccomp

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

allowed_types := {"RuntimeDefault", "Localhost"}

pod_annotation := "seccomp.security.alpha.kubernetes.io/pod"

container_annotation_prefix := "container.seccomp.security.alpha.kubernetes.io/"

_fix := "set seccompProfile.type to RuntimeDefault or Localhost, or remove it"

violation contains {
	"msg": sprintf("seccompProfile (pod must not set securityContext.seccompProfile.type to \"%s\")", [t]),
	"path": concat("", [ps.path, ".securityContext.seccompProfile.type"]),
	"fix": _fix,
	"details": {"check": "seccompProfile_baseline", "value": t},
} if {
	pss.evaluated
	pss.minor >= 19
	some ps in pods.pod_specs
	t := _bad_type(pss.security_context(ps.spec))
}

violation contains {
	"msg": sprintf("seccompProfile (container \"%s\" must not set securityContext.seccompProfile.type to \"%s\")", [c.name, t]),
	"path": concat("", [c.path, ".securityContext.seccompProfile.type"]),
	"fix": _fix,
	"details": object.union(pss.container_details(c), {"check": "seccompProfile_baseline", "value": t}),
} if {
	pss.evaluated
	pss.minor >= 19
	some c in pods.containers
	t := _bad_type(pss.security_context(c.container))
}

# Before v1.19, the annotations: the pod's, and the one of each container present in the spec.
violation contains {
	"msg": sprintf("seccompProfile (forbidden annotation %s=%q)", [key, value]),
	"path": pss.annotation_path(m.path, key),
	"fix": "set the annotation to runtime/default or localhost/<profile>, or remove it",
	"details": {"check": "seccompProfile_baseline", "annotation": key, "value": value},
} if {
	pss.evaluated
	pss.minor < 19
	some m in pods.pod_metadata
	some key in _annotation_keys
	value := m.metadata.annotations[key]
	not _allowed_annotation(value)
}

_annotation_keys contains pod_annotation

_annotation_keys contains concat("", [container_annotation_prefix, c.name]) if some c in pods.containers

# seccompProfile set (not null) with a type outside the allowed ones; a missing type counts as "".
_bad_type(sc) := t if {
	pss.is_set(sc, "seccompProfile")
	t := object.get(sc.seccompProfile, "type", "")
	not allowed_types[t]
}

_allowed_annotation("runtime/default")

_allowed_annotation("docker/default")

_allowed_annotation(v) if startswith(v, "localhost/")
