// Worker-thread entry of the CPU pool: workers start without the parent's tsx loader, so
// register it here (as bin/shenbi.js does) before loading the TypeScript task runner.
import { register } from 'tsx/esm/api';

register();
const { runTask } = await import('./run-task.ts');
export default runTask;
