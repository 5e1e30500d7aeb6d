{{/* Checks across values that values.schema.json cannot express; each fails with the fix. */}}
{{- define "palisade.validate" -}}
{{- $drainMs := add (mul (int .Values.config.drainDelaySeconds) 1000) (int .Values.config.drainTimeoutMs) -}}
{{- if ge (int $drainMs) (mul (int .Values.terminationGracePeriodSeconds) 1000 | int) -}}
{{- fail "config.drainDelaySeconds + config.drainTimeoutMs must be below terminationGracePeriodSeconds, or the pod is killed while draining" -}}
{{- end -}}
{{- if ge (int .Values.config.evaluation.deadlineMs) (mul (int .Values.webhook.timeoutSeconds) 1000 | int) -}}
{{- fail "config.evaluation.deadlineMs must be below webhook.timeoutSeconds, so Palisade answers by its failure mode before the apiserver gives up" -}}
{{- end -}}
{{- if and (eq .Values.tls.mode "secret") (not .Values.tls.secret.caBundle) -}}
{{- fail "tls.secret.caBundle is required when tls.mode is secret: the apiserver verifies the webhook with it" -}}
{{- end -}}
{{- if and (eq .Values.tls.mode "auto") (not .Values.rbac.create) (not .Values.serviceAccount.name) -}}
{{- fail "tls.mode auto needs RBAC to its Secret and webhook configuration: keep rbac.create true, or grant them to serviceAccount.name yourself" -}}
{{- end -}}
{{- if and (eq (include "palisade.watchesNamespaces" .) "true") (not .Values.rbac.create) (not .Values.serviceAccount.name) -}}
{{- fail "a policy with match.namespaceSelector needs get, list and watch on namespaces: keep rbac.create true, grant them to serviceAccount.name yourself, or set config.namespaceLabels off" -}}
{{- end -}}
{{- if include "palisade.bundleSource" . -}}
{{- $v := .Values.policies.bundle.verification -}}
{{- if and $v.required (not $v.keys) -}}
{{- fail "policies.bundle.verification.keys is empty, so no bundle could be verified: list the public keys its signatures name (and verification.secretName), or set verification.required false to accept unsigned bundles" -}}
{{- end -}}
{{- if and $v.keys (not $v.secretName) -}}
{{- fail "policies.bundle.verification.secretName is required with verification.keys: the Secret holding the public keys" -}}
{{- end -}}
{{- if and .Values.networkPolicy.enabled .Values.networkPolicy.apiServerCIDRs (not .Values.networkPolicy.extraEgress) -}}
{{- fail "networkPolicy.apiServerCIDRs restricts egress, so the pods could not reach policies.bundle's source: add it to networkPolicy.extraEgress" -}}
{{- end -}}
{{- end -}}
{{- end -}}
