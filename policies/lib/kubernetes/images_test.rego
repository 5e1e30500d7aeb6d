package lib.kubernetes.images_test

import data.lib.kubernetes.images

_sha := concat("", ["sha256:", concat("", [x | some _ in numbers.range(1, 64); x := "a"])])

test_parse_normalizes_docker_hub if {
	images.parse("nginx") == {"domain": "docker.io", "path": "library/nginx", "name": "docker.io/library/nginx", "tag": null, "digest": null}
	images.parse("nginx:1.27").tag == "1.27"
	images.parse("nginx:1.27").name == "docker.io/library/nginx"
	images.parse("bitnami/redis:7").name == "docker.io/bitnami/redis"
	images.parse("docker.io/nginx").name == "docker.io/library/nginx"
	images.parse("index.docker.io/library/nginx:1").name == "docker.io/library/nginx"
}

test_parse_registry_hosts if {
	images.parse("registry.example.com/team/app:2").domain == "registry.example.com"
	images.parse("registry.example.com/team/app:2").path == "team/app"
	images.parse("Registry.Example.com/team/app").domain == "registry.example.com"
	images.parse("localhost/app").domain == "localhost"

	# A port is not a tag.
	r := images.parse("registry:5000/app")
	r.domain == "registry:5000"
	r.tag == null
	images.parse("registry:5000/app:v1").tag == "v1"
}

test_parse_digest if {
	r := images.parse(concat("", ["ghcr.io/acme/app:1@", _sha]))
	r.digest == _sha
	r.tag == "1"
	r.name == "ghcr.io/acme/app"
}

test_within_respects_segment_boundaries if {
	images.within(images.parse("registry.example.com/team/app:1"), "registry.example.com")
	images.within(images.parse("registry.example.com/team/app:1"), "registry.example.com/")
	images.within(images.parse("registry.example.com/team/app:1"), "registry.example.com/team")
	images.within(images.parse("nginx:1"), "docker.io/library")
	images.within(images.parse("nginx:1"), "docker.io")
	not images.within(images.parse("registry.example.com.evil.io/app:1"), "registry.example.com")
	not images.within(images.parse("registry.example.com/teamx/app:1"), "registry.example.com/team")
	not images.within(images.parse("registry.example.com:5000/app:1"), "registry.example.com")
	not images.within(images.parse("nginx:1"), "")
	not images.within(images.parse("nginx:1"), "nginx")
}

test_has_digest if {
	images.has_digest(concat("", ["nginx@", _sha]))
	images.has_digest(concat("", ["nginx:1.27@", _sha]))
	not images.has_digest("nginx:1.27")
	not images.has_digest("nginx@sha256:abc")
	not images.has_digest("nginx@")
	not images.has_digest(42)
}
