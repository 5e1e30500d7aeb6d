package policies.pss_restricted_volume_types_test

import data.policies.pss_restricted_volume_types as p

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(volumes) := _review("Pod", {"spec": {"containers": [{"name": "a"}], "volumes": volumes}})

test_restricted_type_denied if {
	p.violation == {{
		"msg": "restricted volume types (volume \"share\" uses restricted volume type \"nfs\")",
		"path": "spec.volumes[1].nfs",
		"fix": "use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes",
		"details": {"check": "restrictedVolumes", "volume": "share", "type": "nfs"},
	}} with input.review as _pod([{"name": "cfg", "configMap": {"name": "c"}}, {"name": "share", "nfs": {"server": "s", "path": "/"}}])
}

test_every_restricted_type_denied if {
	every t in p.restricted_types {
		{v.details.type | some v in p.violation} == {t} with input.review as _pod([{"name": "v", t: {}}])
	}
}

test_allowed_types if {
	vols := [{"name": s, s: {}} | some s in p.allowed_sources]
	count(p.violation) == 0 with input.review as _pod(vols)
}

test_volume_without_source_allowed if {
	# The apiserver defaults it to emptyDir before admission.
	count(p.violation) == 0 with input.review as _pod([{"name": "scratch"}])
}

test_null_source_ignored if {
	count(p.violation) == 0 with input.review as _pod([{"name": "x", "hostPath": null, "emptyDir": {}}])
}

test_deployment_template_path if {
	d := {"spec": {"template": {"spec": {"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}}}}
	{v.path | some v in p.violation} == {"spec.template.spec.volumes[0].hostPath"} with input.review as _review("Deployment", d)
}
