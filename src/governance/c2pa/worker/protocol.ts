import type { SignC2paOptions, SignC2paResult } from '../sign.ts';

/** Main thread → worker: the keys travel as their folder (the worker loads and caches them). */
export interface SignRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly mimeType: string;
  readonly keysDir: string;
  readonly options: Omit<SignC2paOptions, 'keys'>;
  /** Run warmUpC2pa first (the worker's wasm starts cold like any other). */
  readonly warmUp?: boolean;
}

export type SignResponse =
  | { readonly id: number; readonly ok: true; readonly result: SignC2paResult }
  | { readonly id: number; readonly ok: false; readonly error: { readonly code: string; readonly message: string; readonly hint?: string } };
