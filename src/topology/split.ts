// Even splits and majority quorum are plain arithmetic, shared with the validator: they live in src/lib/split.ts.
export { quorumOf, splitEvenly } from '../lib/split';
