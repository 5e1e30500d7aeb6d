# Pod Security Standards, baseline: AppArmor (PSA check appArmorProfile, v1.0+).
# The runtime's default AppArmor profile must not be overridden with an unconfined (or any other
# non-default, non-local) profile:
#   spec.securityContext.appArmorProfile.type and every container's
#   securityContext.appArmorProfile.type: RuntimeDefault, Localhost or unset;
#   annotations container.apparmor.security.beta.kubernetes.io/*: runtime/default, localhost/*,
#   empty or unset.
package policies.pss_baseline_apparmor

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

allowed_types := {"RuntimeDefault", "Localhost"}

annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

_fix := "set appArmorProfile.type to RuntimeDefault or Localhost, or remove it"

violation contains {
	"msg": sprintf("forbidden AppArmor profile (pod must not set AppArmor profile type to \"%s\")", [t]),
	"path": concat("", [ps.path, ".securityContext.appArmorProfile.type"]),
	"fix": _fix,
	"details": {"check": "appArmorProfile", "value": t},
} if {
	pss.evaluated
	some ps in pods.pod_specs
	t := _bad_type(pss.security_context(ps.spec))
}

violation contains {
	"msg": sprintf("forbidden AppArmor profile (container \"%s\" must not set AppArmor profile type to \"%s\")", [c.name, t]),
	"path": concat("", [c.path, ".securityContext.appArmorProfile.type"]),
	"fix": _fix,
	"details": object.union(pss.container_details(c), {"check": "appArmorProfile", "value": t}),
} if {
	pss.evaluated
	some c in pods.containers
	t := _bad_type(pss.security_context(c.container))
}

violation contains {
	"msg": sprintf("forbidden AppArmor profile (annotation %s=%q)", [key, value]),
	"path": pss.annotation_path(m.path, key),
	"fix": "set the annotation to runtime/default or localhost/<profile>, or use securityContext.appArmorProfile",
	"details": {"check": "appArmorProfile", "annotation": key, "value": value},
} if {
	pss.evaluated
	some m in pods.pod_metadata
	annotations := m.metadata.annotations
	is_object(annotations)
	some key, value in annotations
	startswith(key, annotation_prefix)
	not _allowed_annotation(value)
}

# appArmorProfile set (not null) with a type outside the allowed ones; a missing type counts as "".
_bad_type(sc) := t if {
	pss.is_set(sc, "appArmorProfile")
	t := object.get(sc.appArmorProfile, "type", "")
	not allowed_types[t]
}

_allowed_annotation("")

_allowed_annotation("runtime/default")

_allowed_annotation(v) if startswith(v, "localhost/")
