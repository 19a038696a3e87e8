// Worker-thread entry: workers start without the parent's tsx loader, so register it here
// (as bin/shenbi.js does) before loading the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./sandbox-worker.ts');
