/**
 * @m/realise — the glue between the evaluator, the store and the builder: an EvalIO that writes
 * into a real store, and `realise`, which builds derivation graphs into it.
 */
export { createStoreEvalIO, readStoreDerivation, type StoreEvalIOOptions } from './store-eval-io';
export { realise, type RealiseEvent, type RealiseOptions, type RealiseResult } from './realise';
export { checkCanBuild, systemFeatures, THIS_SYSTEM, EXTRA_PLATFORMS } from './platform';
export { makeBuildRequest, outputPaths, type RequestSettings } from './build-request';
export { BUILTIN_BUILDERS, IMAGE_BUILDER, imageBuildOptions, type ImageBuildContext } from './builtin-image';
export { createFetchers, type FetchSink, type Fetchers } from './fetch';
