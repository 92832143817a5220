// The same RSA-OAEP-256 + A256GCM exchange with a JOSE library: panva/jose.
//
//   recipes/run node-lib encrypt PUBLIC_JWK_FILE  < plaintext > token
//   recipes/run node-lib decrypt PRIVATE_JWK_FILE < token > plaintext
//   recipes/run node-lib kyc BASE_URL
//
// What stages.mjs spells out, jose does inside CompactEncrypt / compactDecrypt. What stays the
// caller's job, library or not: the allow-lists on every call, the key's use/alg/size checked,
// the recipient's kid in the header, fresh jti/exp, and the answer's iss, aud, exp and
// in_reply_to checked. The keys `kyc` makes are DEMO keys.

import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as jose from 'jose';

const ALG = 'RSA-OAEP-256';
const ENC = 'A256GCM';
const AUDIENCE = 'jwe-steps-practice';
const LIFETIME = 120;
const SKEW = 30;
const MAX_BODY = 1 << 20; // the most of an answer read; larger is refused (the API takes <= 64 KiB)
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const DECRYPT_OPTIONS = { keyManagementAlgorithms: [ALG], contentEncryptionAlgorithms: [ENC] };

class RecipeError extends Error {
  constructor(stage, message) {
    super(`${stage}: ${message}`);
  }
}

// An RSA JWK for RSA-OAEP-256, refused unless kty, use, alg, size (and kid) fit.
async function rsaKey(jwk, { isPrivate }) {
  if (jwk.kty !== 'RSA' || (jwk.use ?? 'enc') !== 'enc' || (jwk.alg ?? ALG) !== ALG) {
    throw new RecipeError('jwk', `expected an RSA key for use 'enc' with alg ${ALG}`);
  }
  if (PRIVATE_MEMBERS.some((name) => name in jwk) !== isPrivate) {
    throw new RecipeError('jwk', `this is the wrong half of the key pair: need the ${isPrivate ? 'private' : 'public'} JWK`);
  }
  if (!isPrivate && (typeof jwk.kid !== 'string' || jwk.kid === '')) {
    throw new RecipeError('jwk', "the recipient's JWK has no kid");
  }
  let key;
  try {
    key = await jose.importJWK(jwk, ALG);
  } catch {
    throw new RecipeError('jwk', 'the JWK is not a valid RSA key');
  }
  // jose itself refuses RSA keys under 2048 bits; say so before it does.
  const bits = Buffer.from(jwk.n, 'base64url').length * 8;
  if (bits < 2048) throw new RecipeError('jwk', `expected an RSA key of >= 2048 bits, found ${bits}`);
  return { key, kid: typeof jwk.kid === 'string' ? jwk.kid : null };
}

async function encrypt(plaintext, { key, kid }, cty = null) {
  const header = { alg: ALG, enc: ENC, kid, ...(cty ? { cty } : {}) };
  return new jose.CompactEncrypt(plaintext).setProtectedHeader(header).encrypt(key);
}

async function decrypt(token, { key, kid }) {
  let opened;
  try {
    opened = await jose.compactDecrypt(token, key, DECRYPT_OPTIONS);
  } catch {
    throw new RecipeError('decrypt', 'the token does not decrypt with this key');
  }
  if (kid !== null && opened.protectedHeader.kid !== kid) {
    throw new RecipeError('header', "the token's kid is not this key's kid");
  }
  return opened;
}

const TIMEOUT_MS = 10_000; // the most a whole HTTP call may take: connect, send, the answer's head and body

// One deadline for the whole call, and at most MAX_BODY + 1 bytes of the answer (one more than
// allowed, so that a longer answer shows as too long without being read to its end). fetch's
// signal alone is not enough: once the answer's head has arrived, Node's fetch may lose its link
// to the signal and go on reading a body that trickles in for ever. So at the deadline the body
// is cancelled here too.
async function http(method, url, body, headers) {
  if (!/^https?:\/\//.test(url)) throw new RecipeError('http', 'the base URL must start with http:// or https://');
  const late = new RecipeError('http', `${method} ${url} took longer than ${TIMEOUT_MS / 1000} s`);
  const controller = new AbortController();
  let reader;
  const timer = setTimeout(() => {
    controller.abort(late); // before the answer's head: fetch rejects
    reader?.cancel(late).catch(() => {}); // after it: the body stops
  }, TIMEOUT_MS);
  try {
    const response = await fetch(url, { method, body, headers, signal: controller.signal, redirect: 'error' });
    reader = response.body?.getReader();
    const chunks = [];
    let size = 0;
    while (reader && size <= MAX_BODY && !controller.signal.aborted) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
    if (controller.signal.aborted) throw late;
    await reader?.cancel(); // the rest of a too-long answer is not downloaded
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    return { status: response.status, mediaType, bytes: Buffer.concat(chunks).subarray(0, MAX_BODY + 1) };
  } catch (error) {
    if (controller.signal.aborted) throw late;
    throw new RecipeError('http', `${method} ${url} failed: ${error.name}`);
  } finally {
    clearTimeout(timer);
  }
}

// An answer's JSON object, or a RecipeError (never an uncaught error that prints the answer).
function answerJson(bytes, what) {
  let value;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new RecipeError('json', `${what} is not UTF-8 JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RecipeError('json', `${what} is not a JSON object`);
  }
  return value;
}

function apiError({ status, bytes }) {
  let code = 'unknown';
  try {
    code = JSON.parse(bytes.toString('utf8')).error.code ?? code;
  } catch {
    // not the documented error shape
  }
  return new RecipeError('api', `the practice server answered ${status} with code '${code}'`);
}

async function kyc(baseUrl) {
  const base = baseUrl.replace(/\/+$/, '');
  const tag = crypto.randomBytes(4).toString('hex');
  // Fresh DEMO keys: RSA-2048 to receive encrypted answers, P-256 to sign requests.
  const enc = await jose.generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
  const sig = await jose.generateKeyPair('ES256', { extractable: true });
  const encKid = `demo-node-lib-enc-${tag}`;
  const sigKid = `demo-node-lib-sig-${tag}`;

  // One JWKS fetch per run. A long-lived client caches it for its Cache-Control max-age
  // and fetches it again, once, on key.kid_unknown or api.key_retired (a key rotation).
  let answer = await http('GET', `${base}/.well-known/jwks.json`);
  if (answer.status !== 200) throw apiError(answer);
  const serverJwks = answerJson(answer.bytes, "the server's JWKS");
  const keys = Array.isArray(serverJwks.keys) ? serverJwks.keys.filter((k) => k && typeof k === 'object') : [];
  const serverEncJwk = keys.find((k) => k.use === 'enc'); // the first listed is the current key
  if (!serverEncJwk) throw new RecipeError('jwks', "the server's JWKS has no encryption key");
  const server = await rsaKey(serverEncJwk, { isPrivate: false });
  // Only the server's signing keys may verify its answers; the JWS kid picks one.
  const serverSigning = jose.createLocalJWKSet({ keys: keys.filter((k) => k.use === 'sig') });

  const publicJwks = {
    keys: [
      { ...(await jose.exportJWK(enc.publicKey)), kid: encKid, use: 'enc', alg: ALG },
      { ...(await jose.exportJWK(sig.publicKey)), kid: sigKid, use: 'sig', alg: 'ES256' },
    ],
  };
  answer = await http('POST', `${base}/v1/clients`, JSON.stringify({ jwks: publicJwks }), {
    'Content-Type': 'application/json',
  });
  if (answer.status !== 201) throw apiError(answer);
  const clientId = answerJson(answer.bytes, 'the registration answer').client_id;
  if (typeof clientId !== 'string') throw new RecipeError('api', 'the registration answer has no client_id');

  // Sign (jose writes ES256 as the raw r || s JWS wants), then encrypt with cty "JWT".
  const jti = jose.base64url.encode(crypto.randomBytes(16)); // fresh per request
  const signed = await new jose.SignJWT({ pan: 'ABCDE1234F', name: 'Asha Rao' })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: sigKid })
    .setIssuer(clientId)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME}s`)
    .setJti(jti)
    .sign(sig.privateKey);
  const requestToken = await encrypt(new TextEncoder().encode(signed), server, 'JWT');

  answer = await http('POST', `${base}/v1/kyc/pan`, requestToken, {
    'Content-Type': 'application/jose',
    'X-Client-Id': clientId,
  });
  if (answer.status !== 200 || answer.mediaType !== 'application/jose' || answer.bytes.length > MAX_BODY) {
    throw apiError(answer);
  }
  const opened = await decrypt(answer.bytes.toString('latin1').trim(), { key: enc.privateKey, kid: encKid });
  if (opened.protectedHeader.cty !== 'JWT') throw new RecipeError('header', "the answer's JWE does not say cty 'JWT'");
  let verified;
  try {
    verified = await jose.jwtVerify(new TextDecoder().decode(opened.plaintext), serverSigning, {
      algorithms: ['PS256', 'ES256'],
      issuer: AUDIENCE,
      audience: clientId,
      clockTolerance: SKEW,
      requiredClaims: ['iat', 'exp', 'in_reply_to'],
    });
  } catch (error) {
    throw new RecipeError('jws', `the server's answer fails its signature or claim checks (${error.code})`);
  }
  if (verified.payload.in_reply_to !== jti) {
    throw new RecipeError('claims', "the answer does not reply to this request's jti"); // to *this* request
  }
  return verified.payload;
}

function readJsonFile(path) {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw new RecipeError('jwk', `cannot read a JSON JWK from ${path}`);
}

async function main(argv) {
  if (argv.length !== 2 || !['encrypt', 'decrypt', 'kyc'].includes(argv[0])) {
    process.stderr.write('usage: lib.mjs encrypt PUBLIC_JWK | decrypt PRIVATE_JWK | kyc BASE_URL\n');
    return 2;
  }
  const [command, argument] = argv;
  try {
    if (command === 'encrypt') {
      const recipient = await rsaKey(readJsonFile(argument), { isPrivate: false });
      process.stdout.write(`${await encrypt(readFileSync(0), recipient)}\n`);
    } else if (command === 'decrypt') {
      const recipient = await rsaKey(readJsonFile(argument), { isPrivate: true });
      process.stdout.write((await decrypt(readFileSync(0).toString('latin1').trim(), recipient)).plaintext);
    } else {
      process.stdout.write(`${JSON.stringify(await kyc(argument), null, 2)}\n`);
    }
  } catch (error) {
    if (!(error instanceof RecipeError)) throw error;
    process.stderr.write(`node-lib recipe: ${error.message}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
