# Images must come from a registry (or repository prefix) listed in parameters.registries. Every
# container type is checked: an ephemeral debug container runs code in the pod like any other.
# Off by default: the allowed registries are site-specific, and with the default empty list every
# image is refused, so the policy fails closed when it is switched on without configuration.
package policies.restrict_image_registries

import data.lib.kubernetes.images
import data.lib.kubernetes.pods

registries := object.get(input, ["parameters", "registries"], [])

_allowed(ref) if {
	some r in registries
	images.within(ref, r)
}

_fix(_) := "no registry is allowed yet: list the allowed registries in the registries parameter" if {
	count(registries) == 0
}

_fix(ref) := $"use an image from an allowed registry ({ref.name} is under none of: {concat(", ", registries)})" if {
	count(registries) > 0
}

violation contains {
	"msg": $"image registry (container \"{c.name}\" must not use \"{image}\" from an unlisted registry)",
	"path": concat("", [c.path, ".image"]),
	"fix": _fix(ref),
	"details": {"container": c.name, "containerType": c.type, "image": image, "resolved": ref.name, "registries": registries},
} if {
	some c in pods.containers
	image := c.container.image
	is_string(image)
	image != ""
	ref := images.parse(image)
	not _allowed(ref)
}
