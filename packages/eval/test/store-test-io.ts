/**
 * Test helper: the real createFsEvalIO writing into a fresh temporary physical store directory.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { createFsEvalIO, type EvalIO } from '../src/index';

export function createStoreTestIO(storeDir = '/nix/store'): EvalIO & { physicalStore: string } {
  const physicalStore = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'm-store-test-'));
  return Object.assign(createFsEvalIO({ storeDir, physicalStore }), { physicalStore });
}
