/**
 * Splitting the popularity-ordered closure into layers, as nixpkgs' streamLayeredImage does:
 * with `maxLayers` layers in total and the last one reserved for the customisation layer, the
 * first maxLayers − 2 paths get a layer each and every remaining path shares one more layer.
 * Empty layers are never produced, so a small closure yields fewer than maxLayers layers.
 */
import { MError } from '@m/core';

export const DEFAULT_MAX_LAYERS = 65;

export function checkMaxLayers(maxLayers: number): void {
  if (!Number.isInteger(maxLayers) || maxLayers < 2)
    throw new MError('BAD_ARGUMENT', `makeContainerImage: maxLayers must be an integer of at least 2, got ${maxLayers}`, {
      hint: 'one layer is needed for the store paths and one for the customisation layer',
    });
}

/** The store layers (each a list of paths, in order); the customisation layer comes after them. */
export function splitIntoLayers(ordered: readonly string[], maxLayers: number): string[][] {
  checkMaxLayers(maxLayers);
  const single = maxLayers - 2;
  const layers = ordered.slice(0, single).map((p) => [p]);
  const rest = ordered.slice(single);
  if (rest.length > 0) layers.push([...rest]);
  return layers;
}
