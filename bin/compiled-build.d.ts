// Types of compiled-build.js (plain JavaScript so bin/shenbi.js can run it before any loader).
export declare const REPO_ROOT: string;
export declare const BUILD_DIR: string;
export declare const BUILD_STAMP: string;
export declare function sourceFingerprint(root?: string): string;
export declare function builtFingerprint(): string | undefined;
export declare function isCompiledBuildFresh(): boolean;
export declare function compiledUrl(sourcePath: string): URL;
