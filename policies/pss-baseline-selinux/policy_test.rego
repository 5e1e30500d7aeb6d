package policies.pss_baseline_selinux_test

import data.policies.pss_baseline_selinux as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_fix := "remove seLinuxOptions.user and .role, and set .type to container_t, container_init_t or container_kvm_t, or remove it"

test_pod_and_container_denied if {
	pod := {"spec": {
		"securityContext": {"seLinuxOptions": {"type": "spc_t", "user": "system_u", "role": "system_r", "level": "s0"}},
		"containers": [{"name": "app", "securityContext": {"seLinuxOptions": {"role": "r"}}}],
	}}
	p.violation == {
		{
			"msg": "seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type \"spc_t\"; user may not be set; role may not be set)",
			"path": "spec.securityContext.seLinuxOptions", "fix": _fix,
			"details": {"check": "seLinuxOptions", "problems": ["type \"spc_t\"", "user may not be set", "role may not be set"]},
		},
		{
			"msg": "seLinuxOptions (container \"app\" set forbidden securityContext.seLinuxOptions: role may not be set)",
			"path": "spec.containers[0].securityContext.seLinuxOptions", "fix": _fix,
			"details": {"check": "seLinuxOptions", "container": "app", "containerType": "container", "problems": ["role may not be set"]},
		},
	} with input.review as _review("Pod", pod)
}

test_allowed_types if {
	every t in ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"] {
		pod := {"spec": {"containers": [{"name": "a", "securityContext": {"seLinuxOptions": {"type": t, "level": "s0:c1,c2", "user": ""}}}]}}
		count(p.violation) == 0 with input.review as _review("Pod", pod)
	}
}

test_container_engine_t_from_v1_31 if {
	pod := {"spec": {"containers": [{"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}]}}
	count(p.violation) == 0 with input.review as _review("Pod", pod) with input.parameters as {"version": "v1.31"}
	{v.msg | some v in p.violation} == {"seLinuxOptions (container \"a\" set forbidden securityContext.seLinuxOptions: type \"container_engine_t\")"} with input.review as _review("Pod", pod) with input.parameters as {"version": "v1.30"}
}

test_replicaset_template_path if {
	rs := {"spec": {"template": {"spec": {"initContainers": [{"name": "i", "securityContext": {"seLinuxOptions": {"user": "u"}}}]}}}}
	{v.path | some v in p.violation} == {"spec.template.spec.initContainers[0].securityContext.seLinuxOptions"} with input.review as _review("ReplicaSet", rs)
}
