# Pod Security Standards, restricted: volume types (PSA check restrictedVolumes, v1.0+).
# Only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected
# and secret volumes are allowed; hostPath, nfs, iscsi, gitRepo and the other in-tree volume types
# are not. One violation per volume.
package policies.pss_restricted_volume_types

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

allowed_sources := [
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
	"image", "persistentVolumeClaim", "projected", "secret",
]

# Every other volume source of the Pod API, in PSA's order (the first one set names the type). A
# volume with no source at all is not refused: the apiserver defaults it to emptyDir before any
# admission check, so PSA never sees it without one.
restricted_types := [
	"hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
	"glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
	"vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
	"scaleIO", "storageos",
]

violation contains {
	"msg": sprintf("restricted volume types (volume \"%s\" uses restricted volume type \"%s\")", [v.name, t]),
	"path": concat(".", [v.path, t]),
	"fix": "use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes",
	"details": {"check": "restrictedVolumes", "volume": v.name, "type": t},
} if {
	pss.evaluated
	some v in pods.volumes
	not _allowed(v.volume)
	found := {i | some i, t in restricted_types; pss.is_set(v.volume, t)}
	count(found) > 0
	t := restricted_types[min(found)]
}

_allowed(vol) if {
	some s in allowed_sources
	pss.is_set(vol, s)
}
