package policies.restrict_service_external_ips_test

import data.policies.restrict_service_external_ips as policy

_review(obj) := {"kind": {"group": "", "version": "v1", "kind": "Service"}, "operation": "CREATE", "object": obj}

_svc(ips) := {"metadata": {"name": "web"}, "spec": {"externalIPs": ips, "ports": [{"port": 80}]}}

_paths(vs) := {v.path | some v in vs}

test_any_external_ip_denied_by_default if {
	policy.violation == {{
		"msg": "external IP (Service \"web\" must not use spec.externalIPs 203.0.113.7)",
		"path": "spec.externalIPs[0]",
		"fix": "remove spec.externalIPs: no external IP is allowed (CVE-2020-8554)",
		"details": {"ip": "203.0.113.7", "allowedCIDRs": []},
	}} with input.review as _review(_svc(["203.0.113.7"]))
}

test_no_external_ips_allowed if {
	count(policy.violation) == 0 with input.review as _review({"metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}})
	count(policy.violation) == 0 with input.review as _review(_svc([]))
}

test_allowed_ranges if {
	params := {"allowedCIDRs": ["192.0.2.0/24", "198.51.100.10", "2001:db8::/32"]}
	svc := _svc(["192.0.2.5", "198.51.100.10", "198.51.100.11", "2001:db8::1", "2001:db9::1", "8.8.8.8"])
	vs := policy.violation with input.review as _review(svc) with input.parameters as params
	_paths(vs) == {"spec.externalIPs[2]", "spec.externalIPs[4]", "spec.externalIPs[5]"}
	{v.fix | some v in vs} == {"remove it or use an address in the allowed ranges: 192.0.2.0/24, 198.51.100.10, 2001:db8::/32"}
}

test_unparsable_values_never_allowed if {
	params := {"allowedCIDRs": ["0.0.0.0/0", "not-a-cidr"]}
	_paths(policy.violation) == {"spec.externalIPs[1]"} with input.review as _review(_svc(["10.0.0.1", "not-an-ip"])) with input.parameters as params
	_paths(policy.violation) == {"spec.externalIPs[0]"} with input.review as _review(_svc(["10.0.0.1"])) with input.parameters as {"allowedCIDRs": ["bogus"]}
}

test_delete_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Service"}, "operation": "DELETE", "object": null}
}
