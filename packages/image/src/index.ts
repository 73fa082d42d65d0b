export * from './build-image';
export * from './popularity';
export * from './layering';
export * from './image-json';
export * from './tar';
export { createGzipPool, gzipMember, GZIP_LEVEL, type GzipPool } from './gzip-pool';
export { layerCacheRoot } from './layer-cache';
export { checkContainerConfig } from './config-check';
