// Preloaded (node -r) into a `meridian synth` child by kill.test.ts: sends the process the signal named in
// MERIDIAN_TEST_KILL ("<fs function>:<path fragment>:<signal>") just before the first call of that node:fs
// function whose first argument contains the fragment, so the test can stop the writer at an exact step.
'use strict';
const fs = require('node:fs');
const [name, fragment, signal] = (process.env.MERIDIAN_TEST_KILL || '').split(':');
if (name && typeof fs[name] === 'function') {
  const original = fs[name];
  fs[name] = function (...args) {
    if (String(args[0]).includes(fragment)) process.kill(process.pid, signal);
    return original.apply(this, args);
  };
}
