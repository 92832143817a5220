// RSA-OAEP-256 + A256GCM compact JWE, stage by stage, with node:crypto only (no JOSE library).
//
//   recipes/run node encrypt PUBLIC_JWK_FILE  < plaintext > token
//   recipes/run node decrypt PRIVATE_JWK_FILE < token > plaintext
//   recipes/run node kyc BASE_URL             # a signed-then-encrypted call to the practice API
//
// Each stage is marked `// --- stage: NAME ---` ... `// --- end stage ---` and names its step of
// RFC 7516 §5.1 (encryption) or §5.2 (decryption) and the notebook that opens it up; the
// notebooks show these very lines beside their own cells (jwe_steps.view.recipe_stage).
//
// Written the way a careful integrator ships it: strict JWK and token parsing, one allowed alg
// and enc, the recipient's kid in the header, a fresh jti and a short exp per request, errors on
// stderr with a non-zero exit, nothing secret printed. The keys `kyc` makes are DEMO keys.

import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';

const ALG = 'RSA-OAEP-256';
const ENC = 'A256GCM';
const AUDIENCE = 'jwe-steps-practice'; // the practice server's name in `aud` / `iss`
const LIFETIME = 120; // seconds a request token lives (the server accepts at most 300)
const SKEW = 30; // seconds of clock difference tolerated when checking the answer
const ANSWER_LIFETIME = 300; // the most seconds from an answer's iat to its exp (the server's own bound)
const MAX_BODY = 1 << 20; // the most of an answer read; larger is refused (the API takes <= 64 KiB)
const MAX_INPUT = 1 << 20; // the most of a JWK file or of a plaintext on stdin read; larger is refused
const MAX_TOKEN = 3 << 19; // a token of MAX_INPUT plaintext bytes fits: 4/3 of it + header, key, IV, tag
const MAX_DEPTH = 32; // the deepest JSON nesting accepted (a JWKS is 3 deep)
const MAX_BITS = 16384; // the largest RSA modulus accepted; RSA work grows with its size
const ERROR_CODE = /^[a-z0-9._]{1,64}$/; // the form of the server's error codes, e.g. replay.jti_seen
const CLIENT_ID = /^[!-~]{1,256}$/; // a client_id we accept: visible ASCII, as a header value must be
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

class RecipeError extends Error {
  constructor(stage, message) {
    super(`${stage}: ${message}`);
  }
}

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');

// Strict base64url (RFC 7515 §2): Buffer.from(text, 'base64url') skips bad characters silently,
// so check the alphabet and the canonical form first.
function b64urlDecode(text, what) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new RecipeError('base64url', `${what} is not unpadded base64url`);
  }
  const bytes = Buffer.from(text, 'base64url');
  if (b64url(bytes) !== text) throw new RecipeError('base64url', `${what} has non-canonical trailing bits`);
  return bytes;
}

// Strict JSON: JSON.parse checks the syntax and refuses data after the value, but keeps the
// lexically last of duplicate members (RFC 7515 §4 allows that, or refusing them). Two readers
// that keep different duplicates see two different headers or claims, so they are refused here.
function jsonObject(bytes, what) {
  let text;
  let value;
  try {
    // ignoreBOM: true keeps a byte order mark for JSON.parse to refuse (RFC 8259 §8.1: none is
    // sent); by default TextDecoder drops it, and two readers of one text would disagree.
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
// name twice in one object, and nesting deeper than MAX_DEPTH.
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

// A typ or cty that says JWT: RFC 7515 §4.1.9-10 make "JWT" and "application/jwt" one media
// type, compared without regard to case.
const isJwtType = (value) => typeof value === 'string' && value.toLowerCase().replace(/^application\//, '') === 'jwt';

// A JWKS entry that is a JSON object (a JWK can be nothing else); other entries are skipped.
const isJwkObject = (k) => k !== null && typeof k === 'object' && !Array.isArray(k);

// JSON.parse reads 1.0 and 1e9 as the integers 1 and 1000000000. To see how a number was
// written, the text is parsed once more with each number that has a fraction or an exponent
// made a string; strings are matched whole first, so digits inside them are left alone.
function integersAsWritten(text) {
  const token = /"(?:[^"\\]|\\.)*"|(-?\d[\d.eE+-]*)/g;
  const marked = text.replace(token, (match, number) => (number && /[.eE]/.test(number) ? '"not an integer"' : match));
  return JSON.parse(marked);
}

function member(jwk, name, what) {
  const value = jwk[name];
  if (typeof value !== 'string' || value === '') throw new RecipeError('jwk', `${what} has no string member '${name}'`);
  b64urlDecode(value, `${what} '${name}'`);
  return value;
}

// A JWK member as the unsigned big-endian integer it encodes (RFC 7518 §6.3), as a BigInt.
function uint(jwk, name, what) {
  return BigInt(`0x${Buffer.from(member(jwk, name, what), 'base64url').toString('hex') || '0'}`);
}

const bitLength = (x) => x.toString(2).length;

// A value that came in the input, shown in a message only when it is a short plain name. Anything
// else is left out: a private member pasted into `kty`, or text with newlines and terminal
// escapes that would write lines of its own on stderr.
const isPlainName = (value) => typeof value === 'string' && /^[A-Za-z0-9-]{1,16}$/.test(value);
const shown = (value) => (isPlainName(value) ? `'${value}'` : 'another value');

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

// RFC 8017 §3.1: n is odd (a product of odd primes) and 1 < e < n with e odd. Checked with BigInt
// before node:crypto sees the key: it takes an even n or a bad e and fails later with a stack
// trace, and the size first, as RSA work grows with it (a 200 000-bit n costs it 35 s).
function checkPublicNumbers(n, e) {
  const bits = bitLength(n);
  if (bits < 2048 || bits > MAX_BITS) {
    throw new RecipeError('jwk', `expected an RSA key of 2048 to ${MAX_BITS} bits, found ${bits}`);
  }
  if (n % 2n === 0n) throw new RecipeError('jwk', 'the modulus n is even: it is no RSA modulus');
  // e = 1 leaves the "encrypted" CEK only OAEP-masked: anyone unmasks it.
  if (e <= 1n || e >= n || e % 2n === 0n) throw new RecipeError('jwk', 'expected an odd public exponent e, 1 < e < n');
}

// --- stage: jwk ---
// RFC 7517 §4 + RFC 7518 §6.3: read the recipient's public RSA JWK strictly (notebook 02).
// Refuse another key type, a key under 2048 bits or over MAX_BITS, numbers that are no RSA key,
// a key bound to another `use`/`alg`/`key_ops`, private members in a file meant to hold a public
// key, and a key without `kid`.
function publicKeyFromJwk(jwk) {
  if (jwk.kty !== 'RSA') throw new RecipeError('jwk', `expected kty 'RSA', found ${shown(jwk.kty)}`);
  if (PRIVATE_MEMBERS.some((name) => name in jwk)) {
    throw new RecipeError('jwk', 'this file holds a private key; encrypt needs the public JWK');
  }
  if ((jwk.use ?? 'enc') !== 'enc' || (jwk.alg ?? ALG) !== ALG) {
    throw new RecipeError('jwk', `the key is not for use 'enc' with alg ${ALG}`);
  }
  checkKeyOps(jwk, ['encrypt', 'wrapKey']);
  const kid = jwk.kid;
  if (typeof kid !== 'string' || kid === '') throw new RecipeError('jwk', "the recipient's JWK has no kid");
  checkPublicNumbers(uint(jwk, 'n', 'the JWK'), uint(jwk, 'e', 'the JWK'));
  const members = { kty: 'RSA', n: jwk.n, e: jwk.e };
  let key;
  try {
    key = crypto.createPublicKey({ key: members, format: 'jwk' });
  } catch {
    throw new RecipeError('jwk', "the JWK's n and e do not form an RSA public key"); // not the error's text
  }
  return { key, kid };
}
// --- end stage ---

// RFC 8017 §3.2: the members of a private key must be one key. OpenSSL does not check them: with
// a wrong dp it falls back from the CRT to d, with p and q swapped it still decrypts, so a broken
// or tampered key file would go unnoticed until some other library refuses it.
function checkPrivateNumbers({ n, e, d, p, q, dp, dq, qi }) {
  if ([d, p, q, dp, dq, qi].some((x) => x >= n)) {
    throw new RecipeError('jwk', 'the private JWK has a member that is not below n');
  }
  if (p <= 1n || q <= 1n || p * q !== n) throw new RecipeError('jwk', 'the private JWK has p * q != n');
  let [a, b] = [p - 1n, q - 1n];
  while (b !== 0n) [a, b] = [b, a % b]; // Euclid: a = gcd(p - 1, q - 1)
  const lambda = ((p - 1n) * (q - 1n)) / a; // λ(n) = lcm(p - 1, q - 1)
  if (d === 0n || (d * e) % lambda !== 1n) throw new RecipeError('jwk', 'the private JWK has d * e != 1 mod λ(n)');
  if (dp !== d % (p - 1n) || dq !== d % (q - 1n)) {
    throw new RecipeError('jwk', 'the private JWK has dp != d mod (p - 1) or dq != d mod (q - 1)');
  }
  if (qi >= p || (qi * q) % p !== 1n) throw new RecipeError('jwk', 'the private JWK has qi * q != 1 mod p');
}

// The private RSA JWK with every CRT member (RFC 7518 §6.3.2), checked to be one key.
function privateKeyFromJwk(jwk) {
  if (jwk.kty !== 'RSA') throw new RecipeError('jwk', `expected kty 'RSA', found ${shown(jwk.kty)}`);
  if ('oth' in jwk) throw new RecipeError('jwk', "multi-prime RSA keys ('oth') are not supported");
  if ((jwk.use ?? 'enc') !== 'enc' || (jwk.alg ?? ALG) !== ALG) {
    throw new RecipeError('jwk', `the key is not for use 'enc' with alg ${ALG}`);
  }
  checkKeyOps(jwk, ['decrypt', 'unwrapKey']);
  const numbers = {};
  for (const name of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi']) numbers[name] = uint(jwk, name, 'the private JWK');
  checkPublicNumbers(numbers.n, numbers.e); // the size first: the checks below cost time with it
  checkPrivateNumbers(numbers);
  const members = { kty: 'RSA' };
  for (const name of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi']) members[name] = jwk[name];
  let key;
  try {
    key = crypto.createPrivateKey({ key: members, format: 'jwk' });
  } catch {
    throw new RecipeError('jwk', "the private JWK's members do not form an RSA key");
  }
  return { key, kid: typeof jwk.kid === 'string' ? jwk.kid : null };
}

function encrypt(plaintext, publicKey, kid, cty) {
  // --- stage: header ---
  // RFC 7516 §5.1 steps 1-2 and 11-13: the JOSE header, its exact UTF-8 bytes, base64url
  // (notebook 01). These bytes are also the AAD, so keep the encoded form; never re-serialize.
  const header = { alg: ALG, enc: ENC, kid };
  if (cty !== null) header.cty = cty; // "JWT": the plaintext is itself a JWT (a signed token)
  const protectedHeader = b64url(Buffer.from(JSON.stringify(header), 'utf8'));
  // --- end stage ---

  // --- stage: cek ---
  // RFC 7516 §5.1 step 2: a fresh random Content Encryption Key, 32 bytes for A256GCM
  // (notebook 03). One CEK per message, from the OS CSPRNG.
  const cek = crypto.randomBytes(32);
  // --- end stage ---

  // --- stage: encrypted_key ---
  // RFC 7516 §5.1 step 4, RFC 7518 §4.3: RSAES-OAEP with SHA-256 and MGF1-SHA-256 (notebook 03).
  // The trap: publicEncrypt's oaepHash defaults to 'sha1', which is RSA-OAEP, not RSA-OAEP-256.
  // Node uses oaepHash for both the label hash and MGF1, which is what RSA-OAEP-256 needs.
  const encryptedKey = crypto.publicEncrypt(
    { key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    cek,
  );
  // --- end stage ---

  // --- stage: iv ---
  // RFC 7516 §5.1 step 9, RFC 7518 §5.3: a fresh random 96-bit IV (notebook 04). Never reuse
  // an IV with the same key: GCM's confidentiality and integrity both fall.
  const iv = crypto.randomBytes(12);
  // --- end stage ---

  // --- stage: aad ---
  // RFC 7516 §5.1 step 14: AAD = ASCII(BASE64URL(UTF8(protected header))) (notebooks 01, 04).
  const aad = Buffer.from(protectedHeader, 'ascii');
  // --- end stage ---

  // --- stage: content ---
  // RFC 7516 §5.1 step 15: AES-256-GCM over the plaintext with the CEK, IV and AAD (notebook 04).
  // Node keeps the tag apart: getAuthTag() after final(), 16 bytes with authTagLength: 16.
  const cipher = crypto.createCipheriv('aes-256-gcm', cek, iv, { authTagLength: 16 });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  // --- end stage ---

  // --- stage: compact ---
  // RFC 7516 §5.1 step 19, §7.1: the compact serialization, five base64url parts joined by '.'
  // (notebook 05).
  return [protectedHeader, b64url(encryptedKey), b64url(iv), b64url(ciphertext), b64url(tag)].join('.');
  // --- end stage ---
}

function decrypt(token, privateKey, kid) {
  // --- stage: parse ---
  // RFC 7516 §5.2 steps 1-5: split the compact form, decode each part strictly, read the
  // header, and check it against an allow-list before any key is used (notebooks 05, 06).
  const parts = token.split('.');
  if (parts.length !== 5) throw new RecipeError('parse', `expected 5 parts in a compact JWE, found ${parts.length}`);
  const names = ['protected header', 'encrypted key', 'IV', 'ciphertext', 'tag'];
  const [protectedBytes, encryptedKey, iv, ciphertext, tag] = parts.map((part, i) => b64urlDecode(part, names[i]));
  const header = jsonObject(protectedBytes, 'the protected header');
  if (header.alg !== ALG || header.enc !== ENC) {
    throw new RecipeError('header', `expected alg ${ALG} and enc ${ENC}, found another pair`);
  }
  // No 'zip' (RFC 8725 §3.6): inflating what a partner sends invites a decompression bomb.
  if ('zip' in header) throw new RecipeError('header', "a compressed JWE ('zip') is refused");
  const understood = new Set(['alg', 'enc', 'kid', 'cty', 'typ']);
  const unexpected = Object.keys(header).filter((name) => !understood.has(name));
  if (unexpected.length > 0) {
    // Names from the token, a few and only plain ones: a name may hold a newline or an escape.
    const plain = unexpected.filter(isPlainName).sort().slice(0, 3).join(', ');
    throw new RecipeError('header', `${unexpected.length} unexpected header member(s)${plain ? `, e.g. ${plain}` : ''}`);
  }
  if (kid !== null && header.kid !== kid) throw new RecipeError('header', "the token's kid is not this key's kid");
  if (iv.length !== 12 || tag.length !== 16) throw new RecipeError('parse', 'expected a 12-byte IV and a 16-byte tag');
  // --- end stage ---

  // --- stage: decrypt_key ---
  // RFC 7516 §5.2 steps 9-10: RSA-OAEP-256 decryption of the CEK (notebook 06); again
  // oaepHash: 'sha256', or Node silently uses SHA-1. A wrong key and a tampered token get one
  // and the same answer (§11.5). RFC 8017 §7.1.2 step 1: the encrypted key is exactly k bytes,
  // k the modulus's length in bytes; OpenSSL also opens one whose leading zero byte was dropped,
  // a second spelling of the same token.
  const k = Math.ceil(privateKey.asymmetricKeyDetails.modulusLength / 8);
  let cek = Buffer.alloc(0); // left empty on any failure: it falls through to the one answer below
  if (encryptedKey.length === k) {
    try {
      cek = crypto.privateDecrypt(
        { key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        encryptedKey,
      );
    } catch {
      // cek stays empty
    }
  }
  // --- end stage ---

  // --- stage: decrypt_content ---
  // RFC 7516 §5.2 steps 14-16: AAD from the header *as received*, then AES-256-GCM decryption
  // (notebook 06). The trap: without authTagLength: 16, Node accepts a truncated tag.
  const aad = Buffer.from(parts[0], 'ascii');
  let plaintext;
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', cek, iv, { authTagLength: 16 });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]); // final() checks the tag
  } catch {
    throw new RecipeError('decrypt', 'the token does not decrypt with this key');
  }
  // --- end stage ---
  return { plaintext, header };
}

// ------------------------------------------------------------------ the practice API (kyc)

// Fresh DEMO keys: RSA-2048 to receive encrypted answers, P-256 to sign requests.
function demoKeys() {
  const tag = crypto.randomBytes(4).toString('hex');
  const enc = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sig = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { enc, sig, encKid: `demo-node-enc-${tag}`, sigKid: `demo-node-sig-${tag}` };
}

// --- stage: sign ---
// RFC 7515 §5.1 + RFC 7518 §3.4 (notebook 11): the JWS of the claims, ES256, inside the JWE. The
// trap: crypto.sign returns ECDSA signatures DER-encoded (SEQUENCE { r, s }) by default; JWS
// wants the raw 64 bytes r||s, which dsaEncoding: 'ieee-p1363' gives.
function signES256(claims, privateKey, kid) {
  const header = { alg: 'ES256', typ: 'JWT', kid };
  const signingInput = [header, claims].map((part) => b64url(Buffer.from(JSON.stringify(part), 'utf8'))).join('.');
  const raw = crypto.sign('sha256', Buffer.from(signingInput, 'ascii'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  if (raw.length !== 64) throw new RecipeError('jws', 'expected a 64-byte raw ES256 signature');
  return `${signingInput}.${b64url(raw)}`;
}
// --- end stage ---

// --- stage: verify ---
// RFC 7515 §5.2 (notebook 11): verify the server's JWS with the key its `kid` names in the
// server's JWKS, allowing only PS256 and ES256, and only typ "JWT" (RFC 8725 §3.11: another kind
// of token signed by the same key is not taken for an answer). PS256 = RSASSA-PSS, SHA-256,
// MGF1-SHA-256, salt 32 bytes (the trap: Node's sign() defaults to the maximum salt length), with
// an RSA key of >= 2048 bits; ES256 = a P-256 key, the signature arriving as raw r||s.
function verifyJws(token, jwks) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new RecipeError('jws', `expected 3 parts in a compact JWS, found ${parts.length}`);
  const header = jsonObject(b64urlDecode(parts[0], 'JWS header'), 'the JWS header');
  const signature = b64urlDecode(parts[2], 'JWS signature');
  const { alg, kid, typ } = header;
  const extra = Object.keys(header).filter((name) => !['alg', 'kid', 'typ'].includes(name));
  if (!['PS256', 'ES256'].includes(alg) || extra.length > 0) {
    throw new RecipeError('jws', `expected alg PS256 or ES256 and no other members, found ${JSON.stringify(alg)}`);
  }
  if (!isJwtType(typ)) throw new RecipeError('jws', "the answer's JWS header does not say typ 'JWT'");
  if (typeof kid !== 'string' || kid === '') throw new RecipeError('jws', "the answer's JWS header has no kid");
  const key = signingKey(jwks.keys, kid, alg);
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
  let ok = false;
  try {
    if (alg === 'ES256') {
      ok = signature.length === 64 && crypto.verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature);
    } else {
      const options = { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
      ok = crypto.verify('sha256', signed, options, signature);
    }
  } catch {
    ok = false;
  }
  if (!ok) throw new RecipeError('jws', "the server's signature does not verify");
  const payload = b64urlDecode(parts[1], 'JWS payload');
  return { claims: jsonObject(payload, 'the JWS payload'), written: integersAsWritten(payload.toString('utf8')) };
}

// The signing key: the JWKS entry with the JWS's kid, use "sig", and the kty the alg needs (EC
// P-256 for ES256, RSA of >= 2048 bits for PS256), that loads. Entries that do not fit or do not
// load are skipped (a JSON value that is no object too, RFC 7517 §5), so a key of a kind this
// recipe does not know does not stop it; two that fit and load are ambiguous (§4.5), and refused.
function signingKey(keys, kid, alg) {
  const kty = alg === 'ES256' ? 'EC' : 'RSA';
  const usable = keys
    .filter(
      (k) =>
        isJwkObject(k) && k.use === 'sig' && k.kid === kid && (k.alg ?? alg) === alg && k.kty === kty &&
        (kty === 'RSA' || k.crv === 'P-256'),
    )
    .map((jwk) => loadedSigningKey(jwk, kty))
    .filter((key) => key !== null);
  if (usable.length > 1) throw new RecipeError('jwks', "the server's JWKS has more than one signing key with this kid");
  if (usable.length === 0) throw new RecipeError('jws', "no usable signing key in the server's JWKS has this kid and alg");
  return usable[0];
}

// A signing JWK's public key from its own members only, or null when it is no key of its kind.
function loadedSigningKey(jwk, kty) {
  try {
    const members =
      kty === 'EC'
        ? { kty, crv: 'P-256', x: member(jwk, 'x', 'the key'), y: member(jwk, 'y', 'the key') }
        : { kty, n: member(jwk, 'n', 'the key'), e: member(jwk, 'e', 'the key') };
    const key = crypto.createPublicKey({ key: members, format: 'jwk' });
    return kty === 'RSA' && key.asymmetricKeyDetails.modulusLength < 2048 ? null : key;
  } catch {
    return null; // malformed members, or numbers that are no key
  }
}
// --- end stage ---

// --- stage: claims ---
// RFC 7519 §4.1, RFC 8725 §3.3 (notebooks 09, 11): check the answer's claims before trusting it:
// who sent it (`iss`), that it is for us (`aud`), that it is fresh (`iat`, `exp`), and that it
// answers *our* request (`in_reply_to` = the request's `jti`), so a replayed or swapped answer is
// refused. An answer made to live long (exp - iat > ANSWER_LIFETIME), or dated ahead (iat or nbf
// in the future), could be kept and replayed for that long: refused too. exp, iat and nbf must be
// JSON integers as written (`written`: 1.0, 1e9 and true are not), and an exp of now - SKEW has
// passed: RFC 7519 §4.1.4 refuses a token "on or after" its exp.
function checkAnswerClaims(claims, written, clientId, jti, now) {
  const aud = claims.aud;
  if (claims.iss !== AUDIENCE || !(aud === clientId || (Array.isArray(aud) && aud.includes(clientId)))) {
    throw new RecipeError('claims', 'the answer is not from the practice server to this client');
  }
  const { exp, iat, nbf } = claims;
  const integers = ['exp', 'iat', ...(nbf === undefined ? [] : ['nbf'])];
  if (!integers.every((name) => Number.isSafeInteger(written[name]))) {
    throw new RecipeError('claims', 'the answer lacks integer exp and iat, or has an nbf that is no integer');
  }
  if (exp <= now - SKEW) throw new RecipeError('claims', 'the answer has expired');
  if (iat - SKEW > now || (nbf !== undefined && nbf - SKEW > now)) {
    throw new RecipeError('claims', 'the answer is dated in the future (iat or nbf)');
  }
  if (!(exp - iat > 0 && exp - iat <= ANSWER_LIFETIME)) { // expiring before it was issued, too
    throw new RecipeError('claims', `the answer's exp - iat is not 1 to ${ANSWER_LIFETIME} s`);
  }
  if (claims.in_reply_to !== jti) throw new RecipeError('claims', "the answer does not reply to this request's jti");
}
// --- end stage ---

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
// one expected carries no error code: it is named as what it is.
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

// The server's encryption key: the first entry with use "enc" that this recipe can use (RSA,
// alg RSA-OAEP-256 or none, a kid, a key that loads, >= 2048 bits); the first listed is the
// server's current key. An entry it cannot use (no object, another kty or alg, a broken key) is
// skipped.
function encryptionKey(keys) {
  for (const jwk of keys.filter((k) => isJwkObject(k) && k.use === 'enc')) {
    try {
      return publicKeyFromJwk(jwk);
    } catch (error) {
      if (!(error instanceof RecipeError)) throw error;
    }
  }
  throw new RecipeError('jwks', "the server's JWKS has no usable encryption key");
}

async function kyc(baseUrl) {
  const base = baseUrlOf(baseUrl);
  const { enc, sig, encKid, sigKid } = demoKeys();

  // One JWKS fetch per run: this program makes one call and exits. A long-running client would
  // keep the JWKS for its answer's Cache-Control max-age, but at most 3600 s (60 s when none is
  // given), and fetch it again early, once, when an answer's signing kid is not in it or the
  // server answers key.kid_unknown or api.key_retired (a key rotation), but at most once per 30 s,
  // so that a stream of unknown kids cannot make it fetch without end.
  let answer = await http('GET', `${base}/.well-known/jwks.json`);
  expect(answer, 200, 'application/json');
  const serverJwks = jsonObject(answer.bytes, "the server's JWKS");
  const { keys } = serverJwks;
  if (!Array.isArray(keys)) throw new RecipeError('jwks', 'the server\'s JWKS is not {"keys": [...]}');
  const server = encryptionKey(keys);

  const publicJwks = {
    keys: [
      { ...enc.publicKey.export({ format: 'jwk' }), kid: encKid, use: 'enc', alg: ALG },
      { ...sig.publicKey.export({ format: 'jwk' }), kid: sigKid, use: 'sig', alg: 'ES256' },
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

  const now = Math.floor(Date.now() / 1000);
  const jti = b64url(crypto.randomBytes(16)); // fresh per request: the server refuses a jti it has seen
  const claims = { iss: clientId, aud: AUDIENCE, iat: now, exp: now + LIFETIME, jti, pan: 'ABCDE1234F', name: 'Asha Rao' };
  const requestToken = encrypt(Buffer.from(signES256(claims, sig.privateKey, sigKid), 'ascii'), server.key, server.kid, 'JWT');

  answer = await http('POST', `${base}/v1/kyc/pan`, requestToken, {
    'Content-Type': 'application/jose',
    'X-Client-Id': clientId,
  });
  expect(answer, 200, 'application/jose');
  // The answer must be signed, then encrypted: a JWE whose cty says its plaintext is a JWT, and
  // that plaintext a JWS. A JWE of bare claims could come from anyone: our key is public.
  const { plaintext, header } = decrypt(answer.bytes.toString('latin1').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''), enc.privateKey, encKid);
  if (!isJwtType(header.cty)) throw new RecipeError('header', "the answer's JWE does not say cty 'JWT'");
  const { claims: verified, written } = verifyJws(plaintext.toString('latin1'), serverJwks);
  checkAnswerClaims(verified, written, clientId, jti, Math.floor(Date.now() / 1000));
  return verified;
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
    process.stderr.write('usage: stages.mjs encrypt PUBLIC_JWK | decrypt PRIVATE_JWK | kyc BASE_URL\n');
    return 2;
  }
  const [command, argument] = argv;
  try {
    if (command === 'encrypt') {
      const { key, kid } = publicKeyFromJwk(await readJsonFile(argument));
      await writeStdout(`${encrypt(await readBounded(0, MAX_INPUT, 'stdin', 'input'), key, kid, null)}\n`);
    } else if (command === 'decrypt') {
      const { key, kid } = privateKeyFromJwk(await readJsonFile(argument));
      const token = (await readBounded(0, MAX_TOKEN, 'stdin', 'input')).toString('latin1').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      await writeStdout(decrypt(token, key, kid).plaintext);
    } else {
      await writeStdout(`${JSON.stringify(await kyc(argument), null, 2)}\n`);
    }
  } catch (error) {
    if (!(error instanceof RecipeError)) throw error;
    process.stderr.write(`node recipe: ${error.message}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
