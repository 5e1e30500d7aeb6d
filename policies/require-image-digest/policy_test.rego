package policies.require_image_digest_test

import data.policies.require_image_digest as policy

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(images) := {"spec": {"containers": [{"name": sprintf("c%d", [i]), "image": img} | some i, img in images]}}

_sha := concat("", ["sha256:", concat("", [x | some _ in numbers.range(1, 64); x := "0"])])

_paths(vs) := {v.path | some v in vs}

test_digest_allowed if {
	pod := _pod([concat("", ["nginx@", _sha]), concat("", ["registry.example.com:5000/app:1.2@", _sha])])
	count(policy.violation) == 0 with input.review as _review("Pod", pod)
}

test_tag_denied if {
	pod := {"spec": {"containers": [{"name": "app", "image": "registry.example.com:5000/app:1.2"}]}}
	policy.violation == {{
		"msg": "image digest (container \"app\" must pin image \"registry.example.com:5000/app:1.2\" by digest)",
		"path": "spec.containers[0].image",
		"fix": "reference the image by digest, e.g. registry.example.com:5000/app@sha256:<digest>",
		"details": {"container": "app", "containerType": "container", "image": "registry.example.com:5000/app:1.2"},
	}} with input.review as _review("Pod", pod)
}

test_malformed_digest_denied if {
	vs := policy.violation with input.review as _review("Pod", _pod(["nginx@sha256:1234", "nginx@"]))
	_paths(vs) == {"spec.containers[0].image", "spec.containers[1].image"}
	{v.fix | some v in vs} == {"reference the image by digest, e.g. nginx@sha256:<digest>"}
}

test_every_container_type if {
	cj := {"spec": {"jobTemplate": {"spec": {"template": {"spec": {
		"initContainers": [{"name": "i", "image": "busybox"}],
		"containers": [{"name": "c", "image": concat("", ["a@", _sha])}],
		"ephemeralContainers": [{"name": "e", "image": "busybox:1"}],
	}}}}}}
	_paths(policy.violation) == {
		"spec.jobTemplate.spec.template.spec.initContainers[0].image",
		"spec.jobTemplate.spec.template.spec.ephemeralContainers[0].image",
	} with input.review as _review("CronJob", cj)
}

test_untyped_and_delete_ignored if {
	count(policy.violation) == 0 with input.review as _review("Pod", {"spec": {"containers": [{"name": "a", "image": 3}]}})
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null}
}
