# Services must not use the types listed in parameters.disallowedTypes (default NodePort and
# LoadBalancer): a NodePort opens a port on every node, a LoadBalancer asks the cloud for a public
# address; both bypass the Ingress or Gateway where TLS, authentication and rate limits live.
# A Service without spec.type is a ClusterIP.
package policies.restrict_service_types

default_disallowed_types := ["NodePort", "LoadBalancer"]

disallowed_types := object.get(input, ["parameters", "disallowedTypes"], default_disallowed_types)

_type := object.get(input.review.object, ["spec", "type"], "ClusterIP")

_name := object.get(input.review.object, ["metadata", "name"], "")

_fix := "use type ClusterIP and expose the Service through an Ingress or a Gateway" if {
	not "ClusterIP" in disallowed_types
}

_fix := $"use a Service type other than {concat(", ", disallowed_types)}" if {
	"ClusterIP" in disallowed_types
}

violation contains {
	"msg": $"service type (Service \"{_name}\" must not use type {_type})",
	"path": "spec.type",
	"fix": _fix,
	"details": {"type": _type, "disallowedTypes": disallowed_types},
} if {
	is_object(input.review.object)
	_type in disallowed_types
}
