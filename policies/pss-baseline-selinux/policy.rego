# Pod Security Standards, baseline: SELinux (PSA check seLinuxOptions).
# seLinuxOptions of the pod and of every container may set type only to container_t,
# container_init_t, container_kvm_t (and container_engine_t from v1.31), and must not set user or
# role. One violation per pod or container that sets forbidden options.
package policies.pss_baseline_selinux

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

allowed_types contains t if some t in {"", "container_t", "container_init_t", "container_kvm_t"}

allowed_types contains "container_engine_t" if pss.minor >= 31

_fix := "remove seLinuxOptions.user and .role, and set .type to container_t, container_init_t or container_kvm_t, or remove it"

violation contains {
	"msg": sprintf("seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: %s)", [concat("; ", problems)]),
	"path": concat("", [ps.path, ".securityContext.seLinuxOptions"]),
	"fix": _fix,
	"details": {"check": "seLinuxOptions", "problems": problems},
} if {
	pss.evaluated
	some ps in pods.pod_specs
	problems := _problems(pss.security_context(ps.spec))
	count(problems) > 0
}

violation contains {
	"msg": sprintf("seLinuxOptions (container \"%s\" set forbidden securityContext.seLinuxOptions: %s)", [c.name, concat("; ", problems)]),
	"path": concat("", [c.path, ".securityContext.seLinuxOptions"]),
	"fix": _fix,
	"details": object.union(pss.container_details(c), {"check": "seLinuxOptions", "problems": problems}),
} if {
	pss.evaluated
	some c in pods.containers
	problems := _problems(pss.security_context(c.container))
	count(problems) > 0
}

# What is wrong with sc.seLinuxOptions, in PSA's words and order: type, user, role.
_problems(sc) := array.concat(array.concat(_type(opts), _user(opts)), _role(opts)) if {
	pss.is_set(sc, "seLinuxOptions")
	opts := sc.seLinuxOptions
	is_object(opts)
}

_type(opts) := [sprintf("type \"%s\"", [t])] if {
	t := object.get(opts, "type", "")
	not allowed_types[t]
} else := []

_user(opts) := ["user may not be set"] if _non_empty(opts, "user")

else := []

_role(opts) := ["role may not be set"] if _non_empty(opts, "role")

else := []

_non_empty(opts, key) if {
	v := opts[key]
	is_string(v)
	v != ""
}
