// Worker-thread entry of the CPU pool: loads the task runner, compiled or through tsx.
import { importWorkerBody } from './import-worker-body.mjs';

const { runTask } = await importWorkerBody('./run-task.ts', import.meta.url);
export default runTask;
