# Images must name a pinned version: no ":latest" (or another tag listed in
# parameters.disallowedTags) and no missing tag, which the runtime resolves to ":latest".
# A digest (image@sha256:...) pins the image whatever the tag says.
package policies.disallow_latest_tag

import data.lib.kubernetes.pods

default_disallowed_tags := ["latest"]

disallowed_tags := object.get(input, ["parameters", "disallowedTags"], default_disallowed_tags)

# Parses an image reference without a digest into {"repository", "tag"} ("tag" is null when
# absent). Only the last path segment may hold the tag, so "registry:5000/app" is untagged.
_parse(image) := _ref(image, last, indexof(last, ":")) if {
	parts := split(image, "/")
	last := parts[count(parts) - 1]
}

# The reference given the image's last segment and the index of ":" in it (-1: no tag).
_ref(image, _, i) := {"repository": image, "tag": null} if i < 0

_ref(image, last, i) := {"repository": substring(image, 0, (count(image) - count(tag)) - 1), "tag": tag} if {
	i >= 0
	tag := substring(last, i + 1, -1)
}

# Images that need checking: strings without a digest, each parsed once for both rules below.
_images[c.path] := [c, image, _parse(image)] if {
	some c in pods.containers
	image := c.container.image
	is_string(image)
	image != ""
	not contains(image, "@")
}

_fix(repository) := sprintf("pin the image to a version tag or a digest, e.g. %s:1.2.3 or %s@sha256:<digest>", [repository, repository])

violation contains {
	"msg": sprintf("image without tag (container \"%s\" must not use image \"%s\", which pulls \"latest\")", [c.name, image]),
	"path": concat("", [c.path, ".image"]),
	"fix": _fix(ref.repository),
	"details": {"container": c.name, "containerType": c.type, "image": image, "repository": ref.repository, "tag": null},
} if {
	some [c, image, ref] in _images
	ref.tag == null
}

violation contains {
	"msg": sprintf("image tag \"%s\" (container \"%s\" must not use image \"%s\")", [ref.tag, c.name, image]),
	"path": concat("", [c.path, ".image"]),
	"fix": _fix(ref.repository),
	"details": {"container": c.name, "containerType": c.type, "image": image, "repository": ref.repository, "tag": ref.tag},
} if {
	some [c, image, ref] in _images
	ref.tag in disallowed_tags
}
