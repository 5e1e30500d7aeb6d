# Services must not claim external IPs outside parameters.allowedCIDRs (default: none).
# CVE-2020-8554: anyone who may create or edit a Service can set spec.externalIPs to any address,
# and kube-proxy then sends the cluster's traffic for that address to the Service, a
# man-in-the-middle the API server does not prevent. The upstream mitigation is an admission
# policy that restricts externalIPs, as this one does. Entries may be CIDRs or single addresses;
# an address that does not parse is never allowed.
package policies.restrict_service_external_ips

allowed_cidrs := object.get(input, ["parameters", "allowedCIDRs"], [])

_name := object.get(input.review.object, ["metadata", "name"], "")

# A single address is its own /32 (or /128) range.
_cidr(entry) := entry if contains(entry, "/")

_cidr(entry) := concat("", [entry, "/128"]) if {
	not contains(entry, "/")
	contains(entry, ":")
}

_cidr(entry) := concat("", [entry, "/32"]) if {
	not contains(entry, "/")
	not contains(entry, ":")
}

_allowed(ip) if {
	some entry in allowed_cidrs
	net.cidr_contains(_cidr(entry), ip)
}

_fix := "remove spec.externalIPs: no external IP is allowed (CVE-2020-8554)" if count(allowed_cidrs) == 0

_fix := $"remove it or use an address in the allowed ranges: {concat(", ", allowed_cidrs)}" if {
	count(allowed_cidrs) > 0
}

violation contains {
	"msg": $"external IP (Service \"{_name}\" must not use spec.externalIPs {ip})",
	"path": $"spec.externalIPs[{i}]",
	"fix": _fix,
	"details": {"ip": ip, "allowedCIDRs": allowed_cidrs},
} if {
	some i, ip in object.get(input.review.object, ["spec", "externalIPs"], [])
	is_string(ip)
	not _allowed(ip)
}
