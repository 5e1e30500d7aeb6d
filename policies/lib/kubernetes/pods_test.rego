package lib.kubernetes.pods_test

import data.lib.kubernetes.pods

_spec := {
	"containers": [{"name": "app", "image": "app:1"}, {"name": "side", "image": "side:1"}],
	"initContainers": [{"name": "init", "image": "init:1"}],
	"ephemeralContainers": [{"name": "debug", "image": "busybox:1"}],
}

_meta := {"labels": {"app": "x"}}

_template := {"metadata": _meta, "spec": _spec}

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

# One object per kind, with its expected PodSpec / metadata paths.
_cases := {
	"Pod": {"object": {"kind": "Pod", "metadata": _meta, "spec": _spec}, "spec": "spec", "metadata": "metadata"},
	"PodTemplate": {"object": {"kind": "PodTemplate", "template": _template}, "spec": "template.spec", "metadata": "template.metadata"},
	"Deployment": {"object": {"kind": "Deployment", "spec": {"template": _template}}, "spec": "spec.template.spec", "metadata": "spec.template.metadata"},
	"ReplicaSet": {"object": {"kind": "ReplicaSet", "spec": {"template": _template}}, "spec": "spec.template.spec", "metadata": "spec.template.metadata"},
	"StatefulSet": {"object": {"kind": "StatefulSet", "spec": {"template": _template}}, "spec": "spec.template.spec", "metadata": "spec.template.metadata"},
	"DaemonSet": {"object": {"kind": "DaemonSet", "spec": {"template": _template}}, "spec": "spec.template.spec", "metadata": "spec.template.metadata"},
	"Job": {"object": {"kind": "Job", "spec": {"template": _template}}, "spec": "spec.template.spec", "metadata": "spec.template.metadata"},
	"ReplicationController": {"object": {"kind": "ReplicationController", "spec": {"template": _template}}, "spec": "spec.template.spec", "metadata": "spec.template.metadata"},
	"CronJob": {
		"object": {"kind": "CronJob", "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": _template}}}},
		"spec": "spec.jobTemplate.spec.template.spec",
		"metadata": "spec.jobTemplate.spec.template.metadata",
	},
}

_expected_containers(prefix) := {
	{"container": _spec.containers[0], "name": "app", "path": sprintf("%s.containers[0]", [prefix]), "type": "container"},
	{"container": _spec.containers[1], "name": "side", "path": sprintf("%s.containers[1]", [prefix]), "type": "container"},
	{"container": _spec.initContainers[0], "name": "init", "path": sprintf("%s.initContainers[0]", [prefix]), "type": "initContainer"},
	{"container": _spec.ephemeralContainers[0], "name": "debug", "path": sprintf("%s.ephemeralContainers[0]", [prefix]), "type": "ephemeralContainer"},
}

test_cases_cover_every_kind if {
	{k | some k, _ in _cases} == pods.pod_kinds
}

test_pod_specs_for_every_kind if {
	every kind, c in _cases {
		pods.pod_specs == {c.spec: {"spec": _spec, "path": c.spec}} with input.review as _review(kind, c.object)
	}
}

test_pod_spec_prefix_for_every_kind if {
	every kind, c in _cases {
		pods.pod_spec_prefix == c.spec with input.review as _review(kind, c.object)
	}
}

test_pod_metadata_for_every_kind if {
	every kind, c in _cases {
		pods.pod_metadata == {c.metadata: {"metadata": _meta, "path": c.metadata}} with input.review as _review(kind, c.object)
	}
}

test_containers_for_every_kind if {
	every kind, c in _cases {
		{x | some x in pods.containers} == _expected_containers(c.spec) with input.review as _review(kind, c.object)
	}
}

test_pod_paths if {
	paths := {c.path | some c in pods.containers} with input.review as _review("Pod", _cases.Pod.object)
	paths == {"spec.containers[0]", "spec.containers[1]", "spec.initContainers[0]", "spec.ephemeralContainers[0]"}
}

test_cronjob_paths if {
	paths := {c.path | some c in pods.containers} with input.review as _review("CronJob", _cases.CronJob.object)
	paths == {
		"spec.jobTemplate.spec.template.spec.containers[0]",
		"spec.jobTemplate.spec.template.spec.containers[1]",
		"spec.jobTemplate.spec.template.spec.initContainers[0]",
		"spec.jobTemplate.spec.template.spec.ephemeralContainers[0]",
	}
}

test_update_uses_new_object if {
	review := object.union(_review("Deployment", _cases.Deployment.object), {
		"operation": "UPDATE",
		"oldObject": {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{"name": "old"}]}}}},
	})
	{c.name | some c in pods.containers} == {"app", "side", "init", "debug"} with input.review as review
}

test_delete_produces_nothing if {
	review := {
		"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null,
		"oldObject": _cases.Pod.object,
	}
	count(pods.pod_specs) == 0 with input.review as review
	count(pods.pod_metadata) == 0 with input.review as review
	count(pods.containers) == 0 with input.review as review
}

test_kind_comes_from_review_not_object if {
	# The request kind says Deployment; object.kind is ignored.
	obj := object.union(_cases.Deployment.object, {"kind": "Pod"})
	pods.pod_spec_prefix == "spec.template.spec" with input.review as _review("Deployment", obj)
	count(pods.containers) == 4 with input.review as _review("Deployment", obj)

	# A kind that is not a pod workload gives nothing, even if object.kind says Pod.
	count(pods.containers) == 0 with input.review as _review("ConfigMap", _cases.Pod.object)
	not pods.pod_spec_prefix with input.review as _review("ConfigMap", _cases.Pod.object)
}

test_unknown_kind_and_missing_input if {
	count(pods.pod_specs) == 0 with input.review as _review("Service", {"spec": {"ports": []}})
	count(pods.pod_specs) == 0 with input as {}
	count(pods.containers) == 0 with input as {}
}

test_missing_template_or_spec if {
	count(pods.pod_specs) == 0 with input.review as _review("Deployment", {"spec": {}})
	count(pods.pod_specs) == 0 with input.review as _review("CronJob", {"spec": {"jobTemplate": {}}})
	count(pods.pod_metadata) == 0 with input.review as _review("Pod", {"spec": {}})
	pods.pod_specs == {"spec": {"spec": {}, "path": "spec"}} with input.review as _review("Pod", {"spec": {}})
	count(pods.containers) == 0 with input.review as _review("Pod", {"spec": {}})
}

test_only_containers if {
	obj := {"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	{x | some x in pods.containers} == {{"container": {"name": "a"}, "name": "a", "path": "spec.template.spec.containers[0]", "type": "container"}} with input.review as _review("Job", obj)
}

test_unnamed_and_malformed_containers if {
	obj := {"spec": {"containers": [{"image": "x"}, "not-an-object"], "initContainers": null}}
	{x | some x in pods.containers} == {{"container": {"image": "x"}, "name": "", "path": "spec.containers[0]", "type": "container"}} with input.review as _review("Pod", obj)
}

test_volumes_with_paths if {
	tpl := {"spec": {"volumes": [{"name": "a", "emptyDir": {}}, "bad", {"hostPath": {"path": "/"}}], "containers": []}}
	pods.volumes == {
		"spec.jobTemplate.spec.template.spec.volumes[0]": {"volume": {"name": "a", "emptyDir": {}}, "name": "a", "path": "spec.jobTemplate.spec.template.spec.volumes[0]"},
		"spec.jobTemplate.spec.template.spec.volumes[2]": {"volume": {"hostPath": {"path": "/"}}, "name": "", "path": "spec.jobTemplate.spec.template.spec.volumes[2]"},
	} with input.review as _review("CronJob", {"spec": {"jobTemplate": {"spec": {"template": tpl}}}})
	count(pods.volumes) == 0 with input.review as _review("Pod", {"spec": {"volumes": null}})
}

_relabelled(kind) := object.union(_review(kind, _cases[kind].object), {
	"operation": "UPDATE",
	"object": object.union(_cases[kind].object, {"metadata": {"labels": {"team": "a"}}}),
	"oldObject": _cases[kind].object,
})

test_pod_update_of_metadata_only_is_not_judged if {
	not pods.pod_judged with input.review as _relabelled("Pod")
	count(pods.pod_specs) == 0 with input.review as _relabelled("Pod")
	count(pods.pod_metadata) == 0 with input.review as _relabelled("Pod")
	count(pods.containers) == 0 with input.review as _relabelled("Pod")
	count(pods.volumes) == 0 with input.review as _relabelled("Pod")
}

test_pod_update_of_an_image_is_judged if {
	old := _cases.Pod.object
	new := json.patch(old, [{"op": "replace", "path": "/spec/containers/0/image", "value": "app:2"}])
	review := object.union(_review("Pod", new), {"operation": "UPDATE", "oldObject": old})
	pods.pod_judged with input.review as review
	count(pods.containers) == 4 with input.review as review
}

test_workload_update_of_metadata_only_is_judged if {
	pods.pod_judged with input.review as _relabelled("Deployment")
	count(pods.containers) == 4 with input.review as _relabelled("Deployment")
}
