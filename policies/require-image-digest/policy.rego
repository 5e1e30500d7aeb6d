# Images must be pinned by digest (image@sha256:<64 hex>): a tag can be moved to other content,
# a digest cannot. Every container type is checked. Off by default: it asks for a release process
# that resolves digests (CI, Renovate, kustomize images, ...), which not every team has.
package policies.require_image_digest

import data.lib.kubernetes.images
import data.lib.kubernetes.pods

# The image without tag or digest, as written, for the example in the fix.
_repository(image) := substring(image, 0, count(image) - count(_suffix(image)))

_suffix(image) := s if {
	ref := images.parse(image)
	s := concat("", [_tag_part(ref.tag), _digest_part(ref.digest)])
}

_tag_part(t) := "" if t == null

_tag_part(t) := concat("", [":", t]) if is_string(t)

_digest_part(d) := "" if d == null

_digest_part(d) := concat("", ["@", d]) if is_string(d)

violation contains {
	"msg": $"image digest (container \"{c.name}\" must pin image \"{image}\" by digest)",
	"path": concat("", [c.path, ".image"]),
	"fix": $"reference the image by digest, e.g. {_repository(image)}@sha256:<digest>",
	"details": {"container": c.name, "containerType": c.type, "image": image},
} if {
	some c in pods.containers
	image := c.container.image
	is_string(image)
	image != ""
	not images.has_digest(image)
}
