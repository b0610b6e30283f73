import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

const k8s = kplus.k8s;

export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
}

export interface RemoteAccessProps {
  /** ServiceAccount (and Role/RoleBinding) name. */
  readonly name: string;
  readonly namespace: string;
  /** Rules in `namespace`. */
  readonly rules: readonly RbacRule[];
  /** Cluster-scoped rules (a ClusterRole and ClusterRoleBinding named `meridian-<namespace>-<name>`). */
  readonly clusterRules?: readonly RbacRule[];
  /**
   * Bind to an existing Role of `namespace` instead of creating one from `rules`.
   * @default - a Role named like the ServiceAccount
   */
  readonly existingRole?: string;
}

/**
 * The non-secret half of a credential another cluster's controller uses to reach this one: a
 * ServiceAccount with exactly the rights that controller exercises. Its token is never in git: a
 * runbook step creates a `kubernetes.io/service-account-token` Secret for it and copies the token to
 * where the controller reads it, so deleting that Secret revokes the access.
 */
export class RemoteAccess extends Construct {
  public constructor(scope: Construct, id: string, props: RemoteAccessProps) {
    super(scope, id);
    const ns = props.namespace;
    const subject = [{ kind: 'ServiceAccount', name: props.name, namespace: ns }];
    const rules = (list: readonly RbacRule[]): kplus.k8s.PolicyRule[] =>
      list.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}), verbs: [...r.verbs] }));
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: props.name, namespace: ns } });
    const role = props.existingRole ?? props.name;
    if (!props.existingRole) new k8s.KubeRole(this, 'Role', { metadata: { name: role, namespace: ns }, rules: rules(props.rules) });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: props.name, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
      subjects: subject,
    });
    if (props.clusterRules && props.clusterRules.length > 0) {
      const name = `meridian-${ns}-${props.name}`;
      new k8s.KubeClusterRole(this, 'ClusterRole', { metadata: { name }, rules: rules(props.clusterRules) });
      new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: subject,
      });
    }
  }
}
