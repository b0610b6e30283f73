// How committed report text names an environment file.

/**
 * The environment file by its name only: the report is committed, so it must not depend on the folder
 * meridian was run from (a path relative to the working directory would).
 */
export function envFile(env: { readonly source: string }): string {
  return env.source.split(/[\\/]/).pop() ?? env.source;
}
