package policies.disallow_latest_tag_test

import data.policies.disallow_latest_tag as policy

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(images) := {"spec": {"containers": [{"name": sprintf("c%d", [i]), "image": img} | some i, img in images]}}

_latest(name, image) := sprintf("image tag \"latest\" (container \"%s\" must not use image \"%s\")", [name, image])

_untagged(name, image) := sprintf("image without tag (container \"%s\" must not use image \"%s\", which pulls \"latest\")", [name, image])

_pairs(vs) := {[v.msg, v.path] | some v in vs}

test_pod_latest_denied if {
	pod := {"spec": {"containers": [{"name": "app", "image": "nginx:latest"}]}}
	policy.violation == {{
		"msg": "image tag \"latest\" (container \"app\" must not use image \"nginx:latest\")",
		"path": "spec.containers[0].image",
		"fix": "pin the image to a version tag or a digest, e.g. nginx:1.2.3 or nginx@sha256:<digest>",
		"details": {"container": "app", "containerType": "container", "image": "nginx:latest", "repository": "nginx", "tag": "latest"},
	}} with input.review as _review("Pod", pod) with input.parameters as {"disallowedTags": ["latest"]}
}

test_pod_untagged_denied if {
	pod := {"spec": {"containers": [{"name": "app", "image": "nginx"}]}}
	policy.violation == {{
		"msg": "image without tag (container \"app\" must not use image \"nginx\", which pulls \"latest\")",
		"path": "spec.containers[0].image",
		"fix": "pin the image to a version tag or a digest, e.g. nginx:1.2.3 or nginx@sha256:<digest>",
		"details": {"container": "app", "containerType": "container", "image": "nginx", "repository": "nginx", "tag": null},
	}} with input.review as _review("Pod", pod)
}

test_allowed_images if {
	images := [
		"nginx:1.27.3",
		"docker.io/library/nginx:1.27",
		"registry:5000/team/app:v2",
		"ghcr.io/org/app:sha-1a2b3c",
		"nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
		"registry:5000/app@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
		"nginx:latest@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
		"app:latest-1",
		"app:Latest",
	]
	count(policy.violation) == 0 with input.review as _review("Pod", _pod(images))
}

test_denied_images if {
	images := [
		"nginx",
		"nginx:latest",
		"registry:5000/app",
		"registry:5000/app:latest",
		"localhost/app",
		"ghcr.io/org/team/app",
	]
	_pairs(policy.violation) == {
		[_untagged("c0", "nginx"), "spec.containers[0].image"],
		[_latest("c1", "nginx:latest"), "spec.containers[1].image"],
		[_untagged("c2", "registry:5000/app"), "spec.containers[2].image"],
		[_latest("c3", "registry:5000/app:latest"), "spec.containers[3].image"],
		[_untagged("c4", "localhost/app"), "spec.containers[4].image"],
		[_untagged("c5", "ghcr.io/org/team/app"), "spec.containers[5].image"],
	} with input.review as _review("Pod", _pod(images))
}

test_registry_port_repository if {
	vs := policy.violation with input.review as _review("Pod", _pod(["registry:5000/app:latest", "registry:5000/other"]))
	{[v.details.repository, v.details.tag] | some v in vs} == {["registry:5000/app", "latest"], ["registry:5000/other", null]}
	{v.fix | some v in vs} == {
		"pin the image to a version tag or a digest, e.g. registry:5000/app:1.2.3 or registry:5000/app@sha256:<digest>",
		"pin the image to a version tag or a digest, e.g. registry:5000/other:1.2.3 or registry:5000/other@sha256:<digest>",
	}
}

test_parameters_disallowed_tags if {
	pod := _pod(["app:dev", "app:latest", "app"])

	# Extra tags are refused; untagged images are always refused.
	_pairs(policy.violation) == {
		["image tag \"dev\" (container \"c0\" must not use image \"app:dev\")", "spec.containers[0].image"],
		[_latest("c1", "app:latest"), "spec.containers[1].image"],
		[_untagged("c2", "app"), "spec.containers[2].image"],
	} with input.review as _review("Pod", pod) with input.parameters as {"disallowedTags": ["latest", "dev"]}

	_pairs(policy.violation) == {[_untagged("c2", "app"), "spec.containers[2].image"]} with input.review as _review("Pod", pod) with input.parameters as {"disallowedTags": []}
}

test_missing_or_empty_image_ignored if {
	pod := {"spec": {"containers": [{"name": "a"}, {"name": "b", "image": ""}, {"name": "c", "image": null}]}}
	count(policy.violation) == 0 with input.review as _review("Pod", pod)
}

test_init_container_denied if {
	pod := {"spec": {"initContainers": [{"name": "setup", "image": "busybox"}], "containers": [{"name": "app", "image": "app:1.0"}]}}
	vs := policy.violation with input.review as _review("Pod", pod)
	_pairs(vs) == {[_untagged("setup", "busybox"), "spec.initContainers[0].image"]}
	[v.details.containerType | some v in vs] == ["initContainer"]
}

test_ephemeral_container_denied if {
	pod := {"spec": {"containers": [{"name": "app", "image": "app:1.0"}], "ephemeralContainers": [{"name": "debugger", "image": "busybox:latest"}]}}
	review := object.union(_review("Pod", pod), {"operation": "UPDATE", "subResource": "ephemeralcontainers"})
	_pairs(policy.violation) == {[_latest("debugger", "busybox:latest"), "spec.ephemeralContainers[0].image"]} with input.review as review
}

test_deployment_template_denied if {
	d := {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "app:1.0"}, {"name": "proxy", "image": "envoyproxy/envoy:latest"}]}}}}
	_pairs(policy.violation) == {[_latest("proxy", "envoyproxy/envoy:latest"), "spec.template.spec.containers[1].image"]} with input.review as _review("Deployment", d)
}

test_deployment_allowed if {
	d := {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "app:1.0"}]}}}}
	count(policy.violation) == 0 with input.review as _review("Deployment", d)
}

test_cronjob_template_denied if {
	cj := {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "image": "backup"}]}}}}}}
	_pairs(policy.violation) == {[_untagged("job", "backup"), "spec.jobTemplate.spec.template.spec.containers[0].image"]} with input.review as _review("CronJob", cj)
}

test_every_workload_kind_denied if {
	tpl := {"spec": {"containers": [{"name": "app", "image": "app"}]}}
	every kind in {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"} {
		_pairs(policy.violation) == {[_untagged("app", "app"), "spec.template.spec.containers[0].image"]} with input.review as _review(kind, {"spec": {"template": tpl}})
	}
	_pairs(policy.violation) == {[_untagged("app", "app"), "template.spec.containers[0].image"]} with input.review as _review("PodTemplate", {"template": tpl})
}

test_delete_allowed if {
	review := {"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null, "oldObject": _pod(["nginx"])}
	count(policy.violation) == 0 with input.review as review
}
