// worker thread entry: Curio runs from TypeScript sources under tsx, and a worker
// thread does not inherit the main thread's module hooks on Node 20, so register
// them here before loading the parser
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
