import { ApiObject } from 'cdk8s';
import { GATEWAY_HTTPS_PORT } from '../lib/platform';
import { Construct } from 'constructs';
import {
  Gateway,
  GatewaySpecListenersAllowedRoutesNamespacesFrom,
  GatewaySpecListenersTlsMode,
} from '../../imports/gateway.networking.k8s.io';

export interface HttpsListener {
  /** Listener (section) name routes attach to; unique in the Gateway. */
  readonly name: string;
  readonly hostname: string;
  /** TLS Secret (`tls.crt`/`tls.key`) in the Gateway's namespace, e.g. issued by a cert-manager Certificate. */
  readonly certificateSecret: string;
  /** Namespaces whose HTTPRoutes may attach to this listener. */
  readonly routeNamespaces: readonly string[];
}

export interface HttpsGatewayProps {
  readonly name: string;
  readonly namespace: string;
  /** GatewayClass, e.g. `istio` (Istio then provisions `<name>-<class>` as the LoadBalancer Service). */
  readonly gatewayClassName: string;
  readonly listeners: readonly HttpsListener[];
}

/** Label the API server sets on every namespace to its own name (immutable, not forgeable by tenants). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Gateway API caps a Gateway at 64 listeners. */
const MAX_LISTENERS = 64;
const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A Gateway with only HTTPS listeners on 443 that terminate TLS, one per hostname. Each listener
 * admits HTTPRoutes only from the namespaces named for it, selected by the API server's own
 * `kubernetes.io/metadata.name` label: a route in another namespace cannot claim the hostname.
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#gateway
 */
export class HttpsGateway extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly listeners: readonly HttpsListener[];

  public constructor(scope: Construct, id: string, props: HttpsGatewayProps) {
    super(scope, id);
    if (props.listeners.length === 0) throw new Error(`gateway ${props.name} has no listener; a Gateway needs at least one hostname to serve`);
    if (props.listeners.length > MAX_LISTENERS) {
      throw new Error(`gateway ${props.name} would have ${props.listeners.length} listeners, Gateway API allows at most ${MAX_LISTENERS}; serve fewer hostnames from one cluster`);
    }
    const seen = new Set<string>();
    for (const l of props.listeners) {
      if (!SECTION_NAME.test(l.name) || l.name.length > 253) throw new Error(`listener name "${l.name}" is not a valid section name (lower-case DNS subdomain)`);
      for (const key of [`name ${l.name}`, `hostname ${l.hostname}`]) {
        if (seen.has(key)) throw new Error(`gateway ${props.name} has two listeners with ${key}; each listener needs its own name and hostname`);
        seen.add(key);
      }
      if (l.routeNamespaces.length === 0) throw new Error(`listener ${l.name} admits routes from no namespace`);
    }
    this.name = props.name;
    this.namespace = props.namespace;
    this.listeners = props.listeners;
    new Gateway(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        gatewayClassName: props.gatewayClassName,
        listeners: props.listeners.map((l) => ({
          name: l.name,
          hostname: l.hostname,
          port: GATEWAY_HTTPS_PORT,
          protocol: 'HTTPS',
          tls: { mode: GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ group: '', kind: 'Secret', name: l.certificateSecret }] },
          allowedRoutes: {
            kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
            namespaces: {
              from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR,
              selector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...l.routeNamespaces].sort() }] },
            },
          },
        })),
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
