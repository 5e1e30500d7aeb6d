package lib.kubernetes.pss_test

import data.lib.kubernetes.pss

_pod(spec) := {"kind": "Pod", "spec": spec}

_review(kind, op, obj, old) := {
	"kind": {"group": "", "version": "v1", "kind": kind},
	"operation": op,
	"object": obj,
	"oldObject": old,
}

test_minor_from_version_parameter if {
	pss.minor == 37 with input.parameters as {}
	pss.minor == 37 with input.parameters as {"version": "latest"}
	pss.minor == 0 with input.parameters as {"version": "v1.0"}
	pss.minor == 24 with input.parameters as {"version": "v1.24"}
	pss.minor == 37 with input.parameters as {"version": "v1.37"}

	# Newer than implemented is latest, as PSA does.
	pss.minor == 37 with input.parameters as {"version": "v1.40"}
}

test_minor_falls_back_to_latest_on_bad_values if {
	every v in ["", "1.24", "v2.1", "v1.024", "v1.x", "V1.2", "latest ", 24, null] {
		pss.minor == 37 with input.parameters as {"version": v}
	}
}

test_evaluated_on_create_of_every_pod_kind if {
	every kind in ["Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController", "PodTemplate"] {
		pss.evaluated with input.review as _review(kind, "CREATE", {}, null)
	}
	not pss.evaluated with input.review as _review("ConfigMap", "CREATE", {}, null)
}

test_ignored_subresources if {
	every sub in ["status", "exec", "attach", "binding", "eviction", "log", "portforward", "proxy"] {
		not pss.evaluated with input.review as object.union(_review("Pod", "UPDATE", {}, null), {"subResource": sub})
	}
	pss.evaluated with input.review as object.union(_review("Pod", "UPDATE", {}, null), {"subResource": "ephemeralcontainers"})
	pss.evaluated with input.review as object.union(_review("Pod", "UPDATE", {}, null), {"subResource": "resize"})

	# Workloads: only the object itself (not scale or status).
	not pss.evaluated with input.review as object.union(_review("Deployment", "UPDATE", {}, null), {"subResource": "scale"})
	pss.evaluated with input.review as object.union(_review("Deployment", "UPDATE", {}, null), {"subResource": ""})
}

test_pod_update_significance if {
	old := _pod({"containers": [{"name": "a", "image": "x:1"}], "initContainers": [{"name": "i", "image": "i:1"}]})

	# Labels only: not evaluated.
	not pss.evaluated with input.review as _review("Pod", "UPDATE", object.union(old, {"metadata": {"labels": {"a": "b"}}}), old)

	# An image, a container count, an added or changed ephemeral container: evaluated.
	pss.evaluated with input.review as _review("Pod", "UPDATE", _pod({"containers": [{"name": "a", "image": "x:2"}], "initContainers": old.spec.initContainers}), old)
	pss.evaluated with input.review as _review("Pod", "UPDATE", _pod({"containers": [{"name": "a", "image": "x:1"}], "initContainers": [{"name": "i", "image": "i:2"}]}), old)
	pss.evaluated with input.review as _review("Pod", "UPDATE", _pod({"containers": old.spec.containers}), old)
	with_eph := _pod(object.union(old.spec, {"ephemeralContainers": [{"name": "d", "image": "busybox"}]}))
	pss.evaluated with input.review as _review("Pod", "UPDATE", with_eph, old)
	not pss.evaluated with input.review as _review("Pod", "UPDATE", with_eph, with_eph)
	changed_eph := _pod(object.union(old.spec, {"ephemeralContainers": [{"name": "d", "image": "busybox:2"}]}))
	pss.evaluated with input.review as _review("Pod", "UPDATE", changed_eph, with_eph)

	# No old object to compare with: evaluated.
	pss.evaluated with input.review as _review("Pod", "UPDATE", old, null)
}

test_helpers if {
	pss.security_context({"securityContext": {"a": 1}}) == {"a": 1}
	pss.security_context({"securityContext": null}) == {}
	pss.security_context({}) == {}
	pss.is_set({"a": {}}, "a")
	not pss.is_set({"a": null}, "a")
	not pss.is_set({}, "a")
	pss.windows({"os": {"name": "windows"}})
	not pss.windows({"os": {"name": "linux"}})
	pss.user_namespace({"hostUsers": false})
	not pss.user_namespace({"hostUsers": true})
	not pss.user_namespace({})
	pss.join_quote(["a", "b"]) == `"a", "b"`
	pss.annotation_path("spec.template.metadata", "k/x") == "spec.template.metadata.annotations['k/x']"
}
