// synth runs the rules over the objects it holds in memory (treeFromObjects) instead of re-parsing its
// own output; that tree must be exactly the tree the same files give when read back (treeFromFiles).
import { describe, expect, it } from 'vitest';
import { treeFromFiles, treeFromObjects, validateTree } from '../../src/validate';
import { synthFixture } from '../helpers';

describe.each(['globalnet', 'minimal', 'active-passive'])('the in-memory tree of %s', (fixture) => {
  const bundle = synthFixture(fixture);
  const fromFiles = treeFromFiles(bundle.files);
  const fromObjects = treeFromObjects(bundle.files, bundle.objects);

  it('holds the same files, objects and kustomizations as the parsed files', () => {
    expect(fromObjects.files).toEqual(fromFiles.files);
    expect(fromObjects.objects).toEqual(fromFiles.objects);
    expect([...fromObjects.kustomizations]).toEqual([...fromFiles.kustomizations]);
    expect(fromFiles.parseProblems).toEqual([]);
  });

  it('locates fields exactly like the parsed files', () => {
    for (const o of fromFiles.objects.filter((_, i) => i % 7 === 0)) {
      for (const segments of [[], ['metadata', 'name'], ['spec'], ['kind']]) {
        expect(fromObjects.position(o, segments)).toEqual(fromFiles.position(o, segments));
      }
    }
  });

  it('gives the rules the same verdict', () => {
    expect(validateTree(fromObjects, { skip: ['MER001'] })).toEqual(validateTree(fromFiles, { skip: ['MER001'] }));
  });
});
