// `npx vite src/web`: the studio with hot reload, its API proxied to a running `shenbi serve`.
import { studioViteConfig } from './build.ts';

export default studioViteConfig();
