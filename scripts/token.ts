/**
 * Mints a development token for a role (the development issuer only — production tokens come from
 * the district's identity provider):
 *   npm run token -- <role> [window=W1] [station=JW-03] [department=civil-affairs] [resident=<ID>] [sub=<who>] [ttl=12h]
 * Uses AUTH_DEV_KEY_FILE (default data/dev-issuer-key.json), the key the hub started with.
 */
import { existsSync } from 'node:fs';
import { DevIssuer, type TokenClaims } from '../src/auth/dev-issuer.js';
import { ROLES, type Role } from '../src/auth/principal.js';

const [role, ...rest] = process.argv.slice(2);
if (!role || !ROLES.includes(role as Role)) {
  process.stderr.write(`usage: npm run token -- <${ROLES.join('|')}> [window=…] [station=…] [department=…] [resident=…] [sub=…] [ttl=12h]\n`);
  process.exit(2);
}
const file = process.env.AUTH_DEV_KEY_FILE || 'data/dev-issuer-key.json';
if (!existsSync(file)) {
  process.stderr.write(`${file} does not exist: start the hub once with the development issuer (npm start)\n`);
  process.exit(1);
}
const claims: Record<string, string> = Object.fromEntries(rest.map((kv) => kv.split('=', 2) as [string, string]));
const { ttl, ...other } = claims;
process.stdout.write((await (await DevIssuer.load(file)).mint({ role: role as Role, ...other } as TokenClaims, ttl ?? '12h')) + '\n');
