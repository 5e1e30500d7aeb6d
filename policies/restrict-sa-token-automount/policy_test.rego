package policies.restrict_sa_token_automount_test

import data.policies.restrict_sa_token_automount as policy

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "namespace": "shop", "userInfo": {"username": "alice"}, "object": obj}

_pod(spec) := {"spec": object.union({"containers": [{"name": "app"}]}, spec)}

_paths(vs) := {v.path | some v in vs}

test_default_service_account_pod_denied if {
	policy.violation == {{
		"msg": "service account token (pod running as the default service account must set automountServiceAccountToken=false)",
		"path": "spec.automountServiceAccountToken",
		"fix": "set automountServiceAccountToken: false in the pod spec, or give the pod a service account of its own if it calls the API",
		"details": {"serviceAccount": "default", "value": null},
	}} with input.review as _review("Pod", _pod({}))
	_paths(policy.violation) == {"spec.automountServiceAccountToken"} with input.review as _review("Pod", _pod({"serviceAccountName": "default", "automountServiceAccountToken": true}))
}

test_opted_out_or_own_service_account_allowed if {
	count(policy.violation) == 0 with input.review as _review("Pod", _pod({"automountServiceAccountToken": false}))
	count(policy.violation) == 0 with input.review as _review("Pod", _pod({"serviceAccountName": "web"}))
	count(policy.violation) == 0 with input.review as _review("Pod", _pod({"serviceAccount": "web"}))
}

test_workload_templates if {
	d := {"spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}}
	_paths(policy.violation) == {"spec.template.spec.automountServiceAccountToken"} with input.review as _review("Deployment", d)
	cj := {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"automountServiceAccountToken": false}}}}}}
	count(policy.violation) == 0 with input.review as _review("CronJob", cj)
}

test_default_service_account_object if {
	sa := {"metadata": {"name": "default", "namespace": "shop"}}
	policy.violation == {{
		"msg": "service account token (ServiceAccount \"default\" must set automountServiceAccountToken=false)",
		"path": "automountServiceAccountToken",
		"fix": "kubectl -n shop patch serviceaccount default -p '{\"automountServiceAccountToken\": false}'",
		"details": {"value": null},
	}} with input.review as _review("ServiceAccount", sa)
	count(policy.violation) == 0 with input.review as _review("ServiceAccount", object.union(sa, {"automountServiceAccountToken": false}))
	count(policy.violation) == 0 with input.review as _review("ServiceAccount", {"metadata": {"name": "web"}})
}

test_controller_creation_let_through_then_flagged if {
	sa := {"metadata": {"name": "default", "namespace": "new"}}
	controller := object.union(_review("ServiceAccount", sa), {"userInfo": {"username": "system:serviceaccount:kube-system:service-account-controller"}})
	count(policy.violation) == 0 with input.review as controller
	count(policy.violation) == 1 with input.review as object.union(controller, {"operation": "UPDATE"})
}

test_delete_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null}
}
