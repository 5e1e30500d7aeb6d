# Pod Security Standards, baseline: host ports (PSA check hostPorts, v1.0+).
# Containers must not bind ports of the node: every ports[*].hostPort must be unset or 0.
# One violation per port, so that the path points at it (PSA lists a container's ports together).
package policies.pss_baseline_host_ports

import data.lib.kubernetes.pods
import data.lib.kubernetes.pss

violation contains {
	"msg": sprintf("hostPort (container \"%s\" uses hostPort %v)", [c.name, port.hostPort]),
	"path": sprintf("%s.ports[%d].hostPort", [c.path, i]),
	"fix": "remove hostPort and reach the pod through a Service",
	"details": object.union(pss.container_details(c), {"check": "hostPorts", "hostPort": port.hostPort}),
} if {
	pss.evaluated
	some c in pods.containers
	ports := c.container.ports
	is_array(ports)
	some i, port in ports
	is_object(port)
	pss.is_set(port, "hostPort")
	port.hostPort != 0
}
