package recipes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.*;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * RSA-OAEP-256 + A256GCM compact JWE, stage by stage, with javax.crypto and java.security only
 * (no JOSE library; Jackson only reads and writes the JSON, strictly).
 *
 * <pre>
 *   recipes/run java encrypt PUBLIC_JWK_FILE  &lt; plaintext &gt; token
 *   recipes/run java decrypt PRIVATE_JWK_FILE &lt; token &gt; plaintext
 *   recipes/run java kyc BASE_URL             # a signed-then-encrypted call to the practice API
 * </pre>
 *
 * <p>Each stage is marked {@code // --- stage: NAME ---} ... {@code // --- end stage ---} and names
 * its step of RFC 7516 §5.1 (encryption) or §5.2 (decryption) and the notebook that opens it up;
 * the notebooks show these very lines beside their own cells (jwe_steps.view.recipe_stage).
 *
 * <p>Written the way a careful integrator ships it: strict JWK and token parsing, one allowed alg
 * and enc, the recipient's kid in the header, a fresh jti and a short exp per request, errors on
 * stderr with a non-zero exit, nothing secret printed. The keys {@code kyc} makes are DEMO keys.
 */
public final class Stages {
  static final String ALG = "RSA-OAEP-256";
  static final String ENC = "A256GCM";
  static final String AUDIENCE = "jwe-steps-practice"; // the practice server's name in aud / iss
  static final long LIFETIME = 120; // seconds a request token lives (the server accepts <= 300)
  static final long SKEW = 30; // seconds of clock difference tolerated when checking the answer
  static final long MAX_ANSWER_LIFETIME = 300; // seconds an answer may live, exp - iat
  static final int MAX_BODY = 1 << 20; // the most of an answer read; larger is refused (the API takes <= 64 KiB)
  static final int MAX_INPUT = 1 << 20; // the most of a JWK file or of a plaintext on stdin read; larger is refused
  static final int MAX_TOKEN = 3 << 19; // a token of MAX_INPUT plaintext bytes fits: 4/3 of it + header, key, IV, tag
  static final List<String> PRIVATE_MEMBERS = List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");
  static final int MIN_BITS = 2048; // the smallest RSA modulus accepted (NIST SP 800-57: 112-bit security)
  static final int MAX_BITS = 16384; // the largest: a 1 MiB key file could hold an n of millions of bits,
                                     // and one exponentiation with it would run for minutes
  static final int MAX_DEPTH = 32; // the deepest JSON nesting accepted in any JSON read (a JWKS is 3 deep)
  static final int MAX_DIGITS = 1000; // the longest JSON number read (Jackson's default; dates have 10)

  static final SecureRandom RANDOM = new SecureRandom();
  // Strict JSON: a repeated member name is an error, nothing may follow the value, and no value
  // nests deeper than MAX_DEPTH or holds a number longer than MAX_DIGITS (either one a
  // StreamConstraintsException). A member name may be as long as the input itself: Jackson's
  // default cap of 50,000 characters would call valid JSON "not JSON", and the input is bounded
  // already (MAX_TOKEN, MAX_INPUT).
  static final ObjectMapper JSON =
      new ObjectMapper(JsonFactory.builder()
              .streamReadConstraints(StreamReadConstraints.builder()
                  .maxNameLength(MAX_TOKEN).maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_DIGITS).build())
              .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

  /** A problem with the input: one line on stderr, exit status 1. */
  static final class RecipeException extends Exception {
    private static final long serialVersionUID = 1L;

    RecipeException(String stage, String message) {
      super(stage + ": " + message);
    }
  }

  record PublicRecipient(PublicKey key, String kid) {}

  record PrivateRecipient(PrivateKey key, String kid) {}

  record Opened(byte[] plaintext, ObjectNode header) {}

  private Stages() {}

  static String b64url(byte[] data) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(data);
  }

  /** Strict base64url (RFC 7515 §2): URL alphabet, no padding, canonical trailing bits. */
  static byte[] b64urlDecode(String text, String what) throws RecipeException {
    if (text == null || !text.matches("[A-Za-z0-9_-]*") || text.length() % 4 == 1) {
      throw new RecipeException("base64url", what + " is not unpadded base64url");
    }
    byte[] data = Base64.getUrlDecoder().decode(text);
    if (!b64url(data).equals(text)) {
      throw new RecipeException("base64url", what + " has non-canonical trailing bits");
    }
    return data;
  }

  static ObjectNode jsonObject(byte[] data, String what) throws RecipeException {
    try {
      String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(data)).toString();
      JsonNode node = JSON.readTree(text);
      if (node instanceof ObjectNode object) {
        if (holdsLoneSurrogate(object)) {
          throw new RecipeException("json", what + " holds a \\u escape of a lone surrogate");
        }
        return object;
      }
    } catch (StreamConstraintsException e) { // the constraints the bounded input can break
      throw new RecipeException("json", what + " nests more than " + MAX_DEPTH
          + " deep or holds a number of more than " + MAX_DIGITS + " digits");
    } catch (IOException e) { // CharacterCodingException and JsonProcessingException
      throw new RecipeException("json", what + " is not strict UTF-8 JSON");
    }
    throw new RecipeException("json", what + " is not a JSON object");
  }

  /**
   * Whether a string in the value, a member name too, holds a \\u escape of a surrogate that is not
   * half of a pair: no character (RFC 8259 §8.2). Jackson keeps it in the String, and writing it
   * as UTF-8 makes it "?", other readers U+FFFD: two readers would see two values.
   */
  static boolean holdsLoneSurrogate(JsonNode node) {
    if (node.isTextual()) {
      return isLoneSurrogateIn(node.textValue());
    }
    for (var member : node.properties()) { // an object's members; none for an array
      if (isLoneSurrogateIn(member.getKey())) {
        return true;
      }
    }
    for (JsonNode item : node) { // an object's values, an array's items
      if (holdsLoneSurrogate(item)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the text has a surrogate that is not half of a pair (codePoints yields it alone). */
  static boolean isLoneSurrogateIn(String text) {
    return text.codePoints().anyMatch(c -> c >= 0xD800 && c <= 0xDFFF);
  }

  static String text(JsonNode object, String name) {
    JsonNode value = object.get(name);
    return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
  }

  static BigInteger uint(JsonNode jwk, String name, String what) throws RecipeException {
    String value = text(jwk, name);
    if (value == null) {
      throw new RecipeException("jwk", what + " has no string member '" + name + "'");
    }
    return new BigInteger(1, b64urlDecode(value, what + " '" + name + "'"));
  }

  /**
   * Text from the input as a message may quote it: at most {@code max} characters, and each one
   * outside printable ASCII (a newline, a CR, a terminal escape) or a backslash written as
   * \\uXXXX, so that it can neither add a line to stderr nor reach the terminal raw.
   */
  static String escaped(String value, int max) {
    StringBuilder out = new StringBuilder("'");
    for (char c : value.substring(0, Math.min(value.length(), max)).toCharArray()) {
      out.append(c >= ' ' && c <= '~' && c != '\\' ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return out.append(value.length() > max ? "'..." : "'").toString();
  }

  /** RFC 7515 §4.1.9-10: a typ or cty of "JWT" is compared case-insensitively, "application/" optional. */
  static boolean saysJwt(String type) {
    return type != null && (type.equalsIgnoreCase("JWT") || type.equalsIgnoreCase("application/jwt"));
  }

  /** A member that may be absent but, when present, must be exactly {@code want}. */
  static boolean boundTo(JsonNode jwk, String name, String want) {
    return !jwk.has(name) || want.equals(text(jwk, name));
  }

  // --- stage: jwk ---
  // RFC 7517 §4 + RFC 7518 §6.3: read the recipient's public RSA JWK strictly (notebook 02).
  // Refuse another key type, a key bound to another use/alg or whose key_ops do not allow
  // wrapping a key, private members in a file meant to hold a public key, a key without kid, a
  // modulus outside 2048-16384 bits or even, and an exponent that is even or not 1 < e < n.
  static PublicRecipient publicKeyFromJwk(JsonNode jwk) throws RecipeException {
    requireRsa(jwk);
    for (String name : PRIVATE_MEMBERS) {
      if (jwk.has(name)) {
        throw new RecipeException("jwk", "this file holds a private key; encrypt needs the public JWK");
      }
    }
    if (!boundTo(jwk, "use", "enc") || !boundTo(jwk, "alg", ALG)) {
      throw new RecipeException("jwk", "the key is not for use 'enc' with alg " + ALG);
    }
    requireKeyOps(jwk, "encrypt", "wrapKey");
    String kid = text(jwk, "kid");
    if (kid == null) {
      throw new RecipeException("jwk", "the recipient's JWK has no kid");
    }
    BigInteger n = uint(jwk, "n", "the JWK");
    BigInteger e = uint(jwk, "e", "the JWK");
    checkPublicNumbers(n, e);
    try {
      return new PublicRecipient(KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e)), kid);
    } catch (GeneralSecurityException ex) {
      throw new RecipeException("jwk", "the JWK is not a usable RSA public key");
    }
  }

  /**
   * kty must be "RSA". Another value is named only when it is a short plain word ("EC", "oct"):
   * a kty can hold anything, even a private member pasted into the wrong place.
   */
  static void requireRsa(JsonNode jwk) throws RecipeException {
    JsonNode kty = jwk.get("kty");
    if (kty == null || !kty.isTextual() || !kty.asText().equals("RSA")) {
      boolean plain = kty != null && kty.isTextual() && kty.asText().matches("[A-Za-z0-9-]{1,16}");
      throw new RecipeException("jwk", "expected kty 'RSA', found " + (plain ? "'" + kty.asText() + "'" : "another value"));
    }
  }

  /**
   * RFC 7517 §4.3: key_ops, when present, is an array of distinct strings, and it must allow what
   * this recipe does with the key. RSA-OAEP wraps a CEK, so "wrapKey" / "unwrapKey" are the exact
   * values; "encrypt" / "decrypt" are taken too, as many tools write those.
   */
  static void requireKeyOps(JsonNode jwk, String operation, String wrapping) throws RecipeException {
    JsonNode ops = jwk.get("key_ops");
    if (ops == null) {
      return;
    }
    Set<String> seen = new HashSet<>();
    boolean distinctStrings = ops.isArray();
    for (JsonNode op : ops) {
      distinctStrings &= op.isTextual() && seen.add(op.asText());
    }
    if (!distinctStrings) {
      throw new RecipeException("jwk", "key_ops is not an array of distinct strings");
    }
    if (!seen.contains(operation) && !seen.contains(wrapping)) {
      throw new RecipeException("jwk", "the key's key_ops allow neither '" + wrapping + "' nor '" + operation + "'");
    }
  }

  /**
   * The public numbers of a usable RSA key: a modulus n of MIN_BITS to MAX_BITS, checked first,
   * before any arithmetic with it; n odd (a product of two odd primes, RFC 8017 §3.1); and an odd
   * exponent 3 <= e <= n - 1 (RFC 8017 §3.1). With e = 1 the "encrypted" CEK would be its OAEP
   * padding alone, which anyone can undo; an even n takes a token that nobody can open.
   */
  static void checkPublicNumbers(BigInteger n, BigInteger e) throws RecipeException {
    if (n.bitLength() < MIN_BITS || n.bitLength() > MAX_BITS) {
      throw new RecipeException("jwk", "expected an RSA key of " + MIN_BITS + " to " + MAX_BITS + " bits, found " + n.bitLength());
    }
    if (!n.testBit(0)) {
      throw new RecipeException("jwk", "the RSA modulus n is even, so it is no RSA modulus");
    }
    if (!e.testBit(0) || e.compareTo(BigInteger.valueOf(3)) < 0 || e.compareTo(n) >= 0) {
      throw new RecipeException("jwk", "expected an odd RSA public exponent e with 3 <= e < n");
    }
  }
  // --- end stage ---

  /** The private RSA JWK with every CRT member (RFC 7518 §6.3.2), checked for consistency. */
  static PrivateRecipient privateKeyFromJwk(JsonNode jwk) throws RecipeException {
    requireRsa(jwk);
    if (jwk.has("oth")) {
      throw new RecipeException("jwk", "multi-prime RSA keys ('oth') are not supported");
    }
    if (!boundTo(jwk, "use", "enc") || !boundTo(jwk, "alg", ALG)) {
      throw new RecipeException("jwk", "the key is not for use 'enc' with alg " + ALG);
    }
    requireKeyOps(jwk, "decrypt", "unwrapKey");
    String what = "the private JWK";
    BigInteger n = uint(jwk, "n", what), e = uint(jwk, "e", what);
    checkPublicNumbers(n, e); // the size first: nothing below works on a huge n
    BigInteger d = uint(jwk, "d", what), p = uint(jwk, "p", what), q = uint(jwk, "q", what);
    BigInteger dp = uint(jwk, "dp", what), dq = uint(jwk, "dq", what), qi = uint(jwk, "qi", what);
    // RFC 8017 §3.2: n = p q, d < n, dp = d mod (p - 1), dq = d mod (q - 1), qi = q^-1 mod p, and
    // e dp = 1 mod (p - 1), e dq = 1 mod (q - 1). Primes above 1 first: p = 1 would make p - 1
    // zero, and "mod 0" is no answer but an ArithmeticException.
    BigInteger one = BigInteger.ONE;
    boolean consistent =
        p.compareTo(one) > 0 && q.compareTo(one) > 0 && d.compareTo(n) < 0
            && p.multiply(q).equals(n)
            && d.mod(p.subtract(one)).equals(dp)
            && d.mod(q.subtract(one)).equals(dq)
            && qi.compareTo(p) < 0 && qi.multiply(q).mod(p).equals(one) // one spelling of qi
            && e.multiply(dp).mod(p.subtract(one)).equals(one)
            && e.multiply(dq).mod(q.subtract(one)).equals(one);
    if (!consistent) {
      throw new RecipeException("jwk", "the private JWK's members do not form one RSA key");
    }
    try {
      PrivateKey key =
          KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(n, e, d, p, q, dp, dq, qi));
      return new PrivateRecipient(key, text(jwk, "kid"));
    } catch (GeneralSecurityException ex) {
      throw new RecipeException("jwk", "the JWK is not a usable RSA private key");
    }
  }

  // The one OAEP parameter set RSA-OAEP-256 means: SHA-256, MGF1 with SHA-256, empty label.
  static final OAEPParameterSpec OAEP_256 =
      new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

  static String encrypt(byte[] plaintext, PublicRecipient recipient, String cty)
      throws GeneralSecurityException, JsonProcessingException {
    // --- stage: header ---
    // RFC 7516 §5.1 steps 1-2 and 11-13: the JOSE header, its exact UTF-8 bytes, base64url
    // (notebook 01). These bytes are also the AAD, so keep the encoded form; never re-serialize.
    Map<String, String> header = new LinkedHashMap<>();
    header.put("alg", ALG);
    header.put("enc", ENC);
    header.put("kid", recipient.kid());
    if (cty != null) {
      header.put("cty", cty); // "JWT": the plaintext is itself a JWT (a nested, signed token)
    }
    String protectedHeader = b64url(JSON.writeValueAsBytes(header));
    // --- end stage ---

    // --- stage: cek ---
    // RFC 7516 §5.1 step 2: a fresh random Content Encryption Key, 32 bytes for A256GCM
    // (notebook 03). One CEK per message, from SecureRandom.
    byte[] cek = new byte[32];
    RANDOM.nextBytes(cek);
    // --- end stage ---

    // --- stage: encrypted_key ---
    // RFC 7516 §5.1 step 4, RFC 7518 §4.3: RSAES-OAEP with SHA-256 and MGF1-SHA-256 (notebook 03).
    // The trap: Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding") alone gives SHA-256
    // for the label but MGF1-SHA-1 in SunJCE, which no other JOSE library decrypts. Always pass
    // the OAEPParameterSpec, which names both hashes.
    Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
    rsa.init(Cipher.ENCRYPT_MODE, recipient.key(), OAEP_256, RANDOM);
    byte[] encryptedKey = rsa.doFinal(cek);
    // --- end stage ---

    // --- stage: iv ---
    // RFC 7516 §5.1 step 9, RFC 7518 §5.3: a fresh random 96-bit IV (notebook 04). Never reuse an
    // IV with the same key: GCM's confidentiality and integrity both fall.
    byte[] iv = new byte[12];
    RANDOM.nextBytes(iv);
    // --- end stage ---

    // --- stage: aad ---
    // RFC 7516 §5.1 step 14: AAD = ASCII(BASE64URL(UTF8(protected header))) (notebooks 01, 04).
    byte[] aad = protectedHeader.getBytes(StandardCharsets.US_ASCII);
    // --- end stage ---

    // --- stage: content ---
    // RFC 7516 §5.1 step 15: AES-256-GCM over the plaintext with the CEK, IV and AAD (notebook 04).
    // The trap: doFinal returns ciphertext || tag; JWE sends them as two parts, so split off the
    // last 16 bytes (the 128-bit tag length given in GCMParameterSpec).
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, iv));
    gcm.updateAAD(aad);
    byte[] sealed = gcm.doFinal(plaintext);
    byte[] ciphertext = Arrays.copyOfRange(sealed, 0, sealed.length - 16);
    byte[] tag = Arrays.copyOfRange(sealed, sealed.length - 16, sealed.length);
    // --- end stage ---

    // --- stage: compact ---
    // RFC 7516 §5.1 step 19, §7.1: the compact serialization, five base64url parts joined by '.'
    // (notebook 05).
    return String.join(".", protectedHeader, b64url(encryptedKey), b64url(iv), b64url(ciphertext), b64url(tag));
    // --- end stage ---
  }

  static Opened decrypt(String token, PrivateRecipient recipient) throws RecipeException, GeneralSecurityException {
    // --- stage: parse ---
    // RFC 7516 §5.2 steps 1-5: split the compact form, decode each part strictly, read the
    // header, and check it against an allow-list before any key is used (notebooks 05, 06).
    String[] parts = token.split("\\.", -1);
    if (parts.length != 5) {
      throw new RecipeException("parse", "expected 5 parts in a compact JWE, found " + parts.length);
    }
    ObjectNode header = jsonObject(b64urlDecode(parts[0], "protected header"), "the protected header");
    byte[] encryptedKey = b64urlDecode(parts[1], "encrypted key");
    byte[] iv = b64urlDecode(parts[2], "IV");
    byte[] ciphertext = b64urlDecode(parts[3], "ciphertext");
    byte[] tag = b64urlDecode(parts[4], "tag");
    if (!ALG.equals(text(header, "alg")) || !ENC.equals(text(header, "enc"))) {
      throw new RecipeException("header", "expected alg " + ALG + " and enc " + ENC + ", found another pair");
    }
    // Nothing else: a "zip" is refused with the rest, so this recipe never inflates a plaintext
    // (no compression bomb; and compressing before encrypting lets the length tell about the
    // plaintext), nor meets a "crit" it would have to honour.
    Set<String> unexpected = new TreeSet<>();
    header.fieldNames().forEachRemaining(unexpected::add);
    unexpected.removeAll(Set.of("alg", "enc", "kid", "cty", "typ"));
    if (!unexpected.isEmpty()) {
      // Named escaped and short, and at most three of them: the names are the sender's text.
      String names = String.join(", ", unexpected.stream().limit(3).map(name -> escaped(name, 40)).toList());
      String more = unexpected.size() > 3 ? " and " + (unexpected.size() - 3) + " more" : "";
      throw new RecipeException("header", "unexpected header members: " + names + more);
    }
    if (recipient.kid() != null && !recipient.kid().equals(text(header, "kid"))) {
      throw new RecipeException("header", "the token's kid is not this key's kid");
    }
    if (iv.length != 12 || tag.length != 16) {
      throw new RecipeException("parse", "expected a 12-byte IV and a 16-byte tag");
    }
    // --- end stage ---

    // --- stage: decrypt_key ---
    // RFC 7516 §5.2 steps 9-10: RSA-OAEP-256 decryption of the CEK, with the same explicit
    // OAEPParameterSpec (notebook 06). A wrong key and a tampered token get one and the same
    // answer (§11.5). The trap: SunJCE also takes a ciphertext shorter than the modulus (as if
    // its leading 0x00 had been dropped), a second spelling of one CEK. RFC 8017 §7.1.2 step 1:
    // exactly k bytes, k the modulus's length; any other length gets that same answer.
    int k = (((RSAPrivateKey) recipient.key()).getModulus().bitLength() + 7) / 8;
    byte[] cek = new byte[0]; // unless the unwrap succeeds: the one uniform failure below
    if (encryptedKey.length == k) {
      try {
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
        rsa.init(Cipher.DECRYPT_MODE, recipient.key(), OAEP_256);
        cek = rsa.doFinal(encryptedKey);
      } catch (GeneralSecurityException e) {
        // cek stays empty
      }
    }
    // --- end stage ---

    // --- stage: decrypt_content ---
    // RFC 7516 §5.2 steps 14-16: AAD from the header *as received*, then AES-256-GCM decryption
    // (notebook 06). Java wants ciphertext || tag in doFinal, and checks the tag before it
    // returns any plaintext.
    byte[] aad = parts[0].getBytes(StandardCharsets.US_ASCII);
    byte[] sealed = Arrays.copyOf(ciphertext, ciphertext.length + tag.length);
    System.arraycopy(tag, 0, sealed, ciphertext.length, tag.length);
    byte[] plaintext;
    try {
      if (cek.length != 32) {
        throw new AEADBadTagException();
      }
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, iv));
      gcm.updateAAD(aad);
      plaintext = gcm.doFinal(sealed);
    } catch (AEADBadTagException e) {
      throw new RecipeException("decrypt", "the token does not decrypt with this key");
    }
    // --- end stage ---
    return new Opened(plaintext, header);
  }

  // ---------------------------------------------------------------- the practice API (kyc)

  /** An unsigned integer as exactly {@code length} big-endian bytes. */
  static byte[] fixed(BigInteger value, int length) {
    byte[] bytes = value.toByteArray(); // two's complement: may carry a leading 0x00
    byte[] out = new byte[length];
    int copy = Math.min(bytes.length, length);
    System.arraycopy(bytes, bytes.length - copy, out, length - copy, copy);
    return out;
  }

  static byte[] unsigned(BigInteger value) {
    return fixed(value, (value.bitLength() + 7) / 8);
  }

  // --- stage: sign ---
  // RFC 7515 §5.1 + RFC 7518 §3.4 (notebook 11): the JWS of the claims, ES256, inside the JWE.
  // The trap: Signature "SHA256withECDSA" returns DER, SEQUENCE { INTEGER r, INTEGER s }, with
  // lengths that vary and a leading 0x00 when the top bit is set; JWS wants the raw 64 bytes
  // r||s, each left-padded to 32. (Java 9+ also offers "SHA256withECDSAinP1363Format".)
  static String signEs256(Map<String, Object> claims, PrivateKey key, String kid)
      throws GeneralSecurityException, JsonProcessingException, RecipeException {
    Map<String, String> header = new LinkedHashMap<>();
    header.put("alg", "ES256");
    header.put("typ", "JWT");
    header.put("kid", kid);
    String signingInput = b64url(JSON.writeValueAsBytes(header)) + "." + b64url(JSON.writeValueAsBytes(claims));
    Signature ecdsa = Signature.getInstance("SHA256withECDSA");
    ecdsa.initSign(key, RANDOM);
    ecdsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    byte[] der = ecdsa.sign();
    // DER: 0x30 len 0x02 len(r) r 0x02 len(s) s (short lengths suffice for P-256)
    if (der.length < 8 || der[0] != 0x30 || der[1] != der.length - 2 || der[2] != 0x02) {
      throw new RecipeException("jws", "ECDSA returned an unreadable DER signature");
    }
    int rLength = der[3];
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(der, 4, 4 + rLength));
    int sAt = 4 + rLength;
    if (der[sAt] != 0x02 || sAt + 2 + der[sAt + 1] != der.length) {
      throw new RecipeException("jws", "ECDSA returned an unreadable DER signature");
    }
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(der, sAt + 2, der.length));
    byte[] raw = new byte[64];
    System.arraycopy(fixed(r, 32), 0, raw, 0, 32);
    System.arraycopy(fixed(s, 32), 0, raw, 32, 32);
    return signingInput + "." + b64url(raw);
  }
  // --- end stage ---

  /** Raw r || s (64 bytes) back to DER for Signature "SHA256withECDSA". */
  static byte[] rawToDer(byte[] raw) {
    byte[] r = new BigInteger(1, Arrays.copyOfRange(raw, 0, 32)).toByteArray(); // minimal, signed
    byte[] s = new BigInteger(1, Arrays.copyOfRange(raw, 32, 64)).toByteArray();
    byte[] der = new byte[6 + r.length + s.length];
    der[0] = 0x30;
    der[1] = (byte) (4 + r.length + s.length);
    der[2] = 0x02;
    der[3] = (byte) r.length;
    System.arraycopy(r, 0, der, 4, r.length);
    der[4 + r.length] = 0x02;
    der[5 + r.length] = (byte) s.length;
    System.arraycopy(s, 0, der, 6 + r.length, s.length);
    return der;
  }

  static final ECParameterSpec P256 = p256();

  static ECParameterSpec p256() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no P-256", e);
    }
  }

  /** A P-256 public key, refused unless (x, y) is a point on the curve: y^2 = x^3 + ax + b mod p. */
  static PublicKey ecPublicKey(JsonNode jwk) throws RecipeException, GeneralSecurityException {
    BigInteger x = uint(jwk, "x", "the server key"), y = uint(jwk, "y", "the server key");
    BigInteger p = ((ECFieldFp) P256.getCurve().getField()).getP();
    BigInteger a = P256.getCurve().getA(), b = P256.getCurve().getB();
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0
        || !y.pow(2).mod(p).equals(x.pow(3).add(a.multiply(x)).add(b).mod(p))) {
      throw new RecipeException("jwks", "the server key is not a point on P-256");
    }
    return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
  }

  /**
   * The server's key for its JWS: the JWKS entry with the JWS's kid, use "sig", an alg that is
   * absent or the JWS's, and the kty the alg needs (P-256 for ES256, RSA >= 2048 bits for PS256),
   * that loads. Entries that do not fit are passed over, so one odd key (a new kty, a broken
   * member) cannot stop the exchange; two that load are ambiguous (RFC 7517 §4.5), and refused.
   */
  static PublicKey signingKey(JsonNode keys, String kid, String alg) throws RecipeException {
    PublicKey chosen = null;
    for (JsonNode candidate : keys) {
      if (!"sig".equals(text(candidate, "use")) || !kid.equals(text(candidate, "kid")) || !boundTo(candidate, "alg", alg)) {
        continue;
      }
      PublicKey found = null;
      try {
        if ("ES256".equals(alg) && "EC".equals(text(candidate, "kty")) && "P-256".equals(text(candidate, "crv"))) {
          found = ecPublicKey(candidate);
        }
        if ("PS256".equals(alg) && "RSA".equals(text(candidate, "kty"))) {
          BigInteger n = uint(candidate, "n", "the server key"), e = uint(candidate, "e", "the server key");
          if (n.bitLength() >= 2048 && e.compareTo(BigInteger.valueOf(3)) >= 0 && e.testBit(0)) {
            found = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
          }
        }
      } catch (RecipeException | GeneralSecurityException ex) {
        // a key that does not load: passed over like any other unusable entry
      }
      if (found != null && chosen != null) {
        throw new RecipeException("jwks", "the server's JWKS has more than one signing key with this kid");
      }
      chosen = found != null ? found : chosen;
    }
    if (chosen != null) {
      return chosen;
    }
    throw new RecipeException("jws", "no signing key in the server's JWKS has this kid, alg and kty");
  }

  // --- stage: verify ---
  // RFC 7515 §5.2 (notebook 11): verify the server's JWS with the key its kid names in the
  // server's JWKS, allowing only PS256 and ES256, and only typ "JWT" (RFC 8725 §3.11: explicit
  // typing, so no other kind of token signed by that key passes for an answer). PS256 =
  // RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 bytes, all stated in a PSSParameterSpec; ES256
  // arrives as raw r||s and goes back to DER for Java.
  static ObjectNode verifyJws(String token, JsonNode keys) throws RecipeException {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new RecipeException("jws", "expected 3 parts in a compact JWS, found " + parts.length);
    }
    ObjectNode header = jsonObject(b64urlDecode(parts[0], "JWS header"), "the JWS header");
    byte[] signature = b64urlDecode(parts[2], "JWS signature");
    String alg = text(header, "alg"), kid = text(header, "kid");
    Set<String> members = new TreeSet<>();
    header.fieldNames().forEachRemaining(members::add);
    members.removeAll(Set.of("alg", "kid", "typ"));
    if (!("PS256".equals(alg) || "ES256".equals(alg)) || kid == null || !members.isEmpty()) {
      throw new RecipeException("jws", "expected alg PS256 or ES256, a kid, and no other members but typ");
    }
    if (!saysJwt(text(header, "typ"))) {
      throw new RecipeException("jws", "the answer's JWS does not say typ 'JWT'");
    }
    PublicKey key = signingKey(keys, kid, alg);
    byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    boolean verified;
    try {
      if ("ES256".equals(alg)) {
        // The trap: CVE-2022-21449 ("psychic signatures"): SunEC in JDK 15 to 18 (17.0.0-17.0.2)
        // accepted r = s = 0 as a valid signature of anything, by any key. So 0 < r < n and
        // 0 < s < n are checked here first, and a JDK >= 17.0.3 is needed all the same.
        boolean inRange = signature.length == 64;
        for (int at = 0; inRange && at < 64; at += 32) { // r, then s
          BigInteger value = new BigInteger(1, Arrays.copyOfRange(signature, at, at + 32));
          inRange = value.signum() > 0 && value.compareTo(P256.getOrder()) < 0;
        }
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initVerify(key);
        ecdsa.update(signed);
        verified = inRange && ecdsa.verify(rawToDer(signature));
      } else {
        Signature pss = Signature.getInstance("RSASSA-PSS");
        pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        pss.initVerify(key);
        pss.update(signed);
        verified = pss.verify(signature);
      }
    } catch (GeneralSecurityException ex) {
      verified = false;
    }
    if (!verified) {
      throw new RecipeException("jws", "the server's signature does not verify");
    }
    return jsonObject(b64urlDecode(parts[1], "JWS payload"), "the JWS payload");
  }
  // --- end stage ---

  // --- stage: claims ---
  // RFC 7519 §4.1, RFC 8725 §3.3 (notebooks 09, 11): check the answer's claims before trusting
  // it: who sent it (iss), that it is for us (aud), that it is fresh (iat, exp, nbf; NumericDates
  // as integers) and short-lived (exp - iat), and that it answers *our* request (in_reply_to =
  // the request's jti), so a replayed or swapped answer is refused.
  static void checkAnswerClaims(JsonNode claims, String clientId, String jti, long now) throws RecipeException {
    JsonNode aud = claims.path("aud");
    boolean forUs = clientId.equals(text(claims, "aud"));
    for (JsonNode one : aud.isArray() ? aud : JSON.createArrayNode()) {
      forUs |= one.isTextual() && clientId.equals(one.asText());
    }
    if (!AUDIENCE.equals(text(claims, "iss")) || !forUs) {
      throw new RecipeException("claims", "the answer is not from the practice server to this client");
    }
    JsonNode exp = claims.path("exp"), iat = claims.path("iat"), nbf = claims.get("nbf");
    for (JsonNode date : new JsonNode[] {exp, iat, nbf == null ? iat : nbf}) {
      if (!date.isIntegralNumber() || !date.canConvertToLong()) {
        throw new RecipeException("claims", "the answer's exp and iat (and nbf, if any) must be integers");
      }
    }
    // Written as comparisons with now +/- SKEW, so that no sum of a huge claim can overflow. Expired
    // "on or after" exp (RFC 7519 §4.1.4): so exp <= now - SKEW is refused, not only exp < now - SKEW.
    if (exp.asLong() <= now - SKEW || iat.asLong() > now + SKEW || (nbf != null && nbf.asLong() > now + SKEW)) {
      throw new RecipeException("claims", "the answer is expired or not yet valid");
    }
    if (exp.asLong() > iat.asLong() + MAX_ANSWER_LIFETIME || exp.asLong() <= iat.asLong()) {
      throw new RecipeException("claims", "the answer's exp - iat is not 1 to " + MAX_ANSWER_LIFETIME + " s");
    }
    if (!jti.equals(text(claims, "in_reply_to"))) {
      throw new RecipeException("claims", "the answer does not reply to this request's jti");
    }
  }
  // --- end stage ---

  record Answer(int status, String mediaType, byte[] body) {}

  /** The most a whole HTTP call may take: connect, send, and the answer's head and body. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  // Proxies: no .proxy(...) here, so the JDK's default ProxySelector decides, from the JVM's system
  // properties: -Dhttps.proxyHost/-Dhttps.proxyPort for https://, -Dhttp.proxyHost/-Dhttp.proxyPort
  // for http:// (the environment's https_proxy and no_proxy are not read; with
  // -Djava.net.useSystemProxies=true, the desktop's settings). A loopback base URL is not proxied:
  // http.nonProxyHosts (for https too) always holds the JDK's "localhost|127.*|[::1]|0.0.0.0|[::0]",
  // appended to any list one sets, unless it is set empty on purpose. Through a proxy an https://
  // call is a CONNECT tunnel: TLS, and its certificate check, still run end to end with the partner.
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();

  /**
   * An answer's body, at most {@code limit} bytes of it: there the download is cancelled, so an
   * answer longer than that is never read to its end (nor held in memory).
   */
  static final class UpTo implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private Flow.Subscription subscription;

    UpTo(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(1);
    }

    @Override
    public void onNext(List<java.nio.ByteBuffer> buffers) {
      for (java.nio.ByteBuffer buffer : buffers) {
        byte[] chunk = new byte[Math.min(buffer.remaining(), limit - bytes.size())];
        buffer.get(chunk);
        bytes.writeBytes(chunk);
      }
      if (bytes.size() < limit) {
        subscription.request(1);
      } else {
        subscription.cancel(); // enough: the rest is not downloaded
        body.complete(bytes.toByteArray());
      }
    }

    @Override
    public void onError(Throwable error) {
      body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toByteArray());
    }
  }

  /**
   * The URL, refused before any connection unless it is https://, or http:// to this machine. The
   * JWKS is the only source of the partner's keys: fetched over plain http from another host,
   * anyone on the path could swap in keys of their own, and then sign answers the recipe accepts.
   * Nor a user:password@ (credentials in a URL end up in logs, and http://127.0.0.1@evil/ goes to
   * evil), a ?query or a #fragment (the API's paths are appended: after them they are no paths).
   */
  static URI checkedUrl(String url) throws RecipeException {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new RecipeException("url", "the base URL is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new RecipeException("url", "the base URL must start with https:// (or http:// to loopback)");
    }
    if (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")) {
      throw new RecipeException("url", "the base URL must not hold a user name or password (user:pass@)");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) { // "" for a bare '?' or '#'
      throw new RecipeException("url", "the base URL must not have a query (?) or a fragment (#)");
    }
    if (uri.getHost() == null) {
      throw new RecipeException("url", "the base URL names no host");
    }
    if (scheme.equals("http") && !isLoopback(uri.getHost())) {
      throw new RecipeException("url", "plain http:// is only for a loopback host (127.0.0.0/8, [::1], localhost)");
    }
    return uri;
  }

  /**
   * localhost, 127.0.0.0/8 in dotted-quad form, or [::1] spelt so; decided from the text, no DNS
   * asked. Only hosts the JDK's default http.nonProxyHosts names (see HTTP), so that a loopback
   * URL never goes through a proxy: [0:0:0:0:0:0:0:1] or [::ffff:127.0.0.1] would, and are refused.
   */
  static boolean isLoopback(String host) {
    return host.equalsIgnoreCase("localhost") || host.equals("[::1]")
        || host.matches("127(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  }

  static Answer call(String method, String url, String contentType, byte[] body, Map<String, String> headers)
      throws RecipeException {
    HttpRequest.Builder request = HttpRequest.newBuilder(checkedUrl(url));
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    headers.forEach(request::header);
    // One deadline for the whole call. HttpRequest.timeout() stops counting once the answer's head
    // has arrived, which would leave the body unbounded: a server sending a byte now and then
    // would hold the call open for ever. So the call's future itself must be done within TIMEOUT.
    CompletableFuture<HttpResponse<byte[]>> pending = HTTP.sendAsync(request.build(), info -> new UpTo(MAX_BODY + 1));
    try {
      HttpResponse<byte[]> response = pending.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      String mediaType = response.headers().firstValue("Content-Type").orElse("").split(";")[0].trim().toLowerCase();
      return new Answer(response.statusCode(), mediaType, response.body());
    } catch (TimeoutException e) {
      throw new RecipeException("http", method + " " + url + " took longer than " + TIMEOUT.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new RecipeException("http", method + " " + url + " failed: " + e.getCause().getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RecipeException("http", method + " " + url + " was interrupted");
    } finally {
      pending.cancel(true); // once it is done, nothing; before, it aborts the exchange
    }
  }

  /**
   * Refuses (stage api) an answer without this status and media type: a JWKS or a registration
   * answer served as text/html, say, is not the API's answer, whatever its body parses as.
   */
  static void expect(Answer answer, int status, String mediaType) throws RecipeException {
    if (answer.status() != status) {
      throw apiError(answer);
    }
    if (!mediaType.equals(answer.mediaType())) {
      throw new RecipeException("api", "the practice server answered " + status + " but not " + mediaType);
    }
  }

  /**
   * The server's JSON error {"error": {"code", "stage", "message"}}, without echoing data: its
   * code is shown only when it has the documented shape, since raw server text on stderr could
   * carry a newline or a terminal escape that forges a line of this recipe's own output.
   */
  static RecipeException apiError(Answer answer) {
    String shown = "no error code";
    try {
      String code = text(JSON.readTree(answer.body()).path("error"), "code");
      if (code != null) {
        shown = code.matches("[a-z0-9._]{1,64}") ? "code '" + code + "'" : "an unreadable error code";
      }
    } catch (IOException e) {
      // not the documented error shape
    }
    return new RecipeException("api", "the practice server answered " + answer.status() + " with " + shown);
  }

  static ObjectNode kyc(String baseUrl) throws RecipeException, GeneralSecurityException, IOException {
    String base = baseUrl.replaceAll("/+$", "");
    checkedUrl(base); // refused before any key is made or any connection opened
    // Fresh DEMO keys: RSA-2048 to receive encrypted answers, P-256 to sign requests.
    KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
    rsaGenerator.initialize(2048, RANDOM);
    KeyPair enc = rsaGenerator.generateKeyPair();
    KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
    ecGenerator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    KeyPair sig = ecGenerator.generateKeyPair();
    byte[] tag = new byte[4];
    RANDOM.nextBytes(tag);
    String encKid = "demo-java-enc-" + HexFormat.of().formatHex(tag);
    String sigKid = "demo-java-sig-" + HexFormat.of().formatHex(tag);

    // One JWKS fetch per run: a one-shot command keeps no cache. A long-running client would
    // cache it for the answer's Cache-Control max-age but at most 3600 s (60 s when none is
    // given), fetch it again at most once per 30 s, and fetch it again once when an answer's
    // signing kid is not in it or the server answers key.kid_unknown or api.key_retired (a key
    // rotation).
    Answer answer = call("GET", base + "/.well-known/jwks.json", null, null, Map.of());
    expect(answer, 200, "application/json");
    JsonNode serverKeys = jsonObject(answer.body(), "the server's JWKS").get("keys");
    if (serverKeys == null || !serverKeys.isArray()) {
      throw new RecipeException("jwks", "the server's JWKS has no array 'keys'");
    }
    // An entry this recipe cannot use (no JSON object, another kty or alg, bad members, a key under
    // 2048 bits) is passed over, so a partner adding a new kind of key does not break its clients.
    PublicRecipient server = null;
    for (JsonNode candidate : serverKeys) { // an entry 1, "x" or null is no object: passed over too
      if (candidate.isObject() && server == null && "enc".equals(text(candidate, "use"))) {
        try {
          server = publicKeyFromJwk(candidate); // the first usable one listed is the current key
        } catch (RecipeException e) {
          // RSA-OAEP-256 with RSA >= 2048 bits and a kid, or passed over
        }
      }
    }
    if (server == null) {
      throw new RecipeException("jwks", "the server's JWKS has no usable RSA-OAEP-256 encryption key");
    }

    RSAPublicKey rsaPublic = (RSAPublicKey) enc.getPublic();
    ECPublicKey ecPublic = (ECPublicKey) sig.getPublic();
    Map<String, String> encJwk = new LinkedHashMap<>();
    encJwk.put("kty", "RSA");
    encJwk.put("kid", encKid);
    encJwk.put("use", "enc");
    encJwk.put("alg", ALG);
    encJwk.put("n", b64url(unsigned(rsaPublic.getModulus())));
    encJwk.put("e", b64url(unsigned(rsaPublic.getPublicExponent())));
    Map<String, String> sigJwk = new LinkedHashMap<>();
    sigJwk.put("kty", "EC");
    sigJwk.put("kid", sigKid);
    sigJwk.put("use", "sig");
    sigJwk.put("alg", "ES256");
    sigJwk.put("crv", "P-256");
    sigJwk.put("x", b64url(fixed(ecPublic.getW().getAffineX(), 32)));
    sigJwk.put("y", b64url(fixed(ecPublic.getW().getAffineY(), 32)));
    byte[] registration = JSON.writeValueAsBytes(Map.of("jwks", Map.of("keys", List.of(encJwk, sigJwk))));
    answer = call("POST", base + "/v1/clients", "application/json", registration, Map.of());
    expect(answer, 201, "application/json");
    String clientId = text(jsonObject(answer.body(), "the registration answer"), "client_id");
    if (clientId == null || !clientId.matches("[!-~]{1,256}")) { // it goes into a header: visible ASCII only
      throw new RecipeException("api", "the registration answer has no usable client_id");
    }

    long now = System.currentTimeMillis() / 1000;
    byte[] jtiBytes = new byte[16];
    RANDOM.nextBytes(jtiBytes);
    String jti = b64url(jtiBytes); // fresh per request: the server refuses a jti it has seen
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", clientId);
    claims.put("aud", AUDIENCE);
    claims.put("iat", now);
    claims.put("exp", now + LIFETIME);
    claims.put("jti", jti);
    claims.put("pan", "ABCDE1234F");
    claims.put("name", "Asha Rao");
    String jws = signEs256(claims, sig.getPrivate(), sigKid);
    String requestToken = encrypt(jws.getBytes(StandardCharsets.US_ASCII), server, "JWT");

    answer = call("POST", base + "/v1/kyc/pan", "application/jose",
        requestToken.getBytes(StandardCharsets.US_ASCII), Map.of("X-Client-Id", clientId));
    expect(answer, 200, "application/jose");
    if (answer.body().length > MAX_BODY) {
      throw new RecipeException("api", "the practice server's answer is larger than " + MAX_BODY + " bytes");
    }
    // The answer must be both: a JWE for our key (not a bare JWS anyone could have replayed in the
    // clear) whose plaintext is a JWS signed by the server (not bare claims: anyone holding our
    // PUBLIC key can encrypt those). decrypt() takes 5 parts only, verifyJws() 3 parts only.
    Opened opened = decrypt(new String(answer.body(), StandardCharsets.ISO_8859_1).replaceAll("^[ \\t\\r\\n]+|[ \\t\\r\\n]+$", ""),
        new PrivateRecipient(enc.getPrivate(), encKid));
    if (!saysJwt(text(opened.header(), "cty"))) {
      throw new RecipeException("header", "the answer's JWE does not say cty 'JWT' (a nested, signed JWT)");
    }
    ObjectNode verified = verifyJws(new String(opened.plaintext(), StandardCharsets.ISO_8859_1), serverKeys);
    checkAnswerClaims(verified, clientId, jti, System.currentTimeMillis() / 1000);
    return verified;
  }

  /**
   * At most {@code limit} bytes of a JWK file or of stdin: one byte more is read only to refuse it,
   * so an endless input (a pipe, /dev/zero) fails at once instead of filling the memory.
   */
  static byte[] readBounded(InputStream in, int limit, String stage, String what) throws RecipeException {
    try (in) {
      byte[] data = in.readNBytes(limit + 1);
      if (data.length > limit) {
        throw new RecipeException(stage, what + " is larger than " + limit + " bytes");
      }
      return data;
    } catch (IOException e) {
      throw new RecipeException(stage, "cannot read " + what);
    }
  }

  static ObjectNode readJsonFile(String path) throws RecipeException {
    InputStream in;
    try {
      in = Files.newInputStream(Path.of(path));
    } catch (IOException | java.nio.file.InvalidPathException e) { // InvalidPathException: a NUL in it
      throw new RecipeException("jwk", "cannot read " + escaped(path, 200));
    }
    return jsonObject(readBounded(in, MAX_INPUT, "jwk", escaped(path, 200)), "the JWK in " + escaped(path, 200));
  }

  /**
   * The result, onto stdout. System.out is a PrintStream, which swallows an IOException (a full
   * disk, a closed pipe) and only remembers it: without asking checkError(), which also flushes,
   * a lost output would end in exit status 0.
   */
  static void output(byte[] data) throws RecipeException {
    System.out.write(data, 0, data.length);
    if (System.out.checkError()) {
      throw new RecipeException("output", "cannot write the result to stdout");
    }
  }

  public static void main(String[] args) {
    if (args.length != 2 || !Set.of("encrypt", "decrypt", "kyc").contains(args[0])) {
      System.err.println("usage: Stages encrypt PUBLIC_JWK | decrypt PRIVATE_JWK | kyc BASE_URL");
      System.exit(2);
    }
    try {
      switch (args[0]) {
        case "encrypt" -> {
          PublicRecipient recipient = publicKeyFromJwk(readJsonFile(args[1]));
          String token = encrypt(readBounded(System.in, MAX_INPUT, "input", "stdin"), recipient, null);
          output((token + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        case "decrypt" -> {
          PrivateRecipient recipient = privateKeyFromJwk(readJsonFile(args[1]));
          String token = new String(readBounded(System.in, MAX_TOKEN, "input", "stdin"), StandardCharsets.ISO_8859_1).replaceAll("^[ \\t\\r\\n]+|[ \\t\\r\\n]+$", "");
          output(decrypt(token, recipient).plaintext());
        }
        default -> output((JSON.writerWithDefaultPrettyPrinter().writeValueAsString(kyc(args[1])) + "\n")
            .getBytes(StandardCharsets.UTF_8));
      }
    } catch (RecipeException e) {
      System.err.println("java recipe: " + e.getMessage());
      System.exit(1);
    } catch (Exception | StackOverflowError e) {
      // Anything unforeseen still ends in one line, and only this one: a stack trace or an
      // exception's message could carry the input (a plaintext, a key member).
      System.err.println("java recipe: internal: an unforeseen failure (a bug in this recipe)");
      System.exit(1);
    }
  }
}
