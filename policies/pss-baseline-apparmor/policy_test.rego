package policies.pss_baseline_apparmor_test

import data.policies.pss_baseline_apparmor as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_fix := "set appArmorProfile.type to RuntimeDefault or Localhost, or remove it"

test_pod_and_container_fields_denied if {
	pod := {"spec": {
		"securityContext": {"appArmorProfile": {"type": "Unconfined"}},
		"containers": [{"name": "app", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}, {"name": "ok", "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}],
	}}
	p.violation == {
		{
			"msg": "forbidden AppArmor profile (pod must not set AppArmor profile type to \"Unconfined\")",
			"path": "spec.securityContext.appArmorProfile.type", "fix": _fix,
			"details": {"check": "appArmorProfile", "value": "Unconfined"},
		},
		{
			"msg": "forbidden AppArmor profile (container \"app\" must not set AppArmor profile type to \"Unconfined\")",
			"path": "spec.containers[0].securityContext.appArmorProfile.type", "fix": _fix,
			"details": {"check": "appArmorProfile", "container": "app", "containerType": "container", "value": "Unconfined"},
		},
	} with input.review as _review("Pod", pod)
}

test_annotation_denied if {
	pod := {
		"metadata": {"annotations": {
			"container.apparmor.security.beta.kubernetes.io/app": "unconfined",
			"container.apparmor.security.beta.kubernetes.io/b": "localhost/custom",
			"container.apparmor.security.beta.kubernetes.io/c": "runtime/default",
			"container.apparmor.security.beta.kubernetes.io/d": "",
			"other": "unconfined",
		}},
		"spec": {"containers": [{"name": "app"}]},
	}
	{[v.msg, v.path] | some v in p.violation} == {[
		"forbidden AppArmor profile (annotation container.apparmor.security.beta.kubernetes.io/app=\"unconfined\")",
		"metadata.annotations['container.apparmor.security.beta.kubernetes.io/app']",
	]} with input.review as _review("Pod", pod)
}

test_allowed_profiles if {
	pod := {"spec": {
		"securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "p"}},
		"containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}, {"name": "b", "securityContext": {"appArmorProfile": null}}],
	}}
	count(p.violation) == 0 with input.review as _review("Pod", pod)
}

test_missing_type_denied if {
	pod := {"spec": {"containers": [{"name": "a", "securityContext": {"appArmorProfile": {}}}]}}
	{v.details.value | some v in p.violation} == {""} with input.review as _review("Pod", pod)
}

test_deployment_template_annotation_path if {
	d := {"spec": {"template": {"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/x": "unconfined"}}, "spec": {"containers": [{"name": "x"}]}}}}
	{v.path | some v in p.violation} == {"spec.template.metadata.annotations['container.apparmor.security.beta.kubernetes.io/x']"} with input.review as _review("Deployment", d)
}
