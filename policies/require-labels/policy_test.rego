package policies.require_labels_test

import data.policies.require_labels as policy

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_named := {"app.kubernetes.io/name": "web"}

_pairs(vs) := {[v.msg, v.path] | some v in vs}

test_missing_label_denied if {
	svc := {"metadata": {"name": "web", "labels": {"team": "shop"}}, "spec": {}}
	policy.violation == {{
		"msg": "required labels (metadata.labels must set app.kubernetes.io/name)",
		"path": "metadata.labels",
		"fix": "add to metadata.labels: app.kubernetes.io/name: <value>",
		"details": {"missing": ["app.kubernetes.io/name"]},
	}} with input.review as _review("Service", svc)
}

test_labels_present_allowed if {
	count(policy.violation) == 0 with input.review as _review("Service", {"metadata": {"labels": _named}})
	count(policy.violation) == 0 with input.review as _review("Pod", {"metadata": {"labels": _named}, "spec": {"containers": []}})
}

test_no_labels_at_all if {
	_pairs(policy.violation) == {["required labels (metadata.labels must set app.kubernetes.io/name)", "metadata.labels"]} with input.review as _review("Pod", {"metadata": {"name": "p"}, "spec": {}})
}

test_template_labels_checked if {
	d := {"metadata": {"labels": _named}, "spec": {"template": {"spec": {"containers": []}}}}
	_pairs(policy.violation) == {["required labels (spec.template.metadata.labels must set app.kubernetes.io/name)", "spec.template.metadata.labels"]} with input.review as _review("Deployment", d)
	ok := {"metadata": {"labels": _named}, "spec": {"template": {"metadata": {"labels": _named}, "spec": {}}}}
	count(policy.violation) == 0 with input.review as _review("Deployment", ok)
}

test_cronjob_job_and_pod_templates if {
	cj := {"metadata": {"labels": _named}, "spec": {"jobTemplate": {"metadata": {}, "spec": {"template": {"spec": {}}}}}}
	_pairs(policy.violation) == {
		["required labels (spec.jobTemplate.metadata.labels must set app.kubernetes.io/name)", "spec.jobTemplate.metadata.labels"],
		["required labels (spec.jobTemplate.spec.template.metadata.labels must set app.kubernetes.io/name)", "spec.jobTemplate.spec.template.metadata.labels"],
	} with input.review as _review("CronJob", cj)
}

test_several_labels_and_regex if {
	params := {"labels": [{"key": "team", "allowedRegex": "^[a-z]+$"}, {"key": "cost-center"}]}
	svc := {"metadata": {"labels": {"team": "Shop"}}}
	vs := policy.violation with input.review as _review("Service", svc) with input.parameters as params
	_pairs(vs) == {
		["required labels (metadata.labels must set cost-center)", "metadata.labels"],
		["required labels (metadata.labels \"team\" is \"Shop\", which must match ^[a-z]+$)", "metadata.labels"],
	}
	count(policy.violation) == 0 with input.review as _review("Service", {"metadata": {"labels": {"team": "shop", "cost-center": "42"}}}) with input.parameters as params
}

test_invalid_regex_never_matches if {
	params := {"labels": [{"key": "team", "allowedRegex": "("}]}
	count(policy.violation) == 1 with input.review as _review("Service", {"metadata": {"labels": {"team": "x"}}}) with input.parameters as params
}

test_no_required_labels if {
	count(policy.violation) == 0 with input.review as _review("Service", {"metadata": {}}) with input.parameters as {"labels": []}
}

test_delete_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Service"}, "operation": "DELETE", "object": null}
}
