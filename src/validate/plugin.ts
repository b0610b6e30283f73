// The cdk8s CLI validation plugin (`validations:` in cdk8s.yaml): `cdk8s synth` runs the same rules as
// `meridian validate` over the manifests it collected. The CLI loads this compiled file with
// `require` and instantiates the exported class named in cdk8s.yaml.
import * as path from 'node:path';
import { validateTree } from './index';
import { RULES } from './rules';
import { treeFromManifestPaths } from './tree';

/** The parts of cdk8s-cli's ValidationContext this plugin uses (the CLI is not a runtime dependency). */
export interface PluginContext {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
  readonly logger?: { log(message: string): void };
}

export interface MeridianValidationProps {
  /** Rule ids or names to skip. */
  readonly skip?: readonly string[];
}

export class MeridianValidation {
  private readonly skip: readonly string[];

  public constructor(props: MeridianValidationProps = {}) {
    this.skip = props.skip ?? [];
  }

  public async validate(context: PluginContext): Promise<void> {
    const { tree, rootDir } = treeFromManifestPaths(context.manifests);
    const violations = validateTree(tree, { skip: this.skip });
    const fixes = new Map(RULES.map((r) => [r.id, r.fix]));
    for (const v of violations) {
      const l = v.location;
      const object = l.kind !== undefined ? `${l.kind} ${l.namespace !== undefined ? `${l.namespace}/` : ''}${l.name ?? ''}` : l.file;
      context.report.addViolation({
        ruleName: `${v.rule} ${v.name}`,
        recommendation: v.message,
        fix: fixes.get(v.rule) ?? '',
        violatingResources: [
          {
            resourceName: object,
            locations: [`${l.path === '' ? '(object)' : l.path} (line ${l.line}, column ${l.col})`],
            manifestPath: path.join(rootDir, path.relative(tree.root, l.file)),
          },
        ],
      });
    }
    context.report.submit(violations.length === 0 ? 'success' : 'failure', {
      rules: String(RULES.filter((r) => !this.skip.includes(r.id) && !this.skip.includes(r.name)).length),
      objects: String(tree.objects.length),
      violations: String(violations.length),
    });
  }
}
