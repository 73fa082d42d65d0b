/**
 * Splitting the popularity-ordered closure into layers, as nixpkgs' streamLayeredImage does:
 * maxLayers counts every layer of the image (base image layers, explicit layer groups, store
 * layers and the customisation layer); of the store layers left, all but the last hold one path
 * each and the last holds every remaining path. Empty layers are never produced, so a small
 * closure yields fewer than maxLayers layers. 2 ≤ maxLayers ≤ 125, as dockerTools.
 */
import { MError } from '@m/core';

export const DEFAULT_MAX_LAYERS = 65;
export const MAX_LAYERS_LIMIT = 125;

export function checkMaxLayers(maxLayers: number): void {
  if (!Number.isInteger(maxLayers) || maxLayers < 2 || maxLayers > MAX_LAYERS_LIMIT)
    throw new MError('BAD_ARGUMENT', `makeContainerImage: maxLayers must be an integer from 2 to ${MAX_LAYERS_LIMIT}, got ${maxLayers}`, {
      hint: 'one layer is needed for the store paths and one for the customisation layer; container runtimes accept at most 125 to 128 layers',
    });
}

/** The store layers (each a list of paths, in order) when `maxLayers` − 1 layers are left for them. */
export function splitIntoLayers(ordered: readonly string[], maxLayers: number): string[][] {
  checkMaxLayers(maxLayers);
  const single = maxLayers - 2;
  const layers = ordered.slice(0, single).map((p) => [p]);
  const rest = ordered.slice(single);
  if (rest.length > 0) layers.push([...rest]);
  return layers;
}

/**
 * The popularity layers once `baseLayers` (fromImage) and `groups` (explicit layers) are placed:
 * at least one layer must be left for `ordered` when it is not empty.
 */
export function planPopularityLayers(ordered: readonly string[], maxLayers: number, used: { baseLayers: number; groups: number }): string[][] {
  checkMaxLayers(maxLayers);
  const available = maxLayers - used.baseLayers - used.groups - 1;
  if (ordered.length === 0) return [];
  if (available < 1)
    throw new MError(
      'BAD_ARGUMENT',
      `makeContainerImage: maxLayers = ${maxLayers} leaves no layer for the store paths (${used.baseLayers} base image layers, ${used.groups} explicit layers and the customisation layer)`,
      { hint: 'raise maxLayers or use fewer explicit layers' },
    );
  const single = available - 1;
  const layers = ordered.slice(0, single).map((p) => [p]);
  const rest = ordered.slice(single);
  if (rest.length > 0) layers.push([...rest]);
  return layers;
}
