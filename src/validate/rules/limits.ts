// Limits the API server, the container runtime and the Istio sidecar enforce at apply or run time,
// which the schemas (MER001) do not express: ConfigMap size, control characters in environment
// values, ports the sidecar owns. (Name and label formats and lengths MER001 checks already.)
import { CONTROL_CHARACTER, codePoint, ISTIO_SIDECAR_PORTS, MAX_CONFIGMAP_BYTES, utf8Bytes } from '../../lib/limits';
import { containersOf, describeObject, ofKind, podTemplates } from '../manifest';
import type { Finding, Rule } from '../rule';
import { isRecord } from '../tree';


export const configMapSize: Rule = {
  id: 'MER101',
  name: 'configmap-size',
  description: `every ConfigMap's values (data, and binaryData decoded) add up to at most ${MAX_CONFIGMAP_BYTES} bytes (1 MiB), the most the API server accepts`,
  fix: 'move large settings out of services[].config (into the image or a volume), or split the ConfigMap',
  check(tree) {
    const out: Finding[] = [];
    for (const object of ofKind(tree, 'ConfigMap')) {
      let total = 0;
      const data = isRecord(object.manifest.data) ? object.manifest.data : {};
      for (const v of Object.values(data)) total += utf8Bytes(String(v));
      const binary = isRecord(object.manifest.binaryData) ? object.manifest.binaryData : {};
      for (const v of Object.values(binary)) total += Buffer.from(String(v), 'base64').length;
      if (total > MAX_CONFIGMAP_BYTES) {
        out.push({ object, path: ['data'], message: `${describeObject(object.manifest)} holds ${total} bytes of values; the API server refuses a ConfigMap whose values exceed ${MAX_CONFIGMAP_BYTES} bytes` });
      }
    }
    return out;
  },
};

export const printableEnvironment: Rule = {
  id: 'MER102',
  name: 'printable-environment',
  description: 'ConfigMap values and container environment values hold no control characters but tab and newline (a runtime cannot pass NUL in an environment variable)',
  fix: 'remove the control character from services[].config',
  check(tree) {
    const out: Finding[] = [];
    for (const object of ofKind(tree, 'ConfigMap')) {
      const data = isRecord(object.manifest.data) ? object.manifest.data : {};
      for (const [k, v] of Object.entries(data)) {
        const c = CONTROL_CHARACTER.exec(String(v));
        if (c) out.push({ object, path: ['data', k], message: `${describeObject(object.manifest)} key ${k} holds the control character ${codePoint(c[0])}` });
      }
    }
    for (const pod of podTemplates(tree)) {
      for (const ref of containersOf(pod)) {
        const env = Array.isArray(ref.container.env) ? ref.container.env : [];
        env.forEach((e: unknown, i: number) => {
          if (!isRecord(e) || typeof e.value !== 'string') return;
          const c = CONTROL_CHARACTER.exec(e.value);
          if (c) out.push({ object: pod.object, path: [...ref.at, 'env', i, 'value'], message: `environment variable ${String(e.name)} holds the control character ${codePoint(c[0])}` });
        });
      }
    }
    return out;
  },
};

export const istioSidecarPortsFree: Rule = {
  id: 'MER103',
  name: 'istio-sidecar-ports-free',
  description: `no container port or Service target port is one the Istio sidecar reserves (${ISTIO_SIDECAR_PORTS.join(', ')})`,
  fix: 'give the service another port in the environment file',
  check(tree) {
    const out: Finding[] = [];
    for (const pod of podTemplates(tree)) {
      for (const ref of containersOf(pod, ['containers', 'initContainers'])) {
        const ports = Array.isArray(ref.container.ports) ? ref.container.ports : [];
        ports.forEach((p: unknown, i: number) => {
          if (isRecord(p) && ISTIO_SIDECAR_PORTS.includes(Number(p.containerPort))) {
            out.push({ object: pod.object, path: [...ref.at, 'ports', i, 'containerPort'], message: `container ${String(ref.container.name)} listens on ${String(p.containerPort)}, a port the Istio sidecar reserves` });
          }
        });
      }
    }
    for (const object of ofKind(tree, 'Service')) {
      const ports = Array.isArray(object.manifest.spec?.ports) ? object.manifest.spec.ports : [];
      ports.forEach((p: unknown, i: number) => {
        if (!isRecord(p)) return;
        const target = typeof p.targetPort === 'number' ? p.targetPort : p.targetPort === undefined ? p.port : undefined;
        if (ISTIO_SIDECAR_PORTS.includes(Number(target))) {
          out.push({ object, path: ['spec', 'ports', i], message: `${describeObject(object.manifest)} targets port ${String(target)}, a port the Istio sidecar reserves` });
        }
      });
    }
    return out;
  },
};
