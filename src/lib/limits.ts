// Limits that Kubernetes, Istio and container runtimes enforce, shared by the topology checks (which
// refuse an input at its location) and the output rules (which refuse a bundle that breaks them).
// Pure constants and predicates, no imports.

/**
 * Ports the Istio sidecar (Envoy) listens on or intercepts in every pod of the mesh ("Ports used by
 * Istio", https://istio.io/latest/docs/ops/deployment/requirements/#ports-used-by-istio): a container
 * port among them collides with the proxy.
 */
export const ISTIO_SIDECAR_PORTS: readonly number[] = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

/**
 * The API server refuses a ConfigMap whose values (data, and binaryData decoded) add up to more than
 * 1 MiB: k8s.io/kubernetes pkg/apis/core/validation/validation.go ValidateConfigMap sums len(value) over
 * Data and BinaryData (keys are not counted) and fails when totalSize > core.MaxSecretSize (1048576).
 */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

/** Longest DNS name (RFC 1035 §2.3.4), and so the longest DNS-1123 subdomain object name. */
export const MAX_DNS_NAME = 253;

/**
 * Control characters a ConfigMap value or environment variable may not hold: C0 except tab and line
 * feed, DEL and C1. A value may be multi-line (Kubernetes accepts newlines in ConfigMap data and env
 * values), but NUL ends a C string, so no container runtime can pass it in an environment variable:
 * runc and the kubelet are Go, whose syscall.ByteSliceFromString returns EINVAL for a string holding
 * NUL (go src/syscall/syscall.go) and whose os/exec rejects NUL in environment variables
 * (CVE-2022-41716, golang/go#56284). The other controls are invisible mistakes that YAML must escape
 * (YAML 1.2 §5.1 printable characters).
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** `U+0000` notation of the first character of `s`. */
export function codePoint(s: string): string {
  return `U+${s.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** UTF-8 length of a string. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}
