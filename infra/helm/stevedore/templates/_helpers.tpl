{{- define "stevedore.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}{{ .Release.Name | trunc 63 | trimSuffix "-" }}{{- else }}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end }}
{{- end }}

{{- define "stevedore.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "stevedore.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "stevedore.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The chart's own Secret: the URLs given as values, and the generated (then kept) secrets. */}}
{{- define "stevedore.secretName" -}}{{ include "stevedore.fullname" . }}{{- end }}

{{- define "stevedore.publicUrl" -}}
{{- required "publicUrl is required: the https:// URL browsers and agents use to reach Stevedore" .Values.publicUrl | trimSuffix "/" -}}
{{- end }}

{{- define "stevedore.host" -}}
{{- default (urlParse (include "stevedore.publicUrl" .)).host .Values.ingress.host -}}
{{- end }}
