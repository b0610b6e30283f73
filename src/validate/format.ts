// Plain-text and JSON forms of validation results (the CLI adds colour; synth and the plugin use them as is).
import type { Violation } from './rule';

/** `dist/cluster2/vault.yaml:12:7: MER011 store-peers-exported: Service vault/vault-internal spec.publishNotReadyAddresses: <message>` */
export function violationLine(v: Violation): string {
  const l = v.location;
  const object = l.kind !== undefined ? `${l.kind} ${l.namespace !== undefined ? `${l.namespace}/` : ''}${l.name ?? ''}` : '';
  const where = [object, l.path].filter((x) => x !== '').join(' ');
  return `${l.file}:${l.line}:${l.col}: ${v.rule} ${v.name}: ${where === '' ? '' : `${where}: `}${v.message}`;
}
