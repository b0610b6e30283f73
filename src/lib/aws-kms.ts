// AWS KMS key identifiers (docs.aws.amazon.com/kms/latest/developerguide/mrk-how-it-works.html): a
// multi-Region key has a key ID that begins with `mrk-`, and its replicas in other Regions have the
// same key ID; their key ARNs differ only in the Region field
// (arn:aws:kms:<region>:<account>:key/mrk-...). A single-Region key ID is a bare UUID; an alias
// (`alias/...`, or an alias ARN) names a key of one Region.

const ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/(mrk-[0-9a-f]+)$/;

/** Whether a kms_key_id names a multi-Region key: an `mrk-` key ID or a key ARN whose key ID is one. */
export function isMultiRegionKey(kmsKeyId: string): boolean {
  return kmsKeyId.startsWith('mrk-') || ARN.test(kmsKeyId);
}

/** The Region a key ARN names, if the ID is an ARN. */
export function arnRegion(kmsKeyId: string): string | undefined {
  return /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(kmsKeyId)?.[1];
}

/** The replica of a multi-Region key in `region`: the same key ID, or its ARN with that Region. */
export function multiRegionReplica(kmsKeyId: string, region: string): string {
  const m = ARN.exec(kmsKeyId);
  return m ? `arn:${m[1]}:kms:${region}:${m[3]}:key/${m[4]}` : kmsKeyId;
}
