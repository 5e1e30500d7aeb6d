# Workloads and their configuration must live in a namespace of their own, not in "default"
# (or another namespace listed in parameters.namespaces): the default namespace is where objects
# land by accident, it is shared by everything created without a namespace, and RBAC, quotas and
# network policies are set per namespace. Checked on CREATE only, so that existing objects can
# still be updated and cleaned up. Objects Kubernetes itself creates there are never flagged.
package policies.disallow_default_namespace

default_namespaces := ["default"]

namespaces := object.get(input, ["parameters", "namespaces"], default_namespaces)

# kind -> names that Kubernetes creates in every (or the default) namespace by itself.
_system_objects := {
	"Service": {"kubernetes"}, # the API server's own Service
	"ServiceAccount": {"default"}, # the service account controller
	"ConfigMap": {"kube-root-ca.crt"}, # the root CA publisher
}

# The request's namespace; the object's own when the request carries none (an evaluation outside
# the API server, e.g. the CLI on a manifest).
_namespace := ns if {
	ns := object.get(input.review, "namespace", "")
	is_string(ns)
	ns != ""
} else := object.get(input.review, ["object", "metadata", "namespace"], "")

_name := n if {
	n := input.review.name
	is_string(n)
	n != ""
} else := n if {
	n := input.review.object.metadata.name
	is_string(n)
	n != ""
} else := n if {
	n := input.review.object.metadata.generateName
	is_string(n)
} else := ""

_subject := $"{input.review.kind.kind} \"{_name}\"" if _name != ""

_subject := $"a {input.review.kind.kind}" if _name == ""

violation contains {
	"msg": $"default namespace ({_subject} must not be created in namespace \"{_namespace}\")",
	"path": "metadata.namespace",
	"fix": "create it in a namespace of its own: set metadata.namespace or run kubectl with -n <namespace>",
	"details": {"namespace": _namespace, "kind": input.review.kind.kind, "name": _name},
} if {
	is_object(input.review.object)
	_namespace in namespaces
	not _name in object.get(_system_objects, input.review.kind.kind, set())
}
