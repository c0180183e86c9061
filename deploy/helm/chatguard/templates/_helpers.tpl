{{/* Names, labels and the rendered chatguard config, shared by every template. */}}

{{- define "chatguard.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "chatguard.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "chatguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chatguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "chatguard.labels" -}}
{{ include "chatguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: {{ .Values.shape }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "chatguard.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "chatguard.backendImage" -}}
{{- if .Values.backend.digest -}}
{{- printf "%s@%s" (regexReplaceAll ":[^:/]+$" .Values.backend.image "") .Values.backend.digest -}}
{{- else -}}
{{- .Values.backend.image -}}
{{- end -}}
{{- end -}}

{{- define "chatguard.replicated" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) -}}true{{- end -}}
{{- end -}}

{{/* The config file: the user's `config` plus the listeners the chart owns. */}}
{{- define "chatguard.config" -}}
{{- $listen := dict "host" "0.0.0.0" "port" (int .Values.listen.port) -}}
{{- if .Values.listen.tlsSecret -}}
{{- $_ := set $listen "tls" (dict "cert" "/run/secrets/chatguard-tls/tls.crt" "key" "/run/secrets/chatguard-tls/tls.key") -}}
{{- end -}}
{{- $owned := dict "listen" $listen
      "admin" (dict "host" "127.0.0.1" "port" (int .Values.admin.port))
      "probes" (dict "enabled" true "host" "0.0.0.0" "port" (int .Values.probes.port))
      "shutdown_timeout" (printf "%ds" (int .Values.shutdownTimeoutSeconds)) -}}
{{- range $key, $from := dict "listen" "listen.port and listen.tlsSecret" "admin" "admin.port" "probes" "probes.port" "shutdown_timeout" "shutdownTimeoutSeconds" -}}
{{- if hasKey $.Values.config $key -}}
{{- fail (printf "config.%s is written by the chart: set %s instead" $key $from) -}}
{{- end -}}
{{- end -}}
{{- $config := mustMergeOverwrite (deepCopy .Values.config) $owned -}}
{{- if include "chatguard.replicated" . -}}
{{- $state := $config.state | default dict -}}
{{- if ne ($state.backend | default "memory") "redis" -}}
{{- fail "config.state.backend must be redis when more than one pod runs (autoscaling or replicaCount > 1): bans, rate limits and sessions are shared through it" -}}
{{- end -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}
