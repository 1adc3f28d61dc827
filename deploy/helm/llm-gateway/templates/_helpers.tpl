{{- define "gw.name" -}}{{ .Release.Name | trunc 40 | trimSuffix "-" }}{{- end -}}

{{- define "gw.labels" -}}
app.kubernetes.io/name: llm-gateway
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "gw.selector" -}}
app.kubernetes.io/name: llm-gateway
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end -}}

{{- define "gw.redisUrl" -}}
{{- if .Values.redis.deploy -}}redis://{{ include "gw.name" . }}-redis:6379{{- else -}}{{ .Values.redis.url }}{{- end -}}
{{- end -}}

{{- define "gw.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "gw.name" .)) -}}
{{- end -}}

{{/* The gateway.yaml the sidecar reads: the user's config with what the pod's layout fixes. */}}
{{- define "gw.config" -}}
{{- $redis := dict "url" (include "gw.redisUrl" .) -}}
{{- if and .Values.secrets.redisPassword (not .Values.secrets.existingSecret) -}}
{{- $_ := set $redis "passwordEnv" "REDIS_PASSWORD" -}}
{{- end -}}
{{- $obs := dict -}}
{{- if .Values.metrics.enabled -}}
{{- $_ := set $obs "metricsListen" "0.0.0.0:9464" -}}
{{- $_ := set $obs "metricsTokenFile" "/etc/llm-gateway/secrets/metrics-token" -}}
{{- end -}}
{{- $fixed := dict "runtimeDir" "/var/lib/llm-gateway" "listen" (dict "address" "0.0.0.0" "https" 443 "http" nil) "sidecar" (dict "port" 9901) "redis" $redis "observability" $obs -}}
{{- $cfg := mergeOverwrite (deepCopy .Values.config) $fixed -}}
{{- if not $cfg.backends -}}
{{- if not .Values.ollama.enabled -}}{{- fail "set config.backends, or ollama.enabled" -}}{{- end -}}
{{- $backends := list -}}
{{- range $i, $_ := until (int .Values.ollama.replicas) -}}
{{- $backends = append $backends (dict "name" (printf "ollama-%d" $i) "url" (printf "http://%s-ollama-%d.%s-ollama:11434" (include "gw.name" $) $i (include "gw.name" $))) -}}
{{- end -}}
{{- $_ := set $cfg "backends" $backends -}}
{{- end -}}
{{- if not (include "gw.redisUrl" .) -}}{{- $_ := unset $cfg.redis "url" -}}{{- end -}}
{{- toYaml $cfg -}}
{{- end -}}
