import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ServiceEntry, ServiceEntrySpecLocation, ServiceEntrySpecResolution } from '../../imports/networking.istio.io';

/** Application protocol of a port, as Istio spells it: it decides HTTP or TCP handling. */
export enum MeshProtocol {
  HTTP = 'HTTP',
  HTTP2 = 'HTTP2',
  GRPC = 'GRPC',
  TCP = 'TCP',
}

export interface MeshPort {
  readonly name: string;
  readonly number: number;
  readonly protocol: MeshProtocol;
}

export interface ClustersetServiceEntryProps {
  readonly name: string;
  readonly namespace: string;
  /** One fully qualified host, e.g. `shop.shop.svc.clusterset.local`. */
  readonly host: string;
  readonly ports: readonly MeshPort[];
  /**
   * Namespaces that see the entry (`.` is its own).
   * @default ['.']
   */
  readonly exportTo?: readonly string[];
}

const FQDN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

/**
 * Registers a host the cluster's DNS resolves (a Lighthouse clusterset name) as a mesh-internal
 * service: Envoy resolves the host itself (`resolution: DNS`) and treats the endpoints as sidecar
 * workloads (`MESH_INTERNAL`). Since Istio 1.21 an ExternalName Service is only an alias, so a route
 * to an alias of this host has a backend only because this entry exists. Ports carry an explicit
 * protocol; nothing is sniffed.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
export class ClustersetServiceEntry extends Construct {
  public readonly host: string;

  public constructor(scope: Construct, id: string, props: ClustersetServiceEntryProps) {
    super(scope, id);
    if (!FQDN.test(props.host)) throw new Error(`service entry host must be a fully qualified DNS name without wildcard, got "${props.host}"`);
    if (props.ports.length === 0) throw new Error(`service entry ${props.name} needs at least one port`);
    if (new Set(props.ports.map((p) => p.number)).size !== props.ports.length) {
      throw new Error(`service entry ${props.name} lists a port number twice: ${props.ports.map((p) => p.number).join(', ')}`);
    }
    this.host = props.host;
    new ServiceEntry(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        hosts: [props.host],
        location: ServiceEntrySpecLocation.MESH_UNDERSCORE_INTERNAL,
        resolution: ServiceEntrySpecResolution.DNS,
        ports: props.ports.map((p) => ({ name: p.name, number: p.number, protocol: p.protocol })),
        exportTo: [...(props.exportTo ?? ['.'])],
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
