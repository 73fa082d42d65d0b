/**
 * Issue 10, item 3: secretsForAwsFromEnv, secretsForEnvFromSops (age and gpg manifests),
 * secretsForTerraformFromEnv, envVars exported when the script runs; the store is grepped for every
 * secret value.
 * The project is tests/makes/issue10-fixture.ts's.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { mIsBuilt } from '../lib/run';
import { useCatalogueProject, filesContaining, SECRETS } from './issue10-fixture';

const proj = useCatalogueProject('m-issue10-secrets-', { keys: true });
const { m, storeRoot } = proj;

describe.skipIf(!mIsBuilt())('issue 10: secrets and env vars (item 3)', () => {
  it('secrets and env vars are exported at run time and never reach the store', async () => {
    const env = { MY_KEY_ID: 'AKIA-ID', MY_SECRET: SECRETS.aws, DB_PASS: SECRETS.tf, SOPS_AGE_KEY: proj.ageKey };
    const r = await m(['.', '/secrets'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`aws=AKIA-ID:${SECRETS.aws}:us-east-1\n`);
    expect(r.stdout).toContain(`sops=${SECRETS.sops}:${SECRETS.token}\n`);
    expect(r.stdout).toContain(`tf=${SECRETS.tf}\n`);
    expect(r.stdout).toContain('env=hello there\n');
    expect(r.stderr).toContain('[INFO] - AWS_SECRET_ACCESS_KEY from MY_SECRET');
    const gpg = await m(['.', '/gpg'], { GNUPGHOME: proj.gnupgHome });
    expect(gpg.code, gpg.stderr).toBe(0);
    expect(gpg.stdout).toContain(`gpg=${SECRETS.gpg}\n`);
    expect(filesContaining(storeRoot, Object.values(SECRETS))).toEqual([]);

    const missing = await m(['.', '/secrets'], { ...env, MY_SECRET: undefined });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[CRITICAL] Env var is required but is empty or not present: MY_SECRET');
    const wrongKey = await m(['.', '/secrets'], { ...env, SOPS_AGE_KEY: execFileSync('age-keygen', { encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] }) });
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.stderr).toMatch(/age: error: no identity matched any of the recipients/);
  }, 360_000);
});
