// The layout of an output folder (dist/), shared by the writer, the validator and diff: the names of
// the entries that are not cluster folders.

/** The folder of dist/ that holds the ApplicationSets; never a cluster name (the loader reserves it). */
export const ARGOCD_FOLDER = 'argocd';

/**
 * The record of the files meridian wrote into the output folder (src/synth/owned.ts): a plain file at the
 * root, so the ApplicationSet's git directories generator, which lists only directories, never makes an
 * Application of it.
 */
export const OWNED_FILE = 'meridian-owned.txt';
