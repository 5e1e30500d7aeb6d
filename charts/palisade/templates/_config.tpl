{{/*
The webhook's config file (docs/configuration.md), rendered from values. Paths inside the
image: the built-in bundle is /app/dist/bundle, the mounted certificate /etc/palisade/tls; for a
bundle from outside the image (policies.bundle.oci / .url) the credentials, CA and keys are
under /etc/palisade/bundle and the cache is /var/cache/palisade (palisade.bundleMounts).
*/}}

{{/* The policy settings of values: policies without its `bundle` key, which is no policy. */}}
{{- define "palisade.policySettings" -}}
{{- omit .Values.policies "bundle" | toJson -}}
{{- end -}}

{{/* The bundle source of values, "" for the bundle built into the image. */}}
{{- define "palisade.bundleSource" -}}
{{- $b := .Values.policies.bundle | default dict -}}
{{- if and $b.oci $b.url -}}
{{- fail "policies.bundle: set oci or url, not both" -}}
{{- end -}}
{{- $b.oci | default $b.url | default "" -}}
{{- end -}}

{{/* config.yaml's bundle for a remote source (JSON): the source with its mounted files. */}}
{{- define "palisade.bundleConfig" -}}
{{- $source := include "palisade.bundleSource" . -}}
{{- $b := .Values.policies.bundle -}}
{{- $keys := list -}}
{{- range $b.verification.keys -}}
{{- $keys = append $keys (dict "keyId" .keyId "file" (printf "/etc/palisade/bundle/keys/%s" .key) "algorithm" .algorithm) -}}
{{- end -}}
{{- $c := dict "source" $source "pollSeconds" $b.pollSeconds "timeoutSeconds" $b.timeoutSeconds "cacheDir" "/var/cache/palisade"
      "verification" (dict "required" $b.verification.required "publicKeys" $keys) -}}
{{- if $b.credentials.secretName -}}
{{- $_ := set $c "credentialsFile" (printf "/etc/palisade/bundle/credentials/%s" (include "palisade.credentialsFileName" .)) -}}
{{- end -}}
{{- if $b.ca.secretName -}}
{{- $_ := set $c "caFile" "/etc/palisade/bundle/ca/ca.crt" -}}
{{- end -}}
{{- toJson $c -}}
{{- end -}}

{{/* The mounted credentials file: a Docker config.json for oci, a bearer token for url. */}}
{{- define "palisade.credentialsFileName" -}}
{{- if .Values.policies.bundle.oci -}}config.json{{- else -}}token{{- end -}}
{{- end -}}

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
{{- range $id, $v := include "palisade.policySettings" . | fromJson -}}
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
{{- $settings := include "palisade.policySettings" . | fromJson -}}
{{- /* A bundle from outside the image has policies the chart cannot know; Palisade checks them. */ -}}
{{- if not (include "palisade.bundleSource" .) -}}
{{- range $id, $_ := $settings -}}
{{- if not (hasKey $meta.policies $id) -}}
{{- fail (printf "policies.%s: no such policy (known: %s)" $id (keys $meta.policies | sortAlpha | join ", ")) -}}
{{- end -}}
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
      "policies" $settings -}}
{{- if include "palisade.bundleSource" . -}}
{{- $_ := set $config "bundle" (include "palisade.bundleConfig" . | fromJson) -}}
{{- end -}}
{{- /* Gatekeeper's API and data.inventory: templates/_gatekeeper.tpl. */ -}}
{{- if or .Values.gatekeeper.enabled .Values.gatekeeper.sync.kinds -}}
{{- $_ := set $config "gatekeeper" (include "palisade.gatekeeperConfig" . | fromJson) -}}
{{- end -}}
{{- /* The background audit: templates/_audit.tpl. */ -}}
{{- $_ := set $config "audit" (include "palisade.auditConfig" . | fromJson) -}}
{{- /* Denials as Events (docs/configuration.md "events"); RBAC: templates/events-rbac.yaml. */ -}}
{{- $_ := set $config "events" (dict "denials" (dig "denials" false (.Values.events | default dict))) -}}
{{- toYaml $config -}}
{{- end -}}
