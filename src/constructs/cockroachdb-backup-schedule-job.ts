import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { COCKROACHDB } from '../lib/cockroachdb';
import type { PodSecurity } from '../lib/platform';
import { rootSqlHookJob } from './cockroachdb-init-job';

/** One pod retry (the script retries the statement itself) and ten minutes in all. */
export const SCHEDULE_JOB_BOUNDS = { backoffLimit: 1, activeDeadlineSeconds: 600 } as const;

export interface CockroachDbBackupScheduleJobProps {
  readonly name: string;
  readonly namespace: string;
  /** Same image as the nodes: the `cockroach` client must match the server version. */
  readonly image: string;
  /** `host:port` of the SQL endpoint (the public Service). */
  readonly host: string;
  /** Secret with the `root` client certificate and the CA. */
  readonly rootClientSecret: string;
  /**
   * The statement, with `$KEY_ID` and `$SECRET` where the URL-encoded S3 credentials go; the Job fills
   * them in at run time from `credentialsSecret`, so they never appear in the bundle.
   */
  readonly sql: string;
  /** Out-of-band Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in this namespace. */
  readonly credentialsSecret: string;
  /** The nodes' ServiceAccount: on OpenShift the SCC that admits CockroachDB's fixed groups is granted to it. */
  readonly serviceAccount: string;
  /** The CockroachDB pods' admission on this platform (the same groups read the client key). */
  readonly podSecurity: PodSecurity;
}

/**
 * URL-encodes the credentials (an AWS secret key may hold `/` and `+`, which the S3 URI would
 * misread), then retries the statement until the cluster answers. `CREATE SCHEDULE IF NOT EXISTS`
 * makes every re-run a no-op once the schedule exists.
 */
const SCRIPT = [
  'set -u',
  'enc() { local s="$1" out="" c i; for ((i = 0; i < ${#s}; i++)); do c="${s:i:1}"; case "$c" in [A-Za-z0-9._~-]) out+="$c" ;; *) printf -v c \'%%%02X\' "\'$c"; out+="$c" ;; esac; done; printf \'%s\' "$out"; }',
  'KEY_ID=$(enc "$AWS_ACCESS_KEY_ID")',
  'SECRET=$(enc "$AWS_SECRET_ACCESS_KEY")',
  'STATEMENT="${1//\\$KEY_ID/$KEY_ID}"',
  'STATEMENT="${STATEMENT//\\$SECRET/$SECRET}"',
  'until out=$(' + COCKROACHDB.binary + ' sql --host="$2" -e "$STATEMENT" 2>&1); do echo "$out" | grep -v AWS_SECRET_ACCESS_KEY; sleep 10; done',
  'echo "backup schedule present"',
].join('\n');

/**
 * Creates the CockroachDB backup schedule, idempotently: a Job run by Argo CD as a Sync hook (like
 * the init Job), in one cluster only; the schedule itself lives in the cluster's system tables and
 * runs on whichever node holds its job, wherever that is. Every sync operation re-runs the Job (a Sync
 * hook, retries included), which runs one `CREATE SCHEDULE IF NOT EXISTS` and ends: a no-op once the
 * schedule exists. It is bounded (SCHEDULE_JOB_BOUNDS) while the cluster does not answer or the
 * credentials Secret is missing. Changing the schedule or the destination needs the runbook's DROP first.
 */
export class CockroachDbBackupScheduleJob extends Construct {
  public constructor(scope: Construct, id: string, props: CockroachDbBackupScheduleJobProps) {
    super(scope, id);
    const credential = (name: string): kplus.k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: props.credentialsSecret, key: name } } });
    rootSqlHookJob(this, {
      name: props.name,
      namespace: props.namespace,
      image: props.image,
      serviceAccount: props.serviceAccount,
      podSecurity: props.podSecurity,
      bounds: SCHEDULE_JOB_BOUNDS,
      rootClientSecret: props.rootClientSecret,
      container: { name: 'schedule', command: ['/bin/bash', '-c', SCRIPT, props.name], args: [props.sql, props.host], env: [credential('AWS_ACCESS_KEY_ID'), credential('AWS_SECRET_ACCESS_KEY')] },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
