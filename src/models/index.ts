/** The model manager's public surface. */
export { ModelManager, type ImportOptions, type ModelManagerOptions, type PullOptions, type ResolvedModel } from './manager.ts';
export { catalogEntrySchema, catalogFileSchema, type CatalogEntry, type CatalogModel } from './catalog.ts';
export { applyModelEndpoint } from './endpoint.ts';
export type { PullProgress, ProgressListener } from './progress.ts';
export type { InstalledModel, ModelRecord } from './registry.ts';
