package policies.pss_baseline_host_namespaces_test

import data.policies.pss_baseline_host_namespaces as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(spec) := _review("Pod", {"spec": spec})

test_host_namespaces_denied if {
	p.violation == {
		{"msg": "host namespaces (hostNetwork=true)", "path": "spec.hostNetwork", "fix": "remove hostNetwork or set it to false", "details": {"check": "hostNamespaces", "field": "hostNetwork", "value": true}},
		{"msg": "host namespaces (hostPID=true)", "path": "spec.hostPID", "fix": "remove hostPID or set it to false", "details": {"check": "hostNamespaces", "field": "hostPID", "value": true}},
		{"msg": "host namespaces (hostIPC=true)", "path": "spec.hostIPC", "fix": "remove hostIPC or set it to false", "details": {"check": "hostNamespaces", "field": "hostIPC", "value": true}},
	} with input.review as _pod({"hostNetwork": true, "hostPID": true, "hostIPC": true, "containers": [{"name": "a"}]})
}

test_false_or_unset_allowed if {
	count(p.violation) == 0 with input.review as _pod({"hostNetwork": false, "hostPID": false, "containers": [{"name": "a"}]})
	count(p.violation) == 0 with input.review as _pod({"containers": [{"name": "a"}]})
}

test_workload_template_path if {
	cj := {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostPID": true, "containers": []}}}}}}
	{v.path | some v in p.violation} == {"spec.jobTemplate.spec.template.spec.hostPID"} with input.review as _review("CronJob", cj)
	{v.path | some v in p.violation} == {"template.spec.hostIPC"} with input.review as _review("PodTemplate", {"template": {"spec": {"hostIPC": true}}})
}

test_every_version if {
	every v in ["v1.0", "v1.20", "latest"] {
		count(p.violation) == 1 with input.review as _pod({"hostNetwork": true}) with input.parameters as {"version": v}
	}
}

test_not_evaluated_on_status_or_label_updates if {
	pod := {"spec": {"hostNetwork": true, "containers": [{"name": "a", "image": "x"}]}}
	status := object.union(_review("Pod", pod), {"operation": "UPDATE", "subResource": "status", "oldObject": pod})
	count(p.violation) == 0 with input.review as status
	relabel := object.union(_review("Pod", object.union(pod, {"metadata": {"labels": {"a": "b"}}})), {"operation": "UPDATE", "oldObject": pod})
	count(p.violation) == 0 with input.review as relabel
}
