// The namespaces an environment's platform components own, as configured in its file. Services and
// stores may not take them: a store's default-deny NetworkPolicy or a service's objects would land
// beside (and interfere with) the component's own. One function, so a new component adds its
// namespace here and every check follows.
import { CERT_MANAGER, INGRESS, VAULT_CONFIG_OPERATOR } from '../lib/names';
import { defaultNamespace } from './gslb';
import { defaultOperatorNamespaces } from './platform';
import type { EnvironmentSpec } from './schema';

export interface PlatformNamespaces {
  /** Namespace -> the component that owns it. */
  readonly names: ReadonlyMap<string, string>;
  /** Prefixes Kubernetes and OpenShift reserve for their own namespaces. */
  readonly prefixes: readonly { readonly prefix: string; readonly owner: string }[];
}

/** Submariner's operator namespace as subctl and the OperatorHub bundle install it (constructs/submariner-join.ts). */
const SUBMARINER_OPERATOR_NAMESPACE = 'submariner-operator';
/** Istio's control plane namespace (istioctl and the Sail operator default). */
const ISTIO_NAMESPACE = 'istio-system';

export function platformNamespaces(spec: Pick<EnvironmentSpec, 'argocd' | 'submariner' | 'globalLoadBalancer' | 'clusters'>): PlatformNamespaces {
  const names = new Map<string, string>();
  const add = (ns: string | undefined, owner: string): void => {
    if (ns !== undefined && !names.has(ns)) names.set(ns, owner);
  };
  add('default', 'Kubernetes');
  add(spec.argocd.namespace ?? 'argocd', 'Argo CD (argocd.namespace)');
  add(CERT_MANAGER.namespace, 'cert-manager');
  add(ISTIO_NAMESPACE, 'Istio');
  add(INGRESS.namespace, 'the shared ingress Gateway');
  add(spec.submariner.brokerNamespace ?? 'submariner-k8s-broker', 'the Submariner broker (submariner.brokerNamespace)');
  add(SUBMARINER_OPERATOR_NAMESPACE, 'the Submariner operator');
  add(VAULT_CONFIG_OPERATOR.namespace, 'the vault-config-operator');
  for (const c of spec.clusters) {
    const ns = c.operatorNamespaces?.vaultConfigOperator ?? defaultOperatorNamespaces(c.platform ?? 'kubernetes').vaultConfigOperator;
    add(ns, `the vault-config-operator of cluster ${c.name} (clusters[].operatorNamespaces.vaultConfigOperator)`);
  }
  const glb = spec.globalLoadBalancer;
  if (glb) {
    const provider = glb.provider ?? 'global-load-balancer-operator';
    if (provider !== 'k8gb') add(glb.namespace ?? defaultNamespace(provider), 'the global load balancer (globalLoadBalancer.namespace)');
    add(glb.clusterCredentials?.namespace, 'the global load balancer credentials (globalLoadBalancer.clusterCredentials.namespace)');
  }
  return {
    names,
    prefixes: [
      { prefix: 'kube-', owner: 'Kubernetes' },
      { prefix: 'openshift', owner: 'OpenShift' },
    ],
  };
}

/** The component owning `namespace`, or undefined when a service or store may use it. */
export function platformOwner(platform: PlatformNamespaces, namespace: string): string | undefined {
  return platform.names.get(namespace) ?? platform.prefixes.find((p) => namespace.startsWith(p.prefix))?.owner;
}
