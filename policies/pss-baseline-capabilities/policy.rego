# Pod Security Standards, baseline: capabilities (PSA check capabilities_baseline, v1.0+).
# Containers may add only capabilities from the container runtime's default set; NET_RAW and
# anything beyond the set (SYS_ADMIN, NET_ADMIN, ...) must be refused.
package policies.pss_baseline_capabilities

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

# The default set, as PSA lists it (capabilities_allowed_1_0). Names are compared exactly, without
# a CAP_ prefix and case-sensitively, as PSA does.
allowed := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

violation contains {
	"msg": sprintf(
		"non-default capabilities (container \"%s\" must not include %s in securityContext.capabilities.add)",
		[c.name, pss.join_quote(bad)],
	),
	"path": concat("", [c.path, ".securityContext.capabilities.add"]),
	"fix": sprintf("remove %s from securityContext.capabilities.add", [pss.join_quote(bad)]),
	"details": object.union(pss.container_details(c), {"check": "capabilities_baseline", "capabilities": bad}),
} if {
	pss.evaluated
	some c in pods.containers
	added := pss.security_context(c.container).capabilities.add
	is_array(added)
	bad := sort({sprintf("%v", [x]) | some x in added; not allowed[x]})
	count(bad) > 0
}
