// Worker-thread entry: loads the TypeScript worker body, compiled or through tsx.
import { importWorkerBody } from '../../../workers/import-worker-body.mjs';

await importWorkerBody('./sandbox-worker.ts', import.meta.url);
