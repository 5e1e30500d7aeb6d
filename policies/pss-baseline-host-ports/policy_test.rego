package policies.pss_baseline_host_ports_test

import data.policies.pss_baseline_host_ports as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

test_one_violation_per_host_port if {
	pod := {"spec": {"containers": [{"name": "web", "ports": [{"containerPort": 80, "hostPort": 80}, {"containerPort": 81}, {"containerPort": 443, "hostPort": 8443}]}]}}
	p.violation == {
		{
			"msg": "hostPort (container \"web\" uses hostPort 80)",
			"path": "spec.containers[0].ports[0].hostPort",
			"fix": "remove hostPort and reach the pod through a Service",
			"details": {"check": "hostPorts", "container": "web", "containerType": "container", "hostPort": 80},
		},
		{
			"msg": "hostPort (container \"web\" uses hostPort 8443)",
			"path": "spec.containers[0].ports[2].hostPort",
			"fix": "remove hostPort and reach the pod through a Service",
			"details": {"check": "hostPorts", "container": "web", "containerType": "container", "hostPort": 8443},
		},
	} with input.review as _review("Pod", pod)
}

test_zero_or_unset_allowed if {
	pod := {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 0}, {"containerPort": 81}]}, {"name": "b", "ports": null}]}}
	count(p.violation) == 0 with input.review as _review("Pod", pod)
}

test_init_container_in_daemonset if {
	ds := {"spec": {"template": {"spec": {"initContainers": [{"name": "i", "ports": [{"containerPort": 9, "hostPort": 9}]}], "containers": [{"name": "a"}]}}}}
	{v.path | some v in p.violation} == {"spec.template.spec.initContainers[0].ports[0].hostPort"} with input.review as _review("DaemonSet", ds)
}
