# Service account tokens only where they are needed. Pods that run as the namespace's "default"
# service account (no serviceAccountName) almost never call the API, yet get a token mounted
# unless they opt out; and the "default" ServiceAccount itself should opt out for all of them.
#   - a pod spec (Pods and every workload template) running as "default" must set
#     automountServiceAccountToken: false;
#   - the ServiceAccount "default" must set automountServiceAccountToken: false. Its creation by
#     Kubernetes' service account controller (in every new namespace) is let through, so that
#     namespaces still work with this policy at deny; the next update and the audit flag it.
# A pod cannot see its ServiceAccount's setting, so a pod that relies on the ServiceAccount's
# opt-out is flagged too: setting it on the pod as well is the explicit, portable fix.
package policies.restrict_sa_token_automount

import data.lib.kubernetes.pods

# Identities the service account controller creates the "default" ServiceAccount with
# (kube-controller-manager with and without --use-service-account-credentials).
_controllers := {"system:serviceaccount:kube-system:service-account-controller", "system:kube-controller-manager"}

_service_account(spec) := name if {
	name := spec.serviceAccountName
	is_string(name)
	name != ""
} else := name if {
	name := spec.serviceAccount # deprecated alias
	is_string(name)
	name != ""
} else := "default"

violation contains {
	"msg": "service account token (pod running as the default service account must set automountServiceAccountToken=false)",
	"path": concat("", [ps.path, ".automountServiceAccountToken"]),
	"fix": "set automountServiceAccountToken: false in the pod spec, or give the pod a service account of its own if it calls the API",
	"details": {"serviceAccount": "default", "value": object.get(ps.spec, "automountServiceAccountToken", null)},
} if {
	some ps in pods.pod_specs
	_service_account(ps.spec) == "default"
	object.get(ps.spec, "automountServiceAccountToken", null) != false
}

violation contains {
	"msg": "service account token (ServiceAccount \"default\" must set automountServiceAccountToken=false)",
	"path": "automountServiceAccountToken",
	"fix": $"kubectl -n {_namespace} patch serviceaccount default -p '\{\"automountServiceAccountToken\": false}'",
	"details": {"value": object.get(input.review.object, "automountServiceAccountToken", null)},
} if {
	input.review.kind.kind == "ServiceAccount"
	input.review.object.metadata.name == "default"
	object.get(input.review.object, "automountServiceAccountToken", null) != false
	not _created_by_controller
}

_created_by_controller if {
	input.review.operation == "CREATE"
	input.review.userInfo.username in _controllers
}

_namespace := ns if {
	ns := object.get(input.review, "namespace", "")
	ns != ""
} else := object.get(input.review.object, ["metadata", "namespace"], "<namespace>")
