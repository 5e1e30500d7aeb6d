package policies.restrict_image_registries_test

import data.policies.restrict_image_registries as policy

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(images) := {"spec": {"containers": [{"name": sprintf("c%d", [i]), "image": img} | some i, img in images]}}

_params := {"registries": ["registry.example.com", "ghcr.io/acme/"]}

_paths(vs) := {v.path | some v in vs}

test_allowed_registries_pass if {
	pod := _pod(["registry.example.com/team/app:1.0", "ghcr.io/acme/tool:2", "REGISTRY.example.com/x/y:1"])
	count(policy.violation) == 0 with input.review as _review("Pod", pod) with input.parameters as _params
}

test_other_registry_denied if {
	pod := {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}
	policy.violation == {{
		"msg": "image registry (container \"app\" must not use \"nginx:1.27\" from an unlisted registry)",
		"path": "spec.containers[0].image",
		"fix": "use an image from an allowed registry (docker.io/library/nginx is under none of: registry.example.com, ghcr.io/acme/)",
		"details": {"container": "app", "containerType": "container", "image": "nginx:1.27", "resolved": "docker.io/library/nginx", "registries": ["registry.example.com", "ghcr.io/acme/"]},
	}} with input.review as _review("Pod", pod) with input.parameters as _params
}

test_lookalike_hosts_and_prefixes_denied if {
	pod := _pod([
		"registry.example.com.evil.io/app:1",
		"registry.example.com:5000/app:1",
		"ghcr.io/acme-evil/app:1",
		"ghcr.io/acme/app:1",
	])
	_paths(policy.violation) == {"spec.containers[0].image", "spec.containers[1].image", "spec.containers[2].image"} with input.review as _review("Pod", pod) with input.parameters as _params
}

test_default_allows_nothing if {
	pod := _pod(["registry.example.com/app:1"])
	vs := policy.violation with input.review as _review("Pod", pod)
	count(vs) == 1
	[v.fix | some v in vs] == ["no registry is allowed yet: list the allowed registries in the registries parameter"]
}

test_docker_hub_entry if {
	pod := _pod(["nginx:1.27", "bitnami/redis:7", "quay.io/x/y:1"])
	_paths(policy.violation) == {"spec.containers[2].image"} with input.review as _review("Pod", pod) with input.parameters as {"registries": ["docker.io"]}
	_paths(policy.violation) == {"spec.containers[1].image", "spec.containers[2].image"} with input.review as _review("Pod", pod) with input.parameters as {"registries": ["docker.io/library"]}
}

test_every_container_type_and_workload if {
	d := {"spec": {"template": {"spec": {
		"initContainers": [{"name": "init", "image": "busybox:1"}],
		"containers": [{"name": "app", "image": "registry.example.com/app:1"}],
		"ephemeralContainers": [{"name": "debug", "image": "busybox:1"}],
	}}}}
	_paths(policy.violation) == {"spec.template.spec.initContainers[0].image", "spec.template.spec.ephemeralContainers[0].image"} with input.review as _review("Deployment", d) with input.parameters as _params
}

test_missing_image_and_delete_ignored if {
	count(policy.violation) == 0 with input.review as _review("Pod", {"spec": {"containers": [{"name": "a"}]}}) with input.parameters as _params
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null} with input.parameters as _params
}
