# Containers and init containers must run with a read-only root filesystem, so that an attacker
# who gets in cannot drop binaries or change the image's files; the places the application writes
# become explicit volumes (emptyDir). Ephemeral debug containers are skipped: they exist to poke
# around. Windows pods are skipped: the API server forbids the field when spec.os.name is windows.
package policies.require_read_only_root_filesystem

import data.lib.kubernetes.pods

_windows if {
	some ps in pods.pod_specs
	ps.spec.os.name == "windows"
}

violation contains {
	"msg": $"read-only root filesystem (container \"{c.name}\" must set securityContext.readOnlyRootFilesystem=true)",
	"path": concat("", [c.path, ".securityContext.readOnlyRootFilesystem"]),
	"fix": "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the container writes (e.g. /tmp)",
	"details": {"container": c.name, "containerType": c.type, "value": object.get(c.container, ["securityContext", "readOnlyRootFilesystem"], null)},
} if {
	not _windows
	some c in pods.containers
	c.type != "ephemeralContainer"
	object.get(c.container, ["securityContext", "readOnlyRootFilesystem"], false) != true
}
