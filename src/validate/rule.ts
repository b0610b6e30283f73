// The shape of a validation rule and of what it reports.
import type { DistObject, DistTree, Segment } from './tree';

/** One problem a rule found, before it is located in the source. */
export interface Finding {
  /** The object at fault; omitted for problems of a file or folder (kustomization, stray files). */
  readonly object?: DistObject;
  /** The file at fault when there is no object (relative to the tree root). */
  readonly file?: string;
  /** Where inside the object's manifest. */
  readonly path?: readonly Segment[];
  /** Where inside a JSON document embedded at `path` (e.g. Vault's configuration in a ConfigMap). */
  readonly inner?: readonly Segment[];
  /** Source position when it is known without a path (YAML syntax errors). */
  readonly at?: { readonly line: number; readonly col: number };
  /** What is wrong and what to do about it: lowercase, no trailing period. */
  readonly message: string;
}

export interface Rule {
  /** Stable identifier, `MER` + three digits; the tens group related rules. */
  readonly id: string;
  /** kebab-case name, e.g. `store-join-complete`. */
  readonly name: string;
  /** What the rule checks, one sentence (README, --list-rules). */
  readonly description: string;
  /** How to fix a violation in general (the cdk8s plugin's `fix`). */
  readonly fix: string;
  /** Returns [] when the tree has none of the objects the rule is about. */
  check(tree: DistTree): Finding[];
}

export interface Location {
  /** Top-level folder of the tree: the cluster, or `argocd` ('' for files beside the folders). */
  readonly folder: string;
  /** The cluster the folder deploys to; absent for argocd/ and files beside the folders. */
  readonly cluster?: string;
  /** The file as shown to the user, root included (e.g. `dist/cluster1/vault.yaml`). */
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Field path inside the object (`spec.template.spec.containers[0].args[2]`), '' for the whole object or file. */
  readonly path: string;
}

export interface Violation {
  readonly rule: string;
  readonly name: string;
  readonly message: string;
  readonly location: Location;
}
