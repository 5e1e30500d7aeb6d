# Pod Security Standards, baseline: sysctls (PSA check sysctls).
# spec.securityContext.sysctls may only name "safe" sysctls: namespaced in the pod and isolated
# from other pods on the node. The safe list grew over versions (v1.27, v1.29, v1.32, v1.37);
# the `version` parameter picks it. One violation per forbidden sysctl.
package policies.pss_baseline_sysctls

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

# PSA sysctlsAllowedV1Dot0 ... sysctlsAllowedV1Dot37.
_since := {
	0: {
		"kernel.shm_rmid_forced",
		"net.ipv4.ip_local_port_range",
		"net.ipv4.tcp_syncookies",
		"net.ipv4.ping_group_range",
		"net.ipv4.ip_unprivileged_port_start",
	},
	27: {"net.ipv4.ip_local_reserved_ports"},
	29: {
		"net.ipv4.tcp_keepalive_time",
		"net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes",
	},
	32: {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"},
	37: {"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"},
}

allowed contains name if {
	some v, names in _since
	pss.minor >= v
	some name in names
}

violation contains {
	"msg": sprintf("forbidden sysctls (%v)", [name]),
	"path": sprintf("%s.securityContext.sysctls[%d].name", [ps.path, i]),
	"fix": sprintf("remove sysctl %v: only the safe sysctls of the Pod Security Standards are allowed", [name]),
	"details": {"check": "sysctls", "sysctl": name},
} if {
	pss.evaluated
	some ps in pods.pod_specs
	sysctls := pss.security_context(ps.spec).sysctls
	is_array(sysctls)
	some i, s in sysctls
	name := _name(s)
	not allowed[name]
}

_name(s) := object.get(s, "name", "") if is_object(s)
