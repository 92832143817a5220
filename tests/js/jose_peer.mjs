// panva/jose as an interoperability peer: reads a JSON list of jobs on stdin, answers a JSON
// list of results on stdout. Test-only; keys are the tests' DEMO keys.
//   {"op": "encrypt", "jwk": {...} | "secret_b64": "...", "alg", "enc", "plaintext_b64"}
//   {"op": "decrypt", "jwk": {...} | "secret_b64": "...", "alg", "enc", "token"}
//   {"op": "sign", "jwk": {...} | "secret_b64": "...", "alg", "payload_b64"}
//   {"op": "verify", "jwk": {...} | "secret_b64": "...", "alg", "token"}
import * as jose from "jose";

const fromB64 = (text) => new Uint8Array(Buffer.from(text, "base64"));
const toB64 = (bytes) => Buffer.from(bytes).toString("base64");

async function keyFor(job) {
  if (job.secret_b64 !== undefined) return fromB64(job.secret_b64);
  return jose.importJWK(job.jwk, job.alg);
}

async function run(job) {
  const key = await keyFor(job);
  if (job.op === "sign") {
    const token = await new jose.CompactSign(fromB64(job.payload_b64))
      .setProtectedHeader({ alg: job.alg })
      .sign(key);
    return { token };
  }
  if (job.op === "verify") {
    const { payload, protectedHeader } = await jose.compactVerify(job.token, key, {
      algorithms: [job.alg],
    });
    return { payload_b64: toB64(payload), header: protectedHeader };
  }
  if (job.op === "encrypt") {
    const token = await new jose.CompactEncrypt(fromB64(job.plaintext_b64))
      .setProtectedHeader({ alg: job.alg, enc: job.enc })
      .encrypt(key);
    return { token };
  }
  const { plaintext, protectedHeader } = await jose.compactDecrypt(job.token, key, {
    keyManagementAlgorithms: [job.alg],
    contentEncryptionAlgorithms: [job.enc],
  });
  return { plaintext_b64: toB64(plaintext), header: protectedHeader };
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const job of JSON.parse(input)) {
  try {
    results.push(await run(job));
  } catch (error) {
    results.push({ error: `${error.name}: ${error.message}` });
  }
}
process.stdout.write(JSON.stringify(results));
