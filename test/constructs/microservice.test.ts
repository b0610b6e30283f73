import { describe, expect, it } from 'vitest';
import { Microservice, type MicroserviceProps } from '../../src/constructs/microservice';
import { chart, synthValid } from './helpers';

const base: MicroserviceProps = {
  name: 'shop',
  namespace: 'shop',
  image: 'quay.io/example/shop:1.4.2',
  port: 8080,
  healthPath: '/healthz',
  replicas: 2,
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
};

const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);

describe('Microservice', () => {
  it('renders a Deployment, a Service with a named port and a PodDisruptionBudget', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new Microservice(c, 'shop', base);
    // THEN
    const objects = synthValid(c);
    expect(objects.map((o) => o.kind)).toEqual(['Deployment', 'Service', 'PodDisruptionBudget']);
    const [deployment] = byKind(objects, 'Deployment');
    expect(deployment.spec.replicas).toBe(2);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http', scheme: 'HTTP' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http', scheme: 'HTTP' });
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    const [service] = byKind(objects, 'Service');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    const [pdb] = byKind(objects, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: deployment.spec.selector.matchLabels } });
  });

  it('meets Pod Security restricted', () => {
    const c = chart();
    new Microservice(c, 'shop', base);
    const pod = byKind(synthValid(c), 'Deployment')[0].spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const container of pod.containers) {
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
    }
    expect(pod.volumes.every((v: any) => v.emptyDir || v.secret || v.configMap)).toBe(true);
  });

  it('leaves the replica count to the HPA when autoscaling', () => {
    const c = chart();
    new Microservice(c, 'shop', { ...base, autoscaling: { minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercent: 70 } });
    const objects = synthValid(c);
    expect(byKind(objects, 'Deployment')[0].spec.replicas).toBeUndefined();
    expect(byKind(objects, 'HorizontalPodAutoscaler')[0].spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop' },
      minReplicas: 1,
      maxReplicas: 4,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
  });

  it('loads config from a ConfigMap and rolls the pods when it or a mounted Secret changes', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new Microservice(c, 'shop', {
      ...base,
      config: { LOG_LEVEL: 'info' },
      env: [{ name: 'VAULT_ADDR', value: 'https://vault.vault.svc:8200' }, { name: 'CATALOG_URL', value: 'http://catalog.catalog.svc.clusterset.local:8080' }],
      secretMounts: [
        { volume: 'vault-tls', secretName: 'shop-vault-client-tls', mountPath: '/etc/meridian/vault-tls' },
        { volume: 'cockroachdb-tls', secretName: 'shop-cockroachdb-client-tls', mountPath: '/etc/meridian/cockroachdb-tls' },
      ],
    });
    // THEN
    const objects = synthValid(c);
    expect(byKind(objects, 'ConfigMap')[0]).toMatchObject({ metadata: { name: 'shop-config', namespace: 'shop' }, data: { LOG_LEVEL: 'info' } });
    const deployment = byKind(objects, 'Deployment')[0];
    expect(deployment.metadata.annotations).toEqual({
      'secret.reloader.stakater.com/reload': 'shop-cockroachdb-client-tls,shop-vault-client-tls',
      'configmap.reloader.stakater.com/reload': 'shop-config',
    });
    const container = deployment.spec.template.spec.containers[0];
    expect(container.env.map((e: any) => e.name)).toEqual(['CATALOG_URL', 'VAULT_ADDR']);
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'shop-config' } }]);
    expect(container.volumeMounts).toContainEqual({ name: 'vault-tls', mountPath: '/etc/meridian/vault-tls', readOnly: true });
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'vault-tls', secret: { secretName: 'shop-vault-client-tls', defaultMode: 0o440 } });
  });

  it('labels the Deployment and Service but not the pods, so a drain does not restart them', () => {
    const c = chart();
    new Microservice(c, 'shop', { ...base, labels: { 'meridian.dev/drained': 'true' }, sidecar: true });
    const objects = synthValid(c);
    const deployment = byKind(objects, 'Deployment')[0];
    expect(deployment.metadata.labels['meridian.dev/drained']).toBe('true');
    expect(byKind(objects, 'Service')[0].metadata.labels['meridian.dev/drained']).toBe('true');
    expect(deployment.spec.template.metadata.labels['meridian.dev/drained']).toBeUndefined();
    expect(deployment.spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('true');
  });

  it('fails for zero replicas, a relative health path or inverted autoscaling bounds', () => {
    expect(() => new Microservice(chart(), 's', { ...base, replicas: 0 })).toThrow(/positive integer/);
    expect(() => new Microservice(chart(), 's', { ...base, healthPath: 'healthz' })).toThrow(/must start with "\/"/);
    expect(() => new Microservice(chart(), 's', { ...base, autoscaling: { minReplicas: 3, maxReplicas: 2, targetCPUUtilizationPercent: 80 } })).toThrow(
      /minReplicas <= maxReplicas/,
    );
  });

  it('fails for a duplicate environment variable or volume name', () => {
    const env = [{ name: 'A', value: '1' }, { name: 'A', value: '2' }];
    expect(() => new Microservice(chart(), 's', { ...base, env })).toThrow(/sets environment variable A twice/);
    const m = { volume: 'tmp', secretName: 'x', mountPath: '/x' };
    expect(() => new Microservice(chart(), 's', { ...base, secretMounts: [m] })).toThrow(/reserved/);
  });
});
