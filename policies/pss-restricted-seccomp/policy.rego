# Pod Security Standards, restricted: seccomp (PSA check seccompProfile_restricted, v1.19+).
# A seccomp profile must be set, to RuntimeDefault or Localhost: on the pod
# (spec.securityContext.seccompProfile.type) or on every container. Explicitly forbidden types
# (Unconfined) are reported first; containers that merely leave the profile unset are reported only
# when nothing sets a forbidden type, as PSA does. From v1.25, pods with spec.os.name: windows are
# exempt.
package policies.pss_restricted_seccomp

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

allowed_types := {"RuntimeDefault", "Localhost"}

_check := "seccompProfile_restricted"

_fix := "set seccompProfile.type to RuntimeDefault or Localhost"

violation contains {
	"msg": sprintf("seccompProfile (pod must not set securityContext.seccompProfile.type to \"%s\")", [t]),
	"path": concat("", [ps.path, ".securityContext.seccompProfile.type"]),
	"fix": _fix,
	"details": {"check": _check, "value": t},
} if {
	some ps in _specs
	t := _bad_type(pss.security_context(ps.spec))
}

violation contains {
	"msg": sprintf("seccompProfile (container \"%s\" must not set securityContext.seccompProfile.type to \"%s\")", [c.name, t]),
	"path": concat("", [c.path, ".securityContext.seccompProfile.type"]),
	"fix": _fix,
	"details": object.union(pss.container_details(c), {"check": _check, "value": t}),
} if {
	count(_specs) > 0
	some c in pods.containers
	t := _bad_type(pss.security_context(c.container))
}

violation contains {
	"msg": sprintf("seccompProfile (pod or container \"%s\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")", [c.name]),
	"path": concat("", [c.path, ".securityContext.seccompProfile.type"]),
	"fix": "set spec.securityContext.seccompProfile.type: RuntimeDefault (or on the container)",
	"details": object.union(pss.container_details(c), {"check": _check, "value": null}),
} if {
	some ps in _specs
	not _explicitly_bad(ps.spec)
	not _pod_profile_valid(ps.spec)
	some c in pods.containers
	not pss.is_set(pss.security_context(c.container), "seccompProfile")
}

# The pod spec, when this check applies to it.
_specs[ps.path] := ps if {
	pss.evaluated
	pss.minor >= 19
	some ps in pods.pod_specs
	not _windows_exempt(ps.spec)
}

_windows_exempt(spec) if {
	pss.minor >= 25
	pss.windows(spec)
}

# seccompProfile set (not null) with a type outside the allowed ones; a missing type counts as "".
_bad_type(sc) := t if {
	pss.is_set(sc, "seccompProfile")
	t := object.get(sc.seccompProfile, "type", "")
	not allowed_types[t]
}

_pod_profile_valid(spec) if {
	sc := pss.security_context(spec)
	pss.is_set(sc, "seccompProfile")
	not _bad_type(sc)
}

_explicitly_bad(spec) if _bad_type(pss.security_context(spec))

_explicitly_bad(_) if {
	some c in pods.containers
	_bad_type(pss.security_context(c.container))
}
