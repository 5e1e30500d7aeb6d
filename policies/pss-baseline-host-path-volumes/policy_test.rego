package policies.pss_baseline_host_path_volumes_test

import data.policies.pss_baseline_host_path_volumes as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

test_host_path_denied if {
	pod := {"spec": {"containers": [{"name": "a"}], "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "logs", "hostPath": {"path": "/var/log"}}]}}
	p.violation == {{
		"msg": "hostPath volumes (volume \"logs\")",
		"path": "spec.volumes[1].hostPath",
		"fix": "replace hostPath volume \"logs\" with emptyDir, a configMap, a secret or a persistentVolumeClaim",
		"details": {"check": "hostPathVolumes", "volume": "logs"},
	}} with input.review as _review("Pod", pod)
}

test_other_volumes_allowed if {
	pod := {"spec": {"volumes": [{"name": "a", "emptyDir": {}}, {"name": "b", "nfs": {"server": "x", "path": "/"}}, {"name": "c", "hostPath": null}, {"name": "d"}]}}
	count(p.violation) == 0 with input.review as _review("Pod", pod)
}

test_statefulset_template_path if {
	s := {"spec": {"template": {"spec": {"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}}}}
	{v.path | some v in p.violation} == {"spec.template.spec.volumes[0].hostPath"} with input.review as _review("StatefulSet", s)
}
