import { fileURLToPath } from 'node:url';

/** ../shared/testdata beside the checkout (read-only; never copied into the repo). */
export const TESTDATA = process.env.SHENBI_TESTDATA ?? fileURLToPath(new URL('../../../shared/testdata/', import.meta.url));
