/** Output placeholders (builtins.placeholder): "/" + nixbase32(sha256("nix-output:<name>")). */
import { nixBase32Encode } from './encoding';
import { hashBytes } from './hash';

export function hashPlaceholder(outputName: string): string {
  return '/' + nixBase32Encode(hashBytes('sha256', `nix-output:${outputName}`).bytes);
}
