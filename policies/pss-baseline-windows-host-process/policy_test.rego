package policies.pss_baseline_windows_host_process_test

import data.policies.pss_baseline_windows_host_process as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_hp := {"windowsOptions": {"hostProcess": true}}

_fix := "remove securityContext.windowsOptions.hostProcess or set it to false"

test_pod_and_container_denied if {
	pod := {"spec": {"os": {"name": "windows"}, "hostNetwork": true, "securityContext": _hp, "containers": [{"name": "app", "securityContext": _hp}]}}
	p.violation == {
		{
			"msg": "hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)",
			"path": "spec.securityContext.windowsOptions.hostProcess", "fix": _fix,
			"details": {"check": "windowsHostProcess", "value": true},
		},
		{
			"msg": "hostProcess (container \"app\" must not set securityContext.windowsOptions.hostProcess=true)",
			"path": "spec.containers[0].securityContext.windowsOptions.hostProcess", "fix": _fix,
			"details": {"check": "windowsHostProcess", "container": "app", "containerType": "container", "value": true},
		},
	} with input.review as _review("Pod", pod)
}

test_false_or_unset_allowed if {
	pod := {"spec": {"securityContext": {"windowsOptions": {"hostProcess": false, "runAsUserName": "u"}}, "containers": [{"name": "a", "securityContext": {"windowsOptions": {}}}]}}
	count(p.violation) == 0 with input.review as _review("Pod", pod)
}

test_deployment_init_container_path if {
	d := {"spec": {"template": {"spec": {"initContainers": [{"name": "i", "securityContext": _hp}]}}}}
	{v.path | some v in p.violation} == {"spec.template.spec.initContainers[0].securityContext.windowsOptions.hostProcess"} with input.review as _review("Deployment", d)
}
