// worker thread entry: Curio runs from TypeScript sources under tsx, and a worker
// thread does not inherit the main thread's module hooks on Node 20. tsx's require
// hook is registered here rather than its ESM loader: the loader runs in a thread of
// its own that every import waits on (~0.1 s more before the first record is parsed)
require('tsx/cjs/api').register();
require('./parse-worker.ts');
