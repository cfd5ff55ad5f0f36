/**
 * Compact JSON Web Tokens signed with node:crypto, for the push providers' own authentication: RS256 (a
 * Google service account's OAuth2 assertion) and ES256 (an APNs provider token; JOSE wants the raw r||s
 * signature, not DER).
 */
import { sign, type KeyObject } from 'node:crypto';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(alg: 'RS256' | 'ES256', header: Record<string, string>, claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64({ alg, typ: 'JWT', ...header })}.${b64(claims)}`;
  const signature = alg === 'RS256' ? sign('sha256', Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
