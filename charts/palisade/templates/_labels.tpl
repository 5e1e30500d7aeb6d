{{/* app.kubernetes.io labels: the full set on every object, the stable subset as selector. */}}

{{- define "palisade.selectorLabels" -}}
app.kubernetes.io/name: {{ include "palisade.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "palisade.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: palisade
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "palisade.labels" -}}
{{ include "palisade.commonLabels" . }}
app.kubernetes.io/name: {{ include "palisade.name" . }}
app.kubernetes.io/component: admission-webhook
{{- end -}}

{{/* The helm test pod: a name of its own, so the Service and the PDB do not select it. */}}
{{- define "palisade.testLabels" -}}
{{ include "palisade.commonLabels" . }}
app.kubernetes.io/name: {{ include "palisade.name" . }}-test
app.kubernetes.io/component: helm-test
{{- end -}}
