package policies.pss_baseline_capabilities_test

import data.policies.pss_baseline_capabilities as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(containers) := _review("Pod", {"spec": {"containers": containers}})

_add(name, caps) := {"name": name, "securityContext": {"capabilities": {"add": caps}}}

test_non_default_capabilities_denied if {
	p.violation == {{
		"msg": "non-default capabilities (container \"app\" must not include \"NET_RAW\", \"SYS_ADMIN\" in securityContext.capabilities.add)",
		"path": "spec.containers[0].securityContext.capabilities.add",
		"fix": "remove \"NET_RAW\", \"SYS_ADMIN\" from securityContext.capabilities.add",
		"details": {"check": "capabilities_baseline", "container": "app", "containerType": "container", "capabilities": ["NET_RAW", "SYS_ADMIN"]},
	}} with input.review as _pod([_add("app", ["SYS_ADMIN", "CHOWN", "NET_RAW", "SYS_ADMIN"])])
}

test_default_set_allowed if {
	caps := ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]
	count(p.violation) == 0 with input.review as _pod([_add("a", caps), {"name": "b", "securityContext": {"capabilities": {"drop": ["ALL"]}}}, {"name": "c"}])
}

test_names_compared_exactly if {
	# PSA compares names as written: a CAP_ prefix or lower case is not in the default set.
	{v.details.capabilities | some v in p.violation} == {["CAP_CHOWN", "chown"]} with input.review as _pod([_add("a", ["chown", "CAP_CHOWN"])])
}

test_init_container_in_cronjob if {
	cj := {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"initContainers": [_add("prep", ["NET_ADMIN"])], "containers": [{"name": "job"}]}}}}}}
	{v.path | some v in p.violation} == {"spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.capabilities.add"} with input.review as _review("CronJob", cj)
}
