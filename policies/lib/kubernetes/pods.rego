# Pod-spec access for every workload kind, with the field path of each piece in the submitted
# object, so a pod policy covers Deployments, CronJobs, ... with no extra code.
#
# Reads input.review (the AdmissionRequest) and keys off input.review.kind.kind (the kind the
# apiserver asked about), not object.kind. Nothing is produced when input.review.object is not an
# object (DELETE sends object: null) or when the kind carries no pod template.
#
#   pod_specs     path -> {"spec": <PodSpec>, "path": "spec.template.spec"}    (0 or 1 entry)
#   pod_metadata  path -> {"metadata": <ObjectMeta>, "path": "spec.template.metadata"}
#   containers    object path -> {"container": <Container>, "name": "app",
#                         "path": "spec.template.spec.containers[0]",
#                         "type": "container" | "initContainer" | "ephemeralContainer"}
#   volumes       path -> {"volume": <Volume>, "name": "data", "path": "spec.template.spec.volumes[0]"}
#   pod_spec_prefix  the PodSpec path prefix for input.review.kind.kind ("spec" for a Pod)
#   pod_judged    false for a Pod UPDATE that changes nothing a pod policy can see (below); the
#                 rules above are then empty, so no pod policy judges it
#   pod_kinds     every kind this library understands
#
# Paths use dots for fields and [i] for list indexes, from the root of input.review.object.
package lib.kubernetes.pods

import data.lib.kubernetes.kinds

# Path (keys from the object root) of the pod template (the object holding metadata + spec) for
# each kind. For a Pod the template is the object itself. From the one kinds table
# (src/policy/source/kinds.ts), through the generated kinds.rego beside this file.
template_paths := kinds.pod_template_paths

pod_kinds := {k | some k, _ in template_paths}

# The container lists of a PodSpec, in the order they are reported, with the singular type name.
container_fields := [
	{"field": "containers", "type": "container"},
	{"field": "initContainers", "type": "initContainer"},
	{"field": "ephemeralContainers", "type": "ephemeralContainer"},
]

_kind := input.review.kind.kind

# Dotted path of the pod template ("" for a Pod, "spec.template." for a Deployment, ...), ready to
# have "spec" or "metadata" appended.
_template_prefix := concat("", [concat(".", template_paths[_kind]), "."]) if {
	count(template_paths[_kind]) > 0
}

_template_prefix := "" if {
	count(template_paths[_kind]) == 0
}

_template := t if {
	pod_judged
	is_object(input.review.object)
	t := object.get(input.review.object, template_paths[_kind], null)
	is_object(t)
}

# A Pod is judged on CREATE, and on UPDATE only when the update is significant, as Pod Security
# Admission does (k8s.io/pod-security-admission admission.go isSignificantPodUpdate): an image
# changed, a container was added or removed, an ephemeral container was added or changed its
# image. Every other field of a Pod's spec is immutable (the apiserver refuses the change before
# a validating webhook sees it), so an UPDATE that changes only labels, annotations, finalizers
# or owner references cannot bring a violation; judging it again would only block the
# controllers that do this housekeeping on Pods created before a policy existed (a finalizer
# that cannot be removed leaves the Pod Terminating). Workload kinds are judged on every UPDATE.
default pod_judged := false

pod_judged if _kind != "Pod"

pod_judged if input.review.operation != "UPDATE"

pod_judged if not is_object(object.get(input.review, "oldObject", null))

pod_judged if _significant_pod_update(input.review.object, input.review.oldObject)

_significant_pod_update(new, old) if {
	some field in ["containers", "initContainers"]
	count(_list(new, field)) != count(_list(old, field))
}

_significant_pod_update(new, old) if {
	some field in ["containers", "initContainers"]
	some i, c in _list(new, field)
	object.get(c, "image", "") != object.get(_list(old, field)[i], "image", "")
}

_significant_pod_update(new, old) if {
	some c in _list(new, "ephemeralContainers")
	not _same_ephemeral(c, _list(old, "ephemeralContainers"))
}

_same_ephemeral(c, olds) if {
	some o in olds
	object.get(o, "name", "") == object.get(c, "name", "")
	object.get(o, "image", "") == object.get(c, "image", "")
}

_list(pod, field) := l if {
	l := pod.spec[field]
	is_array(l)
} else := []

pod_spec_prefix := concat("", [_template_prefix, "spec"]) if template_paths[_kind]

pod_specs[pod_spec_prefix] := {"spec": _template.spec, "path": pod_spec_prefix} if {
	is_object(_template.spec)
}

pod_metadata[path] := {"metadata": _template.metadata, "path": path} if {
	is_object(_template.metadata)
	path := concat("", [_template_prefix, "metadata"])
}

# Keyed by path rather than a set (as pod_specs, pod_metadata and volumes): in wasm a set hashes
# its whole element on insertion, on a membership test and on every step of an iteration, and
# these elements hold whole containers and PodSpecs (~45% of a Deployment's evaluation with the
# built-in library was opa_value_hash). `some c in pods.containers` iterates the values either way.
containers[path] := {
	"container": c,
	"name": object.get(c, "name", ""),
	"path": path,
	"type": f.type,
} if {
	some ps in pod_specs
	some f in container_fields
	some i, c in object.get(ps.spec, f.field, [])
	is_object(c)
	path := concat("", [ps.path, ".", f.field, "[", format_int(i, 10), "]"])
}

volumes[path] := {"volume": v, "name": object.get(v, "name", ""), "path": path} if {
	some ps in pod_specs
	some i, v in object.get(ps.spec, "volumes", [])
	is_object(v)
	path := concat("", [ps.path, ".volumes[", format_int(i, 10), "]"])
}
