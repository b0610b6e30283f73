// Quantities live in src/lib/quantity.ts, where the output rules may use them too.
export * from '../lib/quantity';
