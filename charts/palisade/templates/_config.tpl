{{/*
The webhook's config file (docs/configuration.md), rendered from values. Paths inside the
image: the bundle is /app/dist/bundle, the mounted certificate /etc/palisade/tls.
*/}}

{{- define "palisade.policyMeta" -}}
{{- .Files.Get "files/policies.json" -}}
{{- end -}}

{{/* The server section; its checksum restarts the pods, since server.* is read once at start. */}}
{{- define "palisade.serverConfig" -}}
{{- $tls := dict -}}
{{- if eq .Values.tls.mode "auto" -}}
{{- $auto := dict
      "namespace" .Release.Namespace
      "secretName" (include "palisade.tlsSecretName" .)
      "webhookConfigurationName" (include "palisade.webhookConfigurationName" .)
      "hosts" (include "palisade.serviceHosts" . | fromJsonArray)
      "caValidityDays" .Values.tls.auto.caValidityDays
      "certValidityDays" .Values.tls.auto.certValidityDays
      "checkIntervalSeconds" .Values.tls.auto.checkIntervalSeconds -}}
{{- $_ := set $tls "auto" $auto -}}
{{- else -}}
{{- $_ := set $tls "certFile" "/etc/palisade/tls/tls.crt" -}}
{{- $_ := set $tls "keyFile" "/etc/palisade/tls/tls.key" -}}
{{- end -}}
{{- toYaml (dict "host" "0.0.0.0" "port" 8443 "tls" $tls "drainDelaySeconds" .Values.config.drainDelaySeconds "drainTimeoutMs" .Values.config.drainTimeoutMs) -}}
{{- end -}}

{{/*
"true" when Palisade will watch namespaces (config.namespaceLabels: watch, or auto while a
policy that is not off has match.namespaceSelector), so RBAC must let it get, list and watch
them. Mirrors wantsNamespaceWatch in src/kube/namespace-watch.ts.
*/}}
{{- define "palisade.watchesNamespaces" -}}
{{- $mode := .Values.config.namespaceLabels -}}
{{- $wanted := eq $mode "watch" -}}
{{- if eq $mode "auto" -}}
{{- $meta := include "palisade.policyMeta" . | fromJson -}}
{{- range $id, $v := .Values.policies -}}
{{- $p := get $meta.policies $id | default dict -}}
{{- $action := ($v | default dict).action | default $p.action -}}
{{- if and (ne $action "off") (hasKey (($v | default dict).match | default dict) "namespaceSelector") -}}
{{- $wanted = true -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $wanted -}}
{{- end -}}

{{- define "palisade.config" -}}
{{- $meta := include "palisade.policyMeta" . | fromJson -}}
{{- range $id, $_ := .Values.policies -}}
{{- if not (hasKey $meta.policies $id) -}}
{{- fail (printf "policies.%s: no such policy (known: %s)" $id (keys $meta.policies | sortAlpha | join ", ")) -}}
{{- end -}}
{{- end -}}
{{- $c := .Values.config -}}
{{- $namespaces := concat (list .Release.Namespace) .Values.webhook.excludedNamespaces $c.exemptions.namespaces | uniq -}}
{{- $exemptions := dict "namespaces" $namespaces "users" $c.exemptions.users "groups" $c.exemptions.groups -}}
{{- $config := dict
      "server" (include "palisade.serverConfig" . | fromYaml)
      "bundle" "/app/dist/bundle"
      "failureMode" $c.failureMode
      "logLevel" $c.logLevel
      "evaluation" $c.evaluation
      "watch" true
      "exemptions" $exemptions
      "kubernetes" (dict "namespaceLabels" $c.namespaceLabels)
      "policies" .Values.policies -}}
{{- toYaml $config -}}
{{- end -}}
