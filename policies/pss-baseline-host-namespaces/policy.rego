# Pod Security Standards, baseline: host namespaces (PSA check hostNamespaces, v1.0+).
# Sharing the node's network, PID or IPC namespace must be disallowed: spec.hostNetwork,
# spec.hostPID and spec.hostIPC must be unset or false.
package policies.pss_baseline_host_namespaces

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

violation contains {
	"msg": sprintf("host namespaces (%s=true)", [field]),
	"path": concat(".", [ps.path, field]),
	"fix": sprintf("remove %s or set it to false", [field]),
	"details": {"check": "hostNamespaces", "field": field, "value": true},
} if {
	pss.evaluated
	some ps in pods.pod_specs
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	ps.spec[field] == true
}
