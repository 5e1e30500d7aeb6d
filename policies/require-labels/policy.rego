# Objects must carry the labels listed in parameters.labels (default app.kubernetes.io/name),
# each optionally matching a regular expression. For workloads the pod template is checked too
# (and a CronJob's job template): the Pods, ReplicaSets and Jobs made from them copy those labels,
# so a workload that passes here makes objects that pass.
package policies.require_labels

import data.lib.kubernetes.pods

default_labels := [{"key": "app.kubernetes.io/name"}]

labels := object.get(input, ["parameters", "labels"], default_labels)

_obj := input.review.object

# Every label map the request carries: {"labels": {...}, "path": "spec.template.metadata.labels"}.
_locations contains {"labels": object.get(_obj, ["metadata", "labels"], {}), "path": "metadata.labels"} if {
	is_object(_obj)
}

_locations contains {"labels": object.get(_obj, array.concat(tpl, ["metadata", "labels"]), {}), "path": concat("", [concat(".", tpl), ".metadata.labels"])} if {
	tpl := pods.template_paths[input.review.kind.kind]
	count(tpl) > 0
	count(pods.pod_specs) > 0
}

_locations contains {"labels": object.get(_obj, ["spec", "jobTemplate", "metadata", "labels"], {}), "path": "spec.jobTemplate.metadata.labels"} if {
	input.review.kind.kind == "CronJob"
	is_object(_obj.spec.jobTemplate)
}

_matches(re, value) if {
	regex.is_valid(re)
	regex.match(re, value)
}

violation contains {
	"msg": $"required labels ({loc.path} must set {concat(", ", missing)})",
	"path": loc.path,
	"fix": $"add to {loc.path}: {concat(", ", [$"{k}: <value>" | some k in missing])}",
	"details": {"missing": missing},
} if {
	some loc in _locations
	is_object(loc.labels)
	missing := [l.key | some l in labels; not _has(loc.labels, l.key)]
	count(missing) > 0
}

_has(m, key) if is_string(m[key])

violation contains {
	"msg": $"required labels ({loc.path} \"{l.key}\" is \"{value}\", which must match {l.allowedRegex})",
	"path": loc.path,
	"fix": $"set label {l.key} to a value matching {l.allowedRegex}",
	"details": {"label": l.key, "value": value, "allowedRegex": l.allowedRegex},
} if {
	some loc in _locations
	some l in labels
	is_string(l.allowedRegex)
	value := loc.labels[l.key]
	is_string(value)
	not _matches(l.allowedRegex, value)
}
