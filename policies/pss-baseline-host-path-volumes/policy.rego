# Pod Security Standards, baseline: hostPath volumes (PSA check hostPathVolumes, v1.0+).
# A hostPath volume exposes the node's file system to the pod and must be refused.
package policies.pss_baseline_host_path_volumes

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

violation contains {
	"msg": sprintf("hostPath volumes (volume \"%s\")", [v.name]),
	"path": concat("", [v.path, ".hostPath"]),
	"fix": sprintf("replace hostPath volume \"%s\" with emptyDir, a configMap, a secret or a persistentVolumeClaim", [v.name]),
	"details": {"check": "hostPathVolumes", "volume": v.name},
} if {
	pss.evaluated
	some v in pods.volumes
	pss.is_set(v.volume, "hostPath")
}
