package policies.pss_baseline_host_probes_and_lifecycle_hooks_test

import data.policies.pss_baseline_host_probes_and_lifecycle_hooks as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(containers) := _review("Pod", {"spec": {"containers": containers}})

test_every_handler_denied if {
	c := {
		"name": "app",
		"livenessProbe": {"httpGet": {"port": 80, "host": "10.0.0.1"}},
		"readinessProbe": {"tcpSocket": {"port": 80, "host": "db"}},
		"startupProbe": {"httpGet": {"port": 80}},
		"lifecycle": {"postStart": {"httpGet": {"port": 80, "host": "a"}}, "preStop": {"tcpSocket": {"port": 80, "host": "b"}}},
	}
	{[v.msg, v.path] | some v in p.violation} == {
		["probe or lifecycle host (container \"app\" uses probe or lifecycle host \"10.0.0.1\")", "spec.containers[0].livenessProbe.httpGet.host"],
		["probe or lifecycle host (container \"app\" uses probe or lifecycle host \"db\")", "spec.containers[0].readinessProbe.tcpSocket.host"],
		["probe or lifecycle host (container \"app\" uses probe or lifecycle host \"a\")", "spec.containers[0].lifecycle.postStart.httpGet.host"],
		["probe or lifecycle host (container \"app\" uses probe or lifecycle host \"b\")", "spec.containers[0].lifecycle.preStop.tcpSocket.host"],
	} with input.review as _pod([c])
}

test_fix_and_details if {
	v := [v | some v in p.violation][0] with input.review as _pod([{"name": "app", "livenessProbe": {"httpGet": {"port": 80, "host": "h"}}}])
	v.fix == "remove livenessProbe.httpGet.host: the kubelet then connects to the pod's own IP"
	v.details == {"check": "hostProbesAndHostLifecycle", "container": "app", "containerType": "container", "host": "h"}
}

test_no_or_empty_host_allowed if {
	c := {"name": "a", "livenessProbe": {"httpGet": {"port": 80, "host": ""}}, "readinessProbe": {"exec": {"command": ["true"]}}, "lifecycle": {"preStop": {"sleep": {"seconds": 1}}}}
	count(p.violation) == 0 with input.review as _pod([c])
}

test_from_v1_34 if {
	c := {"name": "a", "readinessProbe": {"tcpSocket": {"port": 80, "host": "db"}}}
	count(p.violation) == 1 with input.review as _pod([c]) with input.parameters as {"version": "v1.34"}
	count(p.violation) == 0 with input.review as _pod([c]) with input.parameters as {"version": "v1.33"}
}

test_statefulset_template_path if {
	s := {"spec": {"template": {"spec": {"containers": [{"name": "a"}, {"name": "b", "startupProbe": {"httpGet": {"port": 1, "host": "x"}}}]}}}}
	{v.path | some v in p.violation} == {"spec.template.spec.containers[1].startupProbe.httpGet.host"} with input.review as _review("StatefulSet", s)
}
