import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { ADAPTER_AUDIENCE, HUB_ISSUER, HubKeys } from '../../src/remote/hub-keys.js';

const privateJwk = async (kid: string): Promise<JWK> => ({ ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid });
const verifies = async (token: string, jwks: { keys: JWK[] }) =>
  jwtVerify(token, createLocalJWKSet(jwks as never), { issuer: HUB_ISSUER, audience: ADAPTER_AUDIENCE }).then(() => true, () => false);

describe('hub signing keys', () => {
  it('rotate in two steps without a token that an adapter cannot verify, whichever replica it asks', async () => {
    const [oldKey, newKey] = [await privateJwk('old'), await privateJwk('new')];
    const before = await HubKeys.load(JSON.stringify(oldKey));
    const step1 = await HubKeys.load(JSON.stringify(oldKey), JSON.stringify([newKey])); // publish the next key
    const step2 = await HubKeys.load(JSON.stringify(newKey), JSON.stringify([oldKey])); // sign with it, keep the old published
    const after = await HubKeys.load(JSON.stringify(newKey));
    // during step 1 some replicas are still "before"; during step 2 some are still at step 1
    for (const [signer, jwksFrom] of [[before, step1], [step1, before], [step1, step2], [step2, step1]] as const) {
      expect(await verifies(await signer.sign('housing', 'clerk-1'), jwksFrom.jwks())).toBe(true);
    }
    // skipping a step is what fails
    expect(await verifies(await after.sign('housing', 'clerk-1'), before.jwks())).toBe(false);
    // only public parts are published
    for (const k of step2.jwks().keys) expect(k.d).toBeUndefined();
    expect(step2.jwks().keys.map((k) => k.kid)).toEqual(['new', 'old']);
  });

  it('refuses published keys that are not ES256 JWKs', async () => {
    await expect(HubKeys.load(null, 'not json')).rejects.toThrow(/JSON array of JWKs/);
    await expect(HubKeys.load(null, JSON.stringify([{ kty: 'RSA', n: 'x', e: 'AQAB' }]))).rejects.toThrow(/P-256/);
  });
});
