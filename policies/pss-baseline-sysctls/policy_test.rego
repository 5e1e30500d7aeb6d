package policies.pss_baseline_sysctls_test

import data.policies.pss_baseline_sysctls as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(names) := _review("Pod", {"spec": {"securityContext": {"sysctls": [{"name": n, "value": "1"} | some n in names]}}})

test_forbidden_sysctl_denied if {
	p.violation == {{
		"msg": "forbidden sysctls (kernel.msgmax)",
		"path": "spec.securityContext.sysctls[1].name",
		"fix": "remove sysctl kernel.msgmax: only the safe sysctls of the Pod Security Standards are allowed",
		"details": {"check": "sysctls", "sysctl": "kernel.msgmax"},
	}} with input.review as _pod(["kernel.shm_rmid_forced", "kernel.msgmax"])
}

test_safe_sets_per_version if {
	v1_0 := ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"]
	count(p.violation) == 0 with input.review as _pod(v1_0) with input.parameters as {"version": "v1.0"}

	# Added later: each allowed from its version, refused before.
	added := {
		"v1.27": ["net.ipv4.ip_local_reserved_ports"],
		"v1.29": ["net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"],
		"v1.32": ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"],
		"v1.37": ["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"],
	}
	every version, names in added {
		count(p.violation) == 0 with input.review as _pod(names) with input.parameters as {"version": version}
		before := sprintf("v1.%d", [to_number(substring(version, 3, -1)) - 1])
		count(p.violation) == count(names) with input.review as _pod(names) with input.parameters as {"version": before}
	}
	count(p.violation) == 0 with input.review as _pod(["net.ipv4.tcp_notsent_lowat"]) with input.parameters as {"version": "latest"}
}

test_no_sysctls_allowed if {
	count(p.violation) == 0 with input.review as _review("Pod", {"spec": {"securityContext": {}}})
	count(p.violation) == 0 with input.review as _review("Pod", {"spec": {}})
}

test_podtemplate_path if {
	pt := {"template": {"spec": {"securityContext": {"sysctls": [{"name": "vm.swappiness", "value": "1"}]}}}}
	{v.path | some v in p.violation} == {"template.spec.securityContext.sysctls[0].name"} with input.review as _review("PodTemplate", pt)
}
