{{/*
The webhook's rules, derived from the enabled policies: every policy whose action (from values,
else its policy.yaml default) is not "off" contributes the resources of its kinds (values
match.kinds, else its own) for its operations. files/policies.json is generated from
policies/<id>/policy.yaml by `palisade generate`. Resources that share a group, version and
operation set are merged into one rule; the output is sorted, so renders are stable. A bundle
from outside the image (policies.bundle.oci / .url) is not in files/policies.json: its rules are
the resources of policies.bundle.kinds for policies.bundle.operations.
*/}}
{{- define "palisade.webhookRules" -}}
{{- $meta := include "palisade.policyMeta" . | fromJson -}}
{{- $ops := dict -}}
{{- if include "palisade.bundleSource" . -}}
{{- /* A bundle from outside the image: policies.bundle.kinds (empty: every kind the table has). */ -}}
{{- $b := .Values.policies.bundle -}}
{{- range $kind := $b.kinds | default (keys $meta.kinds | sortAlpha) -}}
{{- $k := get $meta.kinds $kind -}}
{{- if not $k -}}
{{- fail (printf "policies.bundle.kinds: the chart cannot map kind %s to a resource (known: %s); use webhook.extraRules for it" $kind (keys $meta.kinds | sortAlpha | join ", ")) -}}
{{- end -}}
{{- range $k.resources -}}
{{- $t := printf "%s|%s|%s" $k.group $k.version . -}}
{{- $_ := set $ops $t (concat (get $ops $t | default list) $b.operations | uniq) -}}
{{- end -}}
{{- end -}}
{{- else -}}
{{- range $id, $p := $meta.policies -}}
{{- $v := get $.Values.policies $id | default dict -}}
{{- $action := $v.action | default $p.action -}}
{{- if ne $action "off" -}}
{{- $match := $v.match | default dict -}}
{{- $kinds := $match.kinds | default $p.kinds -}}
{{- $policyOps := $match.operations | default $p.operations -}}
{{- range $kind := $kinds -}}
{{- $targets := list -}}
{{- if eq $kind "*" -}}
{{- $targets = list "*|*|*" -}}
{{- else -}}
{{- $k := get $meta.kinds $kind -}}
{{- if not $k -}}
{{- fail (printf "policy %s matches kind %s, which the chart cannot map to a resource; add it to src/policy/source/kinds.ts or use webhook.extraRules" $id $kind) -}}
{{- end -}}
{{- range $k.resources -}}
{{- $targets = append $targets (printf "%s|%s|%s" $k.group $k.version .) -}}
{{- end -}}
{{- end -}}
{{- range $t := $targets -}}
{{- $_ := set $ops $t (concat (get $ops $t | default list) $policyOps | uniq) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $groups := dict -}}
{{- range $t, $o := $ops -}}
{{- $parts := splitList "|" $t -}}
{{- $opList := has "*" $o | ternary (list "*") ($o | sortAlpha) -}}
{{- $key := printf "%s|%s|%s" (index $parts 0) (index $parts 1) ($opList | join ",") -}}
{{- $_ := set $groups $key (append (get $groups $key | default list) (index $parts 2)) -}}
{{- end -}}
{{- $rules := list -}}
{{- range $key, $resources := $groups -}}
{{- $parts := splitList "|" $key -}}
{{- $rules = append $rules (dict
      "apiGroups" (list (index $parts 0))
      "apiVersions" (list (index $parts 1))
      "resources" ($resources | sortAlpha)
      "operations" (splitList "," (index $parts 2))
      "scope" "*") -}}
{{- end -}}
{{- /* gatekeeper.enabled: constraints may match any kind, so every resource (docs/gatekeeper.md). */ -}}
{{- if (dig "enabled" false (.Values.gatekeeper | default dict)) -}}
{{- $rules = append $rules (dict "apiGroups" (list "*") "apiVersions" (list "*") "resources" (list "*") "operations" .Values.gatekeeper.operations "scope" "*") -}}
{{- end -}}
{{- $all := concat $rules .Values.webhook.extraRules -}}
{{- if $all -}}
{{- toYaml $all -}}
{{- else -}}
[]
{{- end -}}
{{- end -}}
