{{/*
The background audit's helpers (docs/audit.md). "palisade.auditResources": what the audit lists
and watches, derived from the enabled policies exactly as the webhook rules are
(templates/_rules.tpl): every policy whose action (values, else its policy.yaml default) is not
"off" contributes its kinds (values match.kinds, else its own); each kind is its main resource
(pods, not pods/ephemeralcontainers). JSON: {"<group>": ["<resource>", ...]}, sorted. A bundle
from outside the image uses policies.bundle.kinds (empty: every kind the table has). Secrets are
never audited (src/audit/audit-scan.ts, NOT_AUDITED): listing them would read every Secret's
data in the cluster; admission still checks them.
*/}}
{{- define "palisade.auditResources" -}}
{{- $meta := include "palisade.policyMeta" . | fromJson -}}
{{- $kinds := list -}}
{{- if include "palisade.bundleSource" . -}}
{{- $kinds = .Values.policies.bundle.kinds | default (keys $meta.kinds) -}}
{{- else -}}
{{- range $id, $p := $meta.policies -}}
{{- $v := get $.Values.policies $id | default dict -}}
{{- if ne ($v.action | default $p.action) "off" -}}
{{- $kinds = concat $kinds (($v.match | default dict).kinds | default $p.kinds) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $groups := dict -}}
{{- range $kind := without ($kinds | uniq) "Secret" -}}
{{- $k := get $meta.kinds $kind -}}
{{- if $k -}}
{{- range $r := $k.resources -}}
{{- if not (contains "/" $r) -}}
{{- $_ := set $groups $k.group (append (get $groups $k.group | default list) $r | uniq | sortAlpha) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $groups -}}
{{- end -}}

{{/* config.yaml's audit section (src/config/schema.ts), the Lease in the release namespace. */}}
{{- define "palisade.auditConfig" -}}
{{- $a := .Values.audit -}}
{{- $lease := merge (dict "namespace" .Release.Namespace) $a.lease -}}
{{- toJson (dict
      "enabled" $a.enabled
      "intervalMinutes" $a.intervalMinutes
      "pageSize" $a.pageSize
      "maxResultsPerReport" $a.maxResultsPerReport
      "policyReports" $a.policyReports
      "events" $a.events
      "lease" $lease) -}}
{{- end -}}
