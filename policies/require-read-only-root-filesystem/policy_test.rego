package policies.require_read_only_root_filesystem_test

import data.policies.require_read_only_root_filesystem as policy

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_ro(name) := {"name": name, "securityContext": {"readOnlyRootFilesystem": true}}

_paths(vs) := {v.path | some v in vs}

test_unset_denied if {
	pod := {"spec": {"containers": [{"name": "app", "image": "app:1"}]}}
	policy.violation == {{
		"msg": "read-only root filesystem (container \"app\" must set securityContext.readOnlyRootFilesystem=true)",
		"path": "spec.containers[0].securityContext.readOnlyRootFilesystem",
		"fix": "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the container writes (e.g. /tmp)",
		"details": {"container": "app", "containerType": "container", "value": null},
	}} with input.review as _review("Pod", pod)
}

test_false_denied_true_allowed if {
	pod := {"spec": {"containers": [_ro("a"), {"name": "b", "securityContext": {"readOnlyRootFilesystem": false}}]}}
	_paths(policy.violation) == {"spec.containers[1].securityContext.readOnlyRootFilesystem"} with input.review as _review("Pod", pod)
	count(policy.violation) == 0 with input.review as _review("Pod", {"spec": {"containers": [_ro("a")]}})
}

test_init_checked_ephemeral_skipped if {
	sts := {"spec": {"template": {"spec": {
		"initContainers": [{"name": "init"}],
		"containers": [_ro("db")],
		"ephemeralContainers": [{"name": "debug"}],
	}}}}
	_paths(policy.violation) == {"spec.template.spec.initContainers[0].securityContext.readOnlyRootFilesystem"} with input.review as _review("StatefulSet", sts)
}

test_windows_pods_skipped if {
	pod := {"spec": {"os": {"name": "windows"}, "containers": [{"name": "app"}]}}
	count(policy.violation) == 0 with input.review as _review("Pod", pod)
}

test_delete_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null}
}
