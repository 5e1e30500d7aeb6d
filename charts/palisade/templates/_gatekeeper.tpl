{{/*
config.yaml's gatekeeper block: the image's opa (Dockerfile) compiles templates; the synced
kinds without the chart-only `resource` (used for RBAC, templates/gatekeeper-rbac.yaml).
*/}}
{{- define "palisade.gatekeeperConfig" -}}
{{- $g := .Values.gatekeeper -}}
{{- if and $g.enabled (include "palisade.bundleSource" .) -}}
{{- fail "gatekeeper.enabled: templates are compiled with the built-in policies; unset policies.bundle.oci / .url" -}}
{{- end -}}
{{- if and (not $g.enabled) $g.sync.kinds -}}
{{- fail "gatekeeper.sync.kinds: the chart grants the synced kinds' RBAC (and mounts the token) with gatekeeper.enabled only; set gatekeeper.enabled: true" -}}
{{- end -}}
{{- $kinds := list -}}
{{- range $g.sync.kinds -}}
{{- $kinds = append $kinds (dict "group" (.group | default "") "version" .version "kind" .kind) -}}
{{- end -}}
{{- toJson (dict "enabled" $g.enabled "opaPath" "/app/.tools/bin/opa" "sync" (dict "kinds" $kinds "maxObjects" $g.sync.maxObjects)) -}}
{{- end -}}
