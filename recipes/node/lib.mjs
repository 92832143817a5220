// The same RSA-OAEP-256 + A256GCM exchange with a JOSE library: panva/jose.
//
//   recipes/run node-lib encrypt PUBLIC_JWK_FILE  < plaintext > token
//   recipes/run node-lib decrypt PRIVATE_JWK_FILE < token > plaintext
//   recipes/run node-lib kyc BASE_URL
//
// What stages.mjs spells out, jose does inside CompactEncrypt / compactDecrypt. What stays the
// caller's job, library or not: the allow-lists on every call, the key's use/alg/size checked,
// every JSON text read strictly (no member name twice, at most 32 deep, no lone surrogate), the
// recipient's kid in the header, fresh jti/exp, the answer's iss, aud, exp, iat and in_reply_to
// checked, and bounded reads. The keys `kyc` makes are DEMO keys.

import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as jose from 'jose';

const ALG = 'RSA-OAEP-256';
const ENC = 'A256GCM';
const AUDIENCE = 'jwe-steps-practice';
const LIFETIME = 120;
const SKEW = 30;
const ANSWER_LIFETIME = 300; // the most seconds from an answer's iat to its exp (the server's own bound)
const MAX_BODY = 1 << 20; // the most of an answer read; larger is refused (the API takes <= 64 KiB)
const MAX_INPUT = 1 << 20; // the most of a JWK file or of a plaintext on stdin read; larger is refused
const MAX_TOKEN = 3 << 19; // a token of MAX_INPUT plaintext bytes fits: 4/3 of it + header, key, IV, tag
const MAX_DEPTH = 32; // the deepest JSON nesting accepted in any JSON read (a JWKS is 3 deep)
const MAX_BITS = 16384; // the largest RSA modulus accepted; RSA work grows with its size
const ERROR_CODE = /^[a-z0-9._]{1,64}$/; // the form of the server's error codes, e.g. replay.jti_seen
const CLIENT_ID = /^[!-~]{1,256}$/; // a client_id we accept: visible ASCII, as a header value must be
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
// maxDecompressedLength: 0 makes jose refuse a 'zip' JWE instead of inflating it (by default up
// to 250 kB); decrypt() below also refuses one from its header, before jose opens it.
const DECRYPT_OPTIONS = {
  keyManagementAlgorithms: [ALG],
  contentEncryptionAlgorithms: [ENC],
  maxDecompressedLength: 0,
};

class RecipeError extends Error {
  constructor(stage, message) {
    super(`${stage}: ${message}`);
  }
}

// ---- What a careful integrator adds around the library: jose opens what WebCrypto and its own
// parser accept, and those are more lenient than a partner's input deserves. Each check below
// stops a case a fuzzing pass found jose (or WebCrypto under it) taking, or failing on with a
// stack trace.

// Strict base64url (RFC 7515 §2, RFC 7516 §7.1): only A-Z a-z 0-9 - _, no padding, no spaces or
// line breaks, canonical trailing bits. jose's decoder skips whitespace and takes '=', so one
// token could be spelled many ways (and pass a replay cache that keys on its text).
function strictB64url(text, what) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new RecipeError('base64url', `${what} is not unpadded base64url`);
  }
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new RecipeError('base64url', `${what} has non-canonical trailing bits`);
  return bytes;
}

const uint = (bytes) => BigInt(`0x${bytes.toString('hex') || '0'}`); // big-endian, RFC 7518 §6.3

// UTF-8 bytes to a JSON object, or a json error naming `what`. ignoreBOM: true keeps a byte order
// mark for JSON.parse to refuse (RFC 8259 §8.1: none is sent); by default TextDecoder drops it,
// and one header or key would have two spellings. JSON.parse checks the syntax and refuses data
// after the value, but keeps the lexically last of duplicate members (RFC 7515 §4 allows that,
// or refusing them): two readers that keep different duplicates see two different headers,
// claims or keys, so checkMembers refuses them. Every JSON text this recipe reads comes here.
function jsonObject(bytes, what) {
  let text;
  let value;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    value = JSON.parse(text);
  } catch {
    throw new RecipeError('json', `${what} is not UTF-8 JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RecipeError('json', `${what} is not a JSON object`);
  }
  checkMembers(text, what);
  if (!wellFormed(value)) throw new RecipeError('json', `${what} holds a \\u escape of a lone surrogate`);
  return value;
}

// Whether every string in a parsed value, member names too, is Unicode text: a \uD800-\uDFFF
// escape that is not half of a pair is no character (RFC 8259 §8.2). JSON.parse keeps it, other
// readers make it U+FFFD or "?", so two readers would see two values. (At most MAX_DEPTH deep.)
function wellFormed(value) {
  if (typeof value === 'string') return value.isWellFormed();
  if (value === null || typeof value !== 'object') return true;
  return Object.entries(value).every(([name, item]) => name.isWellFormed() && wellFormed(item));
}

// A second pass over text JSON.parse has accepted (so every string is closed): refuse a member
// name given twice in one object, and nesting deeper than MAX_DEPTH. JSON.parse takes any depth;
// what works on the value after it (jose copies a JWKS with structuredClone) need not.
function checkMembers(text, what) {
  const open = []; // per open object the Set of its member names so far, per open array null
  let nameNext = false; // the next string is a member name
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') {
      open.push(c === '{' ? new Set() : null);
      if (open.length > MAX_DEPTH) throw new RecipeError('json', `${what} is nested more than ${MAX_DEPTH} deep`);
      nameNext = c === '{';
    } else if (c === '}' || c === ']') {
      open.pop();
      nameNext = false;
    } else if (c === ',') {
      nameNext = open.at(-1) !== null;
    } else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (nameNext) {
        const name = JSON.parse(text.slice(i, end + 1)); // "\u0061" and "a" are one name
        if (open.at(-1).has(name)) throw new RecipeError('json', `${what} has a member name twice`);
        open.at(-1).add(name);
        nameNext = false;
      }
      i = end;
    }
  }
}

// RFC 7517 §4.3: `key_ops`, when present, is an array of strings that must allow this operation.
// RSA-OAEP wraps the CEK, so "wrapKey" / "unwrapKey" allow it as "encrypt" / "decrypt" do.
function checkKeyOps(jwk, allowed) {
  if (!('key_ops' in jwk)) return;
  const ops = jwk.key_ops;
  if (!Array.isArray(ops) || !ops.every((op) => typeof op === 'string')) {
    throw new RecipeError('jwk', "the JWK's key_ops is not an array of strings");
  }
  if (!ops.some((op) => allowed.includes(op))) {
    throw new RecipeError('jwk', `the JWK's key_ops do not allow ${allowed.join(' or ')}`);
  }
}

// RFC 8017 §3.1: n odd and 1 < e < n with e odd, checked from the JWK before jose and WebCrypto
// see it: they fail on an even n or a bad e with a stack trace, take e = 1 (the CEK then only
// OAEP-masked: anyone unmasks it), and a huge n keeps them busy (a 200 000-bit n: 35 s).
function checkPublicNumbers(n, e) {
  const bits = n.toString(2).length;
  if (bits < 2048 || bits > MAX_BITS) {
    throw new RecipeError('jwk', `expected an RSA key of 2048 to ${MAX_BITS} bits, found ${bits}`);
  }
  if (n % 2n === 0n) throw new RecipeError('jwk', 'the modulus n is even: it is no RSA modulus');
  if (e <= 1n || e >= n || e % 2n === 0n) throw new RecipeError('jwk', 'expected an odd public exponent e, 1 < e < n');
}

// RFC 8017 §3.2: the members of a private JWK must make one RSA key. Neither jose nor WebCrypto
// checks them, and OpenSSL beneath falls back to d when a CRT result is wrong: a wrong dp or qi,
// a wrong d beside right CRT members, p and q swapped, each still decrypts. BigInt only, after
// checkPublicNumbers has capped n; every member below n first, so a huge d is refused at once
// and no product below exceeds 2 * MAX_BITS bits.
function checkPrivateNumbers({ n, e, d, p, q, dp, dq, qi }) {
  if (![d, p, q, dp, dq, qi].every((x) => x < n)) {
    throw new RecipeError('jwk', 'a private member of the JWK is not below its modulus n');
  }
  if (p < 2n || q < 2n || p * q !== n) throw new RecipeError('jwk', "the JWK's p times q is not n");
  let [a, b] = [p - 1n, q - 1n];
  while (b > 0n) [a, b] = [b, a % b]; // Euclid: a becomes gcd(p - 1, q - 1)
  const lambda = ((p - 1n) * (q - 1n)) / a; // λ(n) = lcm(p - 1, q - 1)
  if ((d * e) % lambda !== 1n) throw new RecipeError('jwk', "the JWK's d is not the inverse of e mod λ(n)");
  if (dp !== d % (p - 1n) || dq !== d % (q - 1n)) {
    throw new RecipeError('jwk', "the JWK's dp and dq are not d mod (p - 1) and d mod (q - 1)");
  }
  if (qi >= p || (qi * q) % p !== 1n) throw new RecipeError('jwk', "the JWK's qi is not the inverse of q mod p");
}

// An RSA JWK for RSA-OAEP-256, refused unless kty, use, alg, key_ops, size (and kid) fit, and a
// private one unless its members make one key.
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
  checkKeyOps(jwk, isPrivate ? ['decrypt', 'unwrapKey'] : ['encrypt', 'wrapKey']);
  // Every number a base64url string (jose would take a JSON number for e or d), n and e sound.
  const numbers = {};
  for (const name of isPrivate ? ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] : ['n', 'e']) {
    if (typeof jwk[name] !== 'string' || jwk[name] === '') {
      throw new RecipeError('jwk', `the JWK has no string member '${name}'`);
    }
    numbers[name] = uint(strictB64url(jwk[name], `the JWK's '${name}'`));
  }
  checkPublicNumbers(numbers.n, numbers.e); // the size first: the checks below take time with it
  if (isPrivate) checkPrivateNumbers(numbers);
  // jose gives the CryptoKey the JWK's key_ops as its usages, then asks it to 'encrypt' or
  // 'decrypt': a key that says "wrapKey" would fail. key_ops is checked above; import without it.
  const withoutKeyOps = { ...jwk };
  delete withoutKeyOps.key_ops;
  let key;
  try {
    key = await jose.importJWK(withoutKeyOps, ALG);
  } catch {
    throw new RecipeError('jwk', 'the JWK is not a valid RSA key');
  }
  return { key, kid: typeof jwk.kid === 'string' ? jwk.kid : null };
}

async function encrypt(plaintext, { key, kid }, cty = null) {
  const header = { alg: ALG, enc: ENC, kid, ...(cty ? { cty } : {}) };
  return new jose.CompactEncrypt(plaintext).setProtectedHeader(header).encrypt(key);
}

// The token checked before jose opens it, each failure named by its stage: five parts
// (RFC 7516 §7.1), strict base64url, the header strict UTF-8 JSON (no byte order mark, no member
// name twice), the one alg and enc allowed, no zip and no crit (RFC 7516 §4.1.13: this recipe
// understands no extension), this key's kid, and the IV and tag sizes of A256GCM (RFC 7518 §5.3:
// 96 and 128 bits). The header and the encrypted key are returned.
function checkedToken(token, kid) {
  const parts = token.split('.');
  if (parts.length !== 5) throw new RecipeError('parse', `expected 5 parts in a compact JWE, found ${parts.length}`);
  const names = ['protected header', 'encrypted key', 'IV', 'ciphertext', 'tag'];
  const [headerBytes, encryptedKey, iv, , tag] = parts.map((part, i) => strictB64url(part, names[i]));
  const header = jsonObject(headerBytes, 'the protected header');
  if (header.alg !== ALG || header.enc !== ENC) {
    throw new RecipeError('header', `expected alg ${ALG} and enc ${ENC}, found another pair`);
  }
  // No 'zip' (RFC 8725 §3.6): inflating what a partner sends invites a decompression bomb.
  if ('zip' in header) throw new RecipeError('header', "a compressed JWE ('zip') is refused");
  if ('crit' in header) throw new RecipeError('header', "a JWE with critical extensions ('crit') is refused");
  if (kid !== null && header.kid !== kid) throw new RecipeError('header', "the token's kid is not this key's kid");
  if (iv.length !== 12 || tag.length !== 16) throw new RecipeError('parse', 'expected a 12-byte IV and a 16-byte tag');
  return { header, encryptedKey };
}

async function decrypt(token, { key, kid }) {
  const { encryptedKey } = checkedToken(token, kid);
  // What is left to fail is the key unwrap or the tag: one answer for both (RFC 7516 §11.5).
  const failure = new RecipeError('decrypt', 'the token does not decrypt with this key');
  // RFC 8017 §7.1.2 step 1: the encrypted key is exactly k bytes, k the modulus's length in
  // bytes. WebCrypto (OpenSSL) also opens one whose leading zero byte was dropped: a second
  // spelling of the same token, so the length is checked here, before jose.
  if (encryptedKey.length !== Math.ceil(key.algorithm.modulusLength / 8)) throw failure;
  try {
    return await jose.compactDecrypt(token, key, DECRYPT_OPTIONS);
  } catch {
    throw failure;
  }
}

const TIMEOUT_MS = 10_000; // the most a whole HTTP call may take: connect, send, the answer's head and body

// One deadline for the whole call, and at most MAX_BODY + 1 bytes of the answer (one more than
// allowed, so that a longer answer shows as too long without being read to its end). fetch's
// signal alone is not enough: once the answer's head has arrived, Node's fetch may lose its link
// to the signal and go on reading a body that trickles in for ever. So at the deadline the body
// is cancelled here too.
async function http(method, url, body, headers) {
  const late = new RecipeError('http', `${method} ${url} took longer than ${TIMEOUT_MS / 1000} s`);
  const controller = new AbortController();
  let reader;
  const timer = setTimeout(() => {
    controller.abort(late); // before the answer's head: fetch rejects
    reader?.cancel(late).catch(() => {}); // after it: the body stops
  }, TIMEOUT_MS);
  try {
    const response = await fetch(url, { method, body, headers, signal: controller.signal, redirect: 'manual' });
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
    if (size > MAX_BODY) throw new RecipeError('api', `${method} ${url}: the answer is larger than ${MAX_BODY} bytes`);
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    return { status: response.status, mediaType, bytes: Buffer.concat(chunks) };
  } catch (error) {
    if (controller.signal.aborted) throw late;
    if (error instanceof RecipeError) throw error;
    throw new RecipeError('http', `${method} ${url} failed: ${error.name}`);
  } finally {
    clearTimeout(timer);
  }
}

// Refuses (stage api) an answer without this status and media type: a JWKS or a registration
// answer served as text/html, say, is not the API's answer, whatever its body parses as.
function expect(answer, status, mediaType) {
  if (answer.status !== status) throw apiError(answer, status);
  if (answer.mediaType !== mediaType) {
    throw new RecipeError('api', `the practice server answered ${status} but not ${mediaType}`);
  }
}

// The server's JSON error {"error": {"code", "stage", "message"}}: its code is shown only when it
// has the documented form, never the server's own text, since a newline or a terminal escape in
// it would write lines of the server's choosing on our stderr. A success status other than the
// one expected carries no error code: it is named as what it is. An error body with a member
// name twice shows no code either: a client that acts on the code (fetches the JWKS again on
// key.kid_unknown) must read the one the server meant.
function apiError({ status, bytes }, expected) {
  if (status >= 200 && status < 300) {
    return new RecipeError('api', `the practice server answered ${status}, not the expected ${expected}`);
  }
  let code;
  try {
    code = jsonObject(bytes, 'the error answer').error?.code;
  } catch {
    // not the documented error shape
  }
  const what = typeof code === 'string' && ERROR_CODE.test(code) ? `code '${code}'` : 'an unreadable error code';
  return new RecipeError('api', `the practice server answered ${status} with ${what}`);
}

// Whether the named members of a JWS payload (base64url JSON) are written as integers. To see
// how a number was written, the text is parsed once more with each number that has a fraction
// or an exponent made a string; strings are matched whole first, so digits in them stay alone.
function integersWritten(payload, names) {
  const token = /"(?:[^"\\]|\\.)*"|(-?\d[\d.eE+-]*)/g;
  const text = Buffer.from(payload, 'base64url').toString('utf8');
  const marked = text.replace(token, (match, number) => (number && /[.eE]/.test(number) ? '"not an integer"' : match));
  const written = JSON.parse(marked);
  return names.every((name) => Number.isSafeInteger(written[name]));
}

// The base URL, before any connection: https:// to any host, http:// only to this machine. The
// JWKS fetched from it is our only source of the server's keys; over plain http to another host
// anyone on the path could swap it for their own. Hosts as the WHATWG URL parser (which fetch
// uses too) writes them, so "127.1" is already "127.0.0.1" here. No user or password (they end up
// in logs; in "http://127.0.0.1@evil/" the host is evil), no query and no fragment (the API's
// paths would land after them); the parser drops an empty "@" and keeps an empty "?" or "#"
// only in href, so those are looked for in the text and in href.
function baseUrlOf(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new RecipeError('url', 'the base URL is not a URL');
  }
  const loopback = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)$/.test(url.hostname);
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw new RecipeError('url', 'the base URL must be https://, or http:// to 127.0.0.0/8, [::1] or localhost');
  }
  const userinfo = /^[^:/?#]*:[/\\]*[^/\\?#]*@/.test(text); // an "@" before the host's end
  if (url.username || url.password || userinfo || url.href.includes('?') || url.href.includes('#')) {
    throw new RecipeError('url', 'the base URL must have no user, password, query or fragment');
  }
  // fetch connects directly, and a call to this machine must: no proxy sees the practice API's
  // traffic. Newer Node (22.21, 24) sends fetch through HTTP(S)_PROXY when NODE_USE_ENV_PROXY=1
  // or --use-env-proxy is set, loopback too unless NO_PROXY names it; then this is refused.
  const env = process.env;
  const optIn = env.NODE_USE_ENV_PROXY === '1' || `${process.execArgv} ${env.NODE_OPTIONS}`.includes('--use-env-proxy');
  const proxy = url.protocol === 'http:' ? (env.HTTP_PROXY ?? env.http_proxy) : (env.HTTPS_PROXY ?? env.https_proxy);
  if (loopback && optIn && proxy) {
    throw new RecipeError('url', 'NODE_USE_ENV_PROXY (--use-env-proxy) may send this loopback call through a proxy');
  }
  return url.href.replace(/\/+$/, '');
}

// A JWKS entry that is a JSON object (a JWK can be nothing else); other entries are skipped.
const isJwkObject = (k) => k !== null && typeof k === 'object' && !Array.isArray(k);

// Whether a JWK's public members make a key (for RSA, of >= 2048 bits), read by Node's crypto.
function loads(jwk) {
  try {
    const key = crypto.createPublicKey({ key: publicMembers(jwk), format: 'jwk' });
    return key.asymmetricKeyType !== 'rsa' || key.asymmetricKeyDetails.modulusLength >= 2048;
  } catch {
    return false;
  }
}

// The members that make a JWK's public key: kty and its curve or modulus and exponent.
const publicMembers = ({ kty, crv, x, y, n, e }) => ({ kty, crv, x, y, n, e });

// The server's encryption key: the first entry with use "enc" that rsaKey accepts (RSA, alg
// RSA-OAEP-256 or none, a kid, a key that loads, >= 2048 bits); the first listed is the server's
// current key. An entry this recipe cannot use (no object, another kty or alg, a broken key) is
// skipped.
async function encryptionKey(keys) {
  for (const jwk of keys.filter((k) => isJwkObject(k) && k.use === 'enc')) {
    try {
      return await rsaKey(jwk, { isPrivate: false });
    } catch (error) {
      if (!(error instanceof RecipeError)) throw error;
    }
  }
  throw new RecipeError('jwks', "the server's JWKS has no usable encryption key");
}

async function kyc(baseUrl) {
  const base = baseUrlOf(baseUrl);
  const tag = crypto.randomBytes(4).toString('hex');
  // Fresh DEMO keys: RSA-2048 to receive encrypted answers, P-256 to sign requests.
  const enc = await jose.generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
  const sig = await jose.generateKeyPair('ES256', { extractable: true });
  const encKid = `demo-node-lib-enc-${tag}`;
  const sigKid = `demo-node-lib-sig-${tag}`;

  // One JWKS fetch per run: this program makes one call and exits. A long-running client would
  // keep the JWKS for its answer's Cache-Control max-age, but at most 3600 s (60 s when none is
  // given), and fetch it again early, once, when an answer's signing kid is not in it or the
  // server answers key.kid_unknown or api.key_retired (a key rotation), but at most once per 30 s,
  // so that a stream of unknown kids cannot make it fetch without end.
  let answer = await http('GET', `${base}/.well-known/jwks.json`);
  expect(answer, 200, 'application/json');
  const { keys } = jsonObject(answer.bytes, "the server's JWKS");
  if (!Array.isArray(keys)) throw new RecipeError('jwks', 'the server\'s JWKS is not {"keys": [...]}');
  const server = await encryptionKey(keys);
  // Only the server's signing keys may verify its answers; the JWS kid picks one (by kid, and the
  // kty and crv the alg needs), and two entries that fit are refused as ambiguous. jose loads only
  // the key it picks, and refuses a whole JWKS with one entry that is no object, so entries that
  // are no object or do not load as a public key (an RSA one of >= 2048 bits) are left out here:
  // skipped, as RFC 7517 §5 asks, and never counted as a second key under a kid.
  let serverSigning;
  try {
    serverSigning = jose.createLocalJWKSet({ keys: keys.filter((k) => isJwkObject(k) && k.use === 'sig' && loads(k)) });
  } catch {
    throw new RecipeError('jwks', "the server's signing keys do not form a JWKS");
  }

  const publicJwks = {
    keys: [
      { ...(await jose.exportJWK(enc.publicKey)), kid: encKid, use: 'enc', alg: ALG },
      { ...(await jose.exportJWK(sig.publicKey)), kid: sigKid, use: 'sig', alg: 'ES256' },
    ],
  };
  answer = await http('POST', `${base}/v1/clients`, JSON.stringify({ jwks: publicJwks }), {
    'Content-Type': 'application/json',
  });
  expect(answer, 201, 'application/json');
  const clientId = jsonObject(answer.bytes, 'the registration answer').client_id;
  // It goes into a header (X-Client-Id): visible ASCII only, so no CR/LF can add a header line.
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) {
    throw new RecipeError('api', 'the registration answer has no client_id of 1 to 256 visible ASCII characters');
  }

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
  expect(answer, 200, 'application/jose');
  const signedAnswer = await signedAnswerOf(answer.bytes, { key: enc.privateKey, kid: encKid });
  return verifiedClaims(signedAnswer, serverSigning, clientId, jti);
}

// The answer must be signed, then encrypted: a JWE whose cty says its plaintext is a JWT ("JWT"
// or "application/jwt", in any case: RFC 7515 §4.1.10), and that plaintext a JWS whose header is
// strict JSON and names a kid. A JWE of bare claims could come from anyone: our key is public.
async function signedAnswerOf(bytes, receiver) {
  const opened = await decrypt(bytes.toString('latin1').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''), receiver);
  const { cty } = opened.protectedHeader;
  if (typeof cty !== 'string' || cty.toLowerCase().replace(/^application\//, '') !== 'jwt') {
    throw new RecipeError('header', "the answer's JWE does not say cty 'JWT'");
  }
  // A JWS is ASCII: latin1 keeps any other byte, a byte order mark too, for jose to refuse; a
  // default TextDecoder would drop the mark and take the rest.
  const signedAnswer = Buffer.from(opened.plaintext).toString('latin1');
  // jose reads the JWS header with JSON.parse, which keeps the last of a member given twice (a
  // second typ or kid): read strictly here first, as the stage recipe reads it.
  const parts = signedAnswer.split('.');
  if (parts.length === 3) jsonObject(strictB64url(parts[0], "the answer's JWS header"), "the answer's JWS header");
  let header;
  try {
    header = jose.decodeProtectedHeader(signedAnswer);
  } catch {
    throw new RecipeError('jws', "the answer's plaintext is not a JWS");
  }
  // No member beyond alg, kid and typ: no crit, no b64, no embedded jwk / jku / x5u / x5c (the
  // key comes from the server's JWKS alone), as the stage recipe has it.
  if (Object.keys(header).some((name) => !['alg', 'kid', 'typ'].includes(name))) {
    throw new RecipeError('jws', "the answer's JWS header has members beyond alg, kid and typ");
  }
  const { kid } = header;
  // Without a kid, jose would try any signing key that fits the alg; the kid must name one.
  if (typeof kid !== 'string' || kid === '') throw new RecipeError('jws', "the answer's JWS header has no kid");
  return signedAnswer;
}

// A jose failure as a RecipeError: jose's own codes and claim names (ERR_JWT_EXPIRED, "nbf"),
// never text from the token. The stage: claims for a claim (typ is the JWS header's), jwks for
// two keys that fit, else jws.
function joseFailure(error) {
  const why = error.claim ? `${error.code} on ${error.claim}` : (error.code ?? error.name);
  const twins = error.code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS';
  const stage = error.claim && error.claim !== 'typ' ? 'claims' : twins ? 'jwks' : 'jws';
  return new RecipeError(stage, `the server's answer fails jose's checks (${why})`);
}

// The answer's JWS verified by jose with the server's signing key its kid names, then what jose
// leaves to us: claims that are strict JSON, integer dates, no iat ahead, a bounded lifetime, and
// in_reply_to this request's jti. Returns the claims.
async function verifiedClaims(signedAnswer, serverSigning, clientId, jti) {
  const options = { algorithms: ['PS256', 'ES256'] };
  // The signature alone first: jwtVerify also refuses claims that are no JSON object, under the
  // same ERR_JWT_INVALID as a malformed JWS, and the two are different mistakes.
  try {
    await jose.compactVerify(signedAnswer, serverSigning, options);
  } catch (error) {
    throw joseFailure(error);
  }
  // jose reads the claims with JSON.parse, which keeps the last of a member given twice: a second
  // "iss" or "pan" that another reader of the same answer would not see. The signed payload (its
  // middle part, three parts now that jose has verified it) is read strictly before jose reads it.
  const encodedPayload = signedAnswer.split('.')[1];
  jsonObject(strictB64url(encodedPayload, "the answer's JWT claims set"), "the answer's JWT claims set");
  let verified;
  try {
    verified = await jose.jwtVerify(signedAnswer, serverSigning, {
      ...options,
      typ: 'JWT', // RFC 8725 §3.11: another kind of token signed by the same key is no answer
      issuer: AUDIENCE,
      audience: clientId,
      // for exp (expired when exp <= now - SKEW: RFC 7519 §4.1.4 "on or after") and nbf; jose
      // checks iat only with maxTokenAge: see below
      clockTolerance: SKEW,
      requiredClaims: ['iat', 'exp', 'in_reply_to'],
    });
  } catch (error) {
    throw joseFailure(error);
  }
  // exp, iat and nbf must be JSON integers as written: jose takes any number, and JSON.parse
  // reads 1.0 and 1e9 as integers, so the payload's text is looked at here once more.
  const dates = ['exp', 'iat', ...('nbf' in verified.payload ? ['nbf'] : [])];
  if (!integersWritten(encodedPayload, dates)) {
    throw new RecipeError('claims', 'the answer lacks integer exp and iat, or has an nbf that is no integer');
  }
  // An answer dated ahead, or made to live long, could be kept and replayed for that long.
  const { iat, exp } = verified.payload;
  if (iat - SKEW > Math.floor(Date.now() / 1000)) {
    throw new RecipeError('claims', 'the answer is dated in the future (iat)');
  }
  if (!(exp - iat > 0 && exp - iat <= ANSWER_LIFETIME)) { // expiring before it was issued, too
    throw new RecipeError('claims', `the answer's exp - iat is not 1 to ${ANSWER_LIFETIME} s`);
  }
  if (verified.payload.in_reply_to !== jti) {
    throw new RecipeError('claims', "the answer does not reply to this request's jti"); // to *this* request
  }
  return verified.payload;
}

// At most limit + 1 bytes of a file or of stdin (fd 0): one more than allowed shows a longer
// input as too long without reading it to its end (`encrypt /dev/zero` stops at once).
async function readBounded(source, limit, what, stage) {
  const chunks = [];
  let size = 0;
  try {
    const end = limit; // `end` is the index of the last byte read: limit + 1 bytes at most
    const stream =
      typeof source === 'number' ? createReadStream(null, { fd: source, end }) : createReadStream(source, { end });
    for await (const chunk of stream) {
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch (error) {
    throw new RecipeError(stage, `cannot read ${what}: ${error.code ?? error.name}`);
  }
  if (size > limit) throw new RecipeError(stage, `${what} is larger than ${limit} bytes`);
  return Buffer.concat(chunks);
}

// The key file: a strict JSON object of UTF-8, or a json error, as for a token's header; whether
// that object is a usable key is rsaKey's question (a jwk error).
async function readJsonFile(path) {
  return jsonObject(await readBounded(path, MAX_INPUT, path, 'jwk'), `the JWK in ${path}`);
}

// Write to stdout and wait until it is written: a write that fails (a full disk: ENOSPC; a reader
// that has gone: EPIPE) is an error of its own, not a stack trace, nor lost with exit status 0.
function writeStdout(data) {
  return new Promise((resolve, reject) => {
    const fail = (error) => reject(new RecipeError('output', `cannot write to stdout: ${error.code ?? error.name}`));
    process.stdout.once('error', fail); // a pipe reports its failure here, asynchronously
    try {
      process.stdout.write(data, (error) => (error ? fail(error) : resolve()));
    } catch (error) {
      fail(error); // a file (stdout > /dev/full) is written synchronously and throws
    }
  });
}

async function main(argv) {
  if (argv.length !== 2 || !['encrypt', 'decrypt', 'kyc'].includes(argv[0])) {
    process.stderr.write('usage: lib.mjs encrypt PUBLIC_JWK | decrypt PRIVATE_JWK | kyc BASE_URL\n');
    return 2;
  }
  const [command, argument] = argv;
  try {
    if (command === 'encrypt') {
      const recipient = await rsaKey(await readJsonFile(argument), { isPrivate: false });
      await writeStdout(`${await encrypt(await readBounded(0, MAX_INPUT, 'stdin', 'input'), recipient)}\n`);
    } else if (command === 'decrypt') {
      const recipient = await rsaKey(await readJsonFile(argument), { isPrivate: true });
      const token = (await readBounded(0, MAX_TOKEN, 'stdin', 'input')).toString('latin1').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      await writeStdout((await decrypt(token, recipient)).plaintext);
    } else {
      await writeStdout(`${JSON.stringify(await kyc(argument), null, 2)}\n`);
    }
  } catch (error) {
    if (!(error instanceof RecipeError)) throw error;
    process.stderr.write(`node-lib recipe: ${error.message}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
