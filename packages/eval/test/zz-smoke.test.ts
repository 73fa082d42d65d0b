import { it, vi } from 'vitest';
vi.mock('../src/parser', async () => {
  const lang = await import('@m/lang');
  return { parseWithScope: (source: string, file: string, basePath: string, scope: any) => {
    const r = (lang as any).parse(source, { file, basePath, scope });
    if (r.errors.length) throw r.errors[0];
    return r.ast;
  } };
});
import { createEvaluator } from '../src/index';
import { createStoreTestIO } from './store-test-io';
import { readFileSync } from 'node:fs';
it('smoke', () => {
  const io = createStoreTestIO();
  const ev = createEvaluator({ io, nixPath: [], storeDir: '/nix/store' });
  for (const e of readFileSync('/tmp/exprs.txt','utf8').split('\n').filter(Boolean)) {
    try {
      const v = ev.evalString(e, '/tmp', '«string»');
      console.log(ev.printValue(ev.forceDeep(v), { strict: true }));
    } catch (x: any) { console.log('ERR', x.code, x.message, JSON.stringify(x.pos), JSON.stringify(x.trace)); }
  }
});
