package policies.pss_baseline_seccomp_test

import data.policies.pss_baseline_seccomp as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_fix := "set seccompProfile.type to RuntimeDefault or Localhost, or remove it"

_unconfined := {"seccompProfile": {"type": "Unconfined"}}

test_fields_denied if {
	pod := {"spec": {"securityContext": _unconfined, "containers": [{"name": "app", "securityContext": _unconfined}, {"name": "ok"}]}}
	p.violation == {
		{
			"msg": "seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")",
			"path": "spec.securityContext.seccompProfile.type", "fix": _fix,
			"details": {"check": "seccompProfile_baseline", "value": "Unconfined"},
		},
		{
			"msg": "seccompProfile (container \"app\" must not set securityContext.seccompProfile.type to \"Unconfined\")",
			"path": "spec.containers[0].securityContext.seccompProfile.type", "fix": _fix,
			"details": {"check": "seccompProfile_baseline", "container": "app", "containerType": "container", "value": "Unconfined"},
		},
	} with input.review as _review("Pod", pod)
}

test_unset_runtime_default_localhost_allowed if {
	pod := {"spec": {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [
		{"name": "a", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}},
		{"name": "b"},
	]}}
	count(p.violation) == 0 with input.review as _review("Pod", pod)
}

test_annotations_before_v1_19 if {
	pod := {
		"metadata": {"annotations": {
			"seccomp.security.alpha.kubernetes.io/pod": "unconfined",
			"container.seccomp.security.alpha.kubernetes.io/app": "docker/default",
			"container.seccomp.security.alpha.kubernetes.io/side": "unconfined",
			"container.seccomp.security.alpha.kubernetes.io/gone": "unconfined",
		}},
		"spec": {"securityContext": _unconfined, "containers": [{"name": "app"}, {"name": "side"}]},
	}
	{[v.msg, v.path] | some v in p.violation} == {
		[
			"seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\")",
			"metadata.annotations['seccomp.security.alpha.kubernetes.io/pod']",
		],
		[
			"seccompProfile (forbidden annotation container.seccomp.security.alpha.kubernetes.io/side=\"unconfined\")",
			"metadata.annotations['container.seccomp.security.alpha.kubernetes.io/side']",
		],
	} with input.review as _review("Pod", pod) with input.parameters as {"version": "v1.18"}

	# From v1.19 the annotations are not looked at, the fields are.
	{v.path | some v in p.violation} == {"spec.securityContext.seccompProfile.type"} with input.review as _review("Pod", pod) with input.parameters as {"version": "v1.19"}
}

test_empty_annotation_denied_before_v1_19 if {
	pod := {"metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": ""}}, "spec": {"containers": []}}
	count(p.violation) == 1 with input.review as _review("Pod", pod) with input.parameters as {"version": "v1.0"}
}

test_cronjob_template_path if {
	cj := {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "j", "securityContext": _unconfined}]}}}}}}
	{v.path | some v in p.violation} == {"spec.jobTemplate.spec.template.spec.containers[0].securityContext.seccompProfile.type"} with input.review as _review("CronJob", cj)
}
