import type { Rule, Violation } from '../validate';
import type { DistTree } from '../validate/tree';
import type { Style } from './style';

export function formatValidation(tree: DistTree, violations: readonly Violation[], rules: number, s: Style): string {
  const scope = `${rules} rule(s), ${tree.objects.length} object(s) in ${tree.files.length} file(s) under ${tree.root}/`;
  if (violations.length === 0) return `${s.green('valid')}: ${scope}\n`;
  const lines = violations.map((v) => {
    const l = v.location;
    const object = l.kind !== undefined ? `${l.kind} ${l.namespace !== undefined ? `${l.namespace}/` : ''}${l.name ?? ''}` : '';
    const where = [object, l.path].filter((x) => x !== '').join(' ');
    return `${s.bold(`${l.file}:${l.line}:${l.col}`)}: ${s.red(`${v.rule} ${v.name}`)}: ${where === '' ? '' : `${s.yellow(where)}: `}${v.message}`;
  });
  const byRule = new Set(violations.map((v) => v.rule)).size;
  const files = new Set(violations.map((v) => v.location.file)).size;
  return `${lines.join('\n')}\n${s.red(`${violations.length} violation(s)`)} of ${byRule} rule(s) in ${files} file(s); checked ${scope}\n`;
}

export function validationJson(tree: DistTree, violations: readonly Violation[], rules: readonly string[] | undefined): object {
  return {
    root: tree.root,
    rules: rules ?? 'all',
    objects: tree.objects.length,
    files: tree.files.length,
    valid: violations.length === 0,
    violations,
  };
}

export function formatRules(rules: readonly Rule[], s: Style): string {
  return `${rules.map((r) => `${s.bold(r.id)} ${r.name}\n    ${r.description}`).join('\n')}\n`;
}
