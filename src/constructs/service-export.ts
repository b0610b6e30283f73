import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ServiceExport as ServiceExportObject } from '../../imports/multicluster.x-k8s.io';

export interface ServiceExportProps {
  /** Name of the exported Service: the export must carry exactly the Service's name. */
  readonly serviceName: string;
  /** Namespace of the exported Service. */
  readonly namespace: string;
  /**
   * Extra labels on the export object (not exported to the ServiceImport).
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Makes a Service consumable from every cluster of the cluster set as
 * `<name>.<namespace>.svc.clusterset.local` (MCS API, which Lighthouse implements). Created in each
 * cluster that serves the Service; the same name and namespace in several clusters is one service.
 *
 * @see https://github.com/kubernetes/enhancements/tree/master/keps/sig-multicluster/1645-multi-cluster-services-api
 */
export class ServiceExport extends Construct {
  public readonly serviceName: string;
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: ServiceExportProps) {
    super(scope, id);
    this.serviceName = props.serviceName;
    this.namespace = props.namespace;
    new ServiceExportObject(this, 'Resource', {
      metadata: { name: props.serviceName, namespace: props.namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
