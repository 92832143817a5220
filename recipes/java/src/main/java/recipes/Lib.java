package recipes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSADecrypter;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The same RSA-OAEP-256 + A256GCM exchange with a JOSE library: Nimbus JOSE+JWT.
 *
 * <pre>
 *   recipes/run java-lib encrypt PUBLIC_JWK_FILE  &lt; plaintext &gt; token
 *   recipes/run java-lib decrypt PRIVATE_JWK_FILE &lt; token &gt; plaintext
 *   recipes/run java-lib kyc BASE_URL
 * </pre>
 *
 * <p>What Stages.java spells out, Nimbus does inside RSAEncrypter / RSADecrypter (with the right
 * OAEP parameters and the tag kept apart) and ECDSAVerifier / RSASSAVerifier. What stays the
 * caller's job, library or not: the allow-list of alg and enc, the key's use/alg/key_ops/size and
 * numbers checked, every JSON text read strictly (no member name twice, at any depth, no nesting
 * deeper than 32, no lone surrogate), the token's text checked strictly (base64url, a 96-bit
 * IV), the recipient's kid in the header, a failed write to stdout reported, fresh jti/exp, that
 * the answer is a JWE holding a JWS (not one or the other alone), and the answer's typ, iss,
 * aud, iat, exp, nbf and in_reply_to checked. The keys {@code kyc} makes are DEMO keys.
 */
public final class Lib {
  static final JWEAlgorithm ALG = JWEAlgorithm.RSA_OAEP_256;
  static final EncryptionMethod ENC = EncryptionMethod.A256GCM;
  static final String AUDIENCE = "jwe-steps-practice";
  static final long LIFETIME = 120;
  static final int SKEW = 30; // seconds of clock difference tolerated when checking the answer
  static final long MAX_ANSWER_LIFETIME = 300; // seconds an answer may live, exp - iat
  static final int MAX_BODY = 1 << 20; // the most of an answer read; larger is refused (the API takes <= 64 KiB)
  static final int MAX_INPUT = 1 << 20; // the most of a JWK file or of a plaintext on stdin read; larger is refused
  static final int MAX_TOKEN = 3 << 19; // a token of MAX_INPUT plaintext bytes fits: 4/3 of it + header, key, IV, tag
  static final int MAX_DEPTH = 32; // the deepest JSON nesting accepted in any JSON read (a JWKS is 3 deep)
  static final int MIN_BITS = 2048; // the smallest RSA modulus accepted
  static final int MAX_BITS = 16384; // the largest: checked before Nimbus does any arithmetic with n
  static final SecureRandom RANDOM = new SecureRandom();
  // Every JSON text this recipe reads (the key file, a JWE or JWS header, the JWKS, the answers)
  // is read strictly by Jackson before Nimbus reads it: Nimbus keeps the last of a member name
  // given twice inside an object, and refuses one at the top only as another error (a JWS it
  // cannot parse, claims that are no object), so two readers of one text could see two headers,
  // claims or keys. STRICT_JSON refuses a name twice at any depth; LENIENT_JSON, the same reader
  // without that check, tells such a text from one that is no JSON at all. Both refuse nesting
  // deeper than MAX_DEPTH, as every recipe does. A name or a number may be as long as the input
  // itself (Jackson's default caps are 50,000 and 1,000 characters: they would call valid JSON
  // "not JSON", and the input is bounded already, MAX_TOKEN or MAX_BODY); the text is read token
  // by token (notOneObject), so no number is ever converted.
  static final JsonFactory STRICT_JSON = jsonReader(true);
  static final JsonFactory LENIENT_JSON = jsonReader(false);

  static JsonFactory jsonReader(boolean strict) {
    return JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNameLength(MAX_TOKEN).maxNumberLength(MAX_TOKEN).maxNestingDepth(MAX_DEPTH).build())
        .configure(StreamReadFeature.STRICT_DUPLICATE_DETECTION, strict)
        .build();
  }

  static final class RecipeException extends Exception {
    private static final long serialVersionUID = 1L;

    RecipeException(String stage, String message) {
      super(stage + ": " + message);
    }
  }

  private Lib() {}

  /** An RSA JWK for RSA-OAEP-256, refused unless kty, use, alg, key_ops, size (and kid) fit. */
  static RSAKey rsaKey(String json, boolean isPrivate) throws RecipeException {
    JWK jwk;
    try {
      jwk = JWK.parse(json);
    } catch (ParseException | RuntimeException e) {
      // RuntimeException too: Nimbus 10 meets some bad files (the JSON null, a broken "oth") with
      // a NullPointerException. Its messages are not shown: they quote the file (a kty, a member).
      throw new RecipeException("jwk", "not a valid JWK");
    }
    return rsaKey(jwk, isPrivate);
  }

  static RSAKey rsaKey(JWK jwk, boolean isPrivate) throws RecipeException {
    if (!(jwk instanceof RSAKey rsa)) {
      throw new RecipeException("jwk", "expected kty 'RSA', found " + jwk.getKeyType());
    }
    if ((rsa.getKeyUse() != null && rsa.getKeyUse() != KeyUse.ENCRYPTION)
        || (rsa.getAlgorithm() != null && !ALG.equals(rsa.getAlgorithm()))) {
      throw new RecipeException("jwk", "the key is not for use 'enc' with alg " + ALG);
    }
    if (rsa.isPrivate() != isPrivate) {
      throw new RecipeException("jwk", "this is the wrong half of the key pair: need the "
          + (isPrivate ? "private" : "public") + " JWK");
    }
    // RFC 7517 §4.3: key_ops, when present, must allow what is done with the key. RSA-OAEP wraps
    // a CEK, so "wrapKey" / "unwrapKey" are the exact values; "encrypt" / "decrypt" are taken too.
    Set<KeyOperation> ops = rsa.getKeyOperations();
    Set<KeyOperation> allowed = isPrivate ? Set.of(KeyOperation.DECRYPT, KeyOperation.UNWRAP_KEY)
        : Set.of(KeyOperation.ENCRYPT, KeyOperation.WRAP_KEY);
    if (ops != null && ops.stream().noneMatch(allowed::contains)) {
      throw new RecipeException("jwk", "the key's key_ops allow neither '" + (isPrivate ? "unwrapKey" : "wrapKey")
          + "' nor '" + (isPrivate ? "decrypt" : "encrypt") + "'");
    }
    // Nimbus decodes a member leniently (padding, '+' and '/', line breaks): one spelling only.
    List<String> names = List.of("n", "e", "d", "p", "q", "dp", "dq", "qi");
    Base64URL[] members = {rsa.getModulus(), rsa.getPublicExponent(), rsa.getPrivateExponent(),
        rsa.getFirstPrimeFactor(), rsa.getSecondPrimeFactor(), rsa.getFirstFactorCRTExponent(),
        rsa.getSecondFactorCRTExponent(), rsa.getFirstCRTCoefficient()};
    for (int i = 0; i < members.length; i++) {
      if (members[i] != null) {
        strictBase64url(members[i].toString(), "the JWK's '" + names.get(i) + "'");
      }
    }
    BigInteger n = rsa.getModulus().decodeToBigInteger(), e = rsa.getPublicExponent().decodeToBigInteger();
    checkPublicNumbers(n, e); // the size first: the private members are checked against n
    if (isPrivate) {
      checkPrivateMembers(rsa, n, e);
    }
    if (!isPrivate && (rsa.getKeyID() == null || rsa.getKeyID().isEmpty())) {
      throw new RecipeException("jwk", "the recipient's JWK has no kid");
    }
    return rsa;
  }

  /**
   * The public numbers of a usable RSA key, checked before Nimbus or the JDK work with them: a
   * modulus n of MIN_BITS to MAX_BITS (the size first: a 1 MiB file could hold an n that keeps
   * one exponentiation busy for minutes), n odd and an odd exponent 3 <= e <= n - 1 (RFC 8017
   * §3.1). Nimbus takes an even n and writes a token nobody can open; with e = 1 the "encrypted"
   * CEK is just its OAEP padding, which anyone can undo.
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

  /**
   * The private members Nimbus needs to hold: d, and when p is there every CRT member with it
   * (RFC 7518 §6.3.2); no "oth" (multi-prime keys are not supported here). Nimbus would take a key
   * without d as private, and fail only later, inside the decryption. And they must be one RSA
   * key, which Nimbus does not check: with p, q, dp, dq, qi it decrypts without using d, so a
   * wrong d would pass here and fail wherever else the file is used (and a wrong CRT member the
   * other way round).
   */
  static void checkPrivateMembers(RSAKey rsa, BigInteger n, BigInteger e) throws RecipeException {
    if (rsa.getPrivateExponent() == null) {
      throw new RecipeException("jwk", "the private JWK has no member 'd'");
    }
    boolean anyCrt = rsa.getFirstPrimeFactor() != null || rsa.getSecondPrimeFactor() != null
        || rsa.getFirstFactorCRTExponent() != null || rsa.getSecondFactorCRTExponent() != null
        || rsa.getFirstCRTCoefficient() != null;
    boolean allCrt = rsa.getFirstPrimeFactor() != null && rsa.getSecondPrimeFactor() != null
        && rsa.getFirstFactorCRTExponent() != null && rsa.getSecondFactorCRTExponent() != null
        && rsa.getFirstCRTCoefficient() != null;
    if (anyCrt && !allCrt) {
      throw new RecipeException("jwk", "the private JWK has some of p, q, dp, dq, qi but not all (RFC 7518 §6.3.2)");
    }
    if (rsa.getOtherPrimes() != null && !rsa.getOtherPrimes().isEmpty()) {
      throw new RecipeException("jwk", "multi-prime RSA keys ('oth') are not supported");
    }
    // RFC 8017 §3.2, with n already at most MAX_BITS: 0 < d < n and 1 < p, q < n before any
    // arithmetic, so a member of a million bits costs one comparison; then n = p q,
    // e d = 1 mod lcm(p - 1, q - 1), dp = d mod (p - 1), dq = d mod (q - 1), qi < p and
    // qi q = 1 mod p. A few operations on numbers of at most 2 * MAX_BITS bits.
    BigInteger one = BigInteger.ONE, d = rsa.getPrivateExponent().decodeToBigInteger();
    boolean consistent = d.signum() > 0 && d.compareTo(n) < 0;
    if (consistent && allCrt) {
      BigInteger p = rsa.getFirstPrimeFactor().decodeToBigInteger();
      BigInteger q = rsa.getSecondPrimeFactor().decodeToBigInteger();
      BigInteger dp = rsa.getFirstFactorCRTExponent().decodeToBigInteger();
      BigInteger dq = rsa.getSecondFactorCRTExponent().decodeToBigInteger();
      BigInteger qi = rsa.getFirstCRTCoefficient().decodeToBigInteger();
      consistent = p.compareTo(one) > 0 && p.compareTo(n) < 0 && q.compareTo(one) > 0 && q.compareTo(n) < 0
          && p.multiply(q).equals(n);
      if (consistent) { // p - 1 and q - 1 are not zero now, so no "mod 0"
        BigInteger p1 = p.subtract(one), q1 = q.subtract(one);
        BigInteger lambda = p1.divide(p1.gcd(q1)).multiply(q1);
        consistent = e.multiply(d).mod(lambda).equals(one)
            && dp.equals(d.mod(p1)) && dq.equals(d.mod(q1))
            && qi.compareTo(p) < 0 && qi.multiply(q).mod(p).equals(one);
      }
    }
    if (!consistent) {
      throw new RecipeException("jwk", "the private JWK's members do not form one RSA key");
    }
  }

  /** Strict base64url (RFC 7515 §2): the URL alphabet only, no padding, no whitespace, canonical trailing bits. */
  static byte[] strictBase64url(String text, String what) throws RecipeException {
    if (!text.matches("[A-Za-z0-9_-]*") || text.length() % 4 == 1) {
      throw new RecipeException("base64url", what + " is not unpadded base64url");
    }
    byte[] data = Base64.getUrlDecoder().decode(text);
    if (!Base64.getUrlEncoder().withoutPadding().encodeToString(data).equals(text)) {
      throw new RecipeException("base64url", what + " has non-canonical trailing bits");
    }
    return data;
  }

  /**
   * What a careful integrator checks before handing a token to Nimbus, which is lenient here:
   * five parts (RFC 7516 §7.1); each strict base64url (Nimbus's decoder skips line breaks, spaces
   * and padding, so many texts would spell one token, and a replay cache keyed on the text could
   * be passed); the header strict UTF-8 JSON; and the 96-bit IV and 128-bit tag of A256GCM (RFC
   * 7518 §5.3; Nimbus takes an IV of any length).
   */
  static void checkCompactText(String token) throws RecipeException {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 5) {
      throw new RecipeException("parse", "expected 5 parts in a compact JWE, found " + parts.length);
    }
    List<String> names = List.of("protected header", "encrypted key", "IV", "ciphertext", "tag");
    byte[][] decoded = new byte[5][];
    for (int i = 0; i < 5; i++) {
      decoded[i] = strictBase64url(parts[i], names.get(i));
    }
    strictJson(decoded[0], "the protected header");
    if (decoded[2].length != 12 || decoded[4].length != 16) {
      throw new RecipeException("parse", "expected a 12-byte IV and a 16-byte tag");
    }
  }

  static String encrypt(byte[] plaintext, RSAKey recipient, String cty) throws JOSEException {
    JWEHeader.Builder header = new JWEHeader.Builder(ALG, ENC).keyID(recipient.getKeyID());
    if (cty != null) {
      header.contentType(cty);
    }
    JWEObject jwe = new JWEObject(header.build(), new Payload(plaintext));
    jwe.encrypt(new RSAEncrypter(recipient));
    return jwe.serialize();
  }

  /** The token decrypted: a compact JWE (5 parts), within the allow-list, for this key's kid. */
  static EncryptedJWT decrypt(String token, RSAKey recipient) throws RecipeException {
    checkCompactText(token);
    EncryptedJWT jwe;
    try {
      jwe = EncryptedJWT.parse(token);
    } catch (ParseException | RuntimeException e) {
      // The text is a well-formed compact JWE now, so what Nimbus refuses is the header: not a
      // JSON object, no alg or enc (Nimbus 10 then throws a NullPointerException), alg "none"
      // (an IllegalArgumentException), or longer than Nimbus's 20,000 characters.
      throw new RecipeException("header", "the protected header is not a JWE header (JSON, alg, enc) Nimbus takes");
    }
    try {
      JWEHeader header = jwe.getHeader();
      if (!ALG.equals(header.getAlgorithm()) || !ENC.equals(header.getEncryptionMethod())) {
        throw new RecipeException("header", "expected alg " + ALG + " and enc " + ENC); // the allow-list
      }
      // RSADecrypter would inflate a "zip": "DEF" plaintext. Nothing here sends one, and
      // compressing before encrypting lets the ciphertext's length tell about the plaintext
      // (CRIME), so such a header is refused before any key is used.
      if (header.getCompressionAlgorithm() != null) {
        throw new RecipeException("header", "a compressed token ('zip') is refused");
      }
      if (recipient.getKeyID() != null && !recipient.getKeyID().equals(header.getKeyID())) {
        throw new RecipeException("header", "the token's kid is not this key's kid");
      }
      // RFC 8017 §7.1.2 step 1: the encrypted key is exactly k bytes, k the modulus's length. The
      // JDK under Nimbus also takes one shorter (its leading 0x00 dropped), a second spelling of
      // one CEK: thrown here, it gets the one answer of a key that does not open the token.
      int k = (recipient.getModulus().decodeToBigInteger().bitLength() + 7) / 8;
      if (jwe.getEncryptedKey().decode().length != k) {
        throw new JOSEException("the encrypted key is not k bytes"); // never shown
      }
      jwe.decrypt(new RSADecrypter(recipient));
      return jwe;
    } catch (JOSEException e) {
      throw new RecipeException("decrypt", "the token does not decrypt with this key");
    }
  }

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
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
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
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer buffer : buffers) {
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
   * The server's JSON error {"error": {"code", ...}}: its code is shown only when it has the
   * documented shape, since raw server text on stderr could carry a newline or a terminal escape
   * that forges a line of this recipe's own output. An error body with a member name twice shows
   * no code either: a client that acts on the code (fetches the JWKS again on key.kid_unknown)
   * must read the one the server meant.
   */
  static RecipeException apiError(Answer answer) {
    String shown = "no error code";
    try {
      Map<String, Object> error = JSONObjectUtils.getJSONObject(
          JSONObjectUtils.parse(strictJson(answer.body(), "the error answer")), "error");
      String code = error == null ? null : JSONObjectUtils.getString(error, "code");
      if (code != null) {
        shown = code.matches("[a-z0-9._]{1,64}") ? "code '" + code + "'" : "an unreadable error code";
      }
    } catch (ParseException | RecipeException e) {
      // not the documented error shape
    }
    return new RecipeException("api", "the practice server answered " + answer.status() + " with " + shown);
  }

  /** RFC 7515 §4.1.9-10: a typ or cty of "JWT" is compared case-insensitively, "application/" optional. */
  static boolean saysJwt(String type) {
    return type != null && (type.equalsIgnoreCase("JWT") || type.equalsIgnoreCase("application/jwt"));
  }

  /**
   * The verifier for the answer's JWS: the partner's JWKS entry with the JWS's kid, use "sig", an
   * alg that is absent or the JWS's, and the kty the alg needs (P-256 for ES256, RSA >= 2048 bits
   * for PS256). Entries that do not fit are passed over, so one odd key cannot stop the exchange;
   * two that fit are ambiguous (RFC 7517 §4.5: keys of one kind do not share a kid), and refused.
   */
  static JWSVerifier verifier(JWSHeader header, List<JWK> keys) throws RecipeException {
    JWSAlgorithm alg = header.getAlgorithm();
    JWSVerifier chosen = null;
    for (JWK key : keys) {
      if (!header.getKeyID().equals(key.getKeyID()) || !KeyUse.SIGNATURE.equals(key.getKeyUse())
          || (key.getAlgorithm() != null && !alg.equals(key.getAlgorithm()))) {
        continue;
      }
      JWSVerifier found = null;
      try {
        if (JWSAlgorithm.ES256.equals(alg) && key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
          found = new ECDSAVerifier(ec); // verify() refuses r or s outside [1, n-1] (CVE-2022-21449)
        }
        if (JWSAlgorithm.PS256.equals(alg) && key instanceof RSAKey rsa && rsa.size() >= 2048) {
          found = new RSASSAVerifier(rsa);
        }
      } catch (JOSEException e) {
        // a key that does not load: passed over like any other unusable entry
      }
      if (found != null && chosen != null) {
        throw new RecipeException("jwks", "the partner's JWKS has more than one signing key with this kid");
      }
      chosen = found != null ? found : chosen;
    }
    if (chosen != null) {
      return chosen;
    }
    throw new RecipeException("jws", "no signing key in the partner's JWKS has this kid, alg and kty");
  }

  // RFC 7519 §4.1, RFC 8725 §3.3: check the answer's claims before trusting it: who sent it (iss),
  // that it is for us (aud), that it is fresh (iat, exp, nbf; NumericDates as integers) and short-
  // lived, and that it answers *our* request (in_reply_to = the request's jti), so a replayed or
  // swapped answer is refused.
  static void checkAnswerClaims(Map<String, Object> claims, String clientId, String jti, long now)
      throws RecipeException {
    Object aud = claims.get("aud");
    boolean forUs = clientId.equals(aud) || (aud instanceof List<?> list && list.contains(clientId));
    if (!AUDIENCE.equals(claims.get("iss")) || !forUs) {
      throw new RecipeException("claims", "the answer is not from the practice server to this client");
    }
    // Integers only: Nimbus reads a JSON integer as a Long, anything with a fraction or exponent as a Double.
    if (!(claims.get("exp") instanceof Long exp) || !(claims.get("iat") instanceof Long iat)
        || (claims.containsKey("nbf") && !(claims.get("nbf") instanceof Long))) {
      throw new RecipeException("claims", "the answer's exp and iat (and nbf, if any) must be integers");
    }
    // Written as comparisons with now +/- SKEW, so that no sum of a huge claim can overflow. Expired
    // "on or after" exp (RFC 7519 §4.1.4): so exp <= now - SKEW is refused, not only exp < now - SKEW.
    if (exp <= now - SKEW || iat > now + SKEW || (claims.get("nbf") instanceof Long nbf && nbf > now + SKEW)) {
      throw new RecipeException("claims", "the answer is expired or not yet valid");
    }
    if (exp > iat + MAX_ANSWER_LIFETIME || exp <= iat) { // expiring before it was issued, too
      throw new RecipeException("claims", "the answer's exp - iat is not 1 to " + MAX_ANSWER_LIFETIME + " s");
    }
    if (!jti.equals(claims.get("in_reply_to"))) {
      throw new RecipeException("claims", "the answer does not reply to this request's jti");
    }
  }

  static Map<String, Object> kyc(String baseUrl) throws Exception {
    String base = baseUrl.replaceAll("/+$", "");
    checkedUrl(base); // refused before any key is made or any connection opened
    byte[] tag = new byte[4];
    RANDOM.nextBytes(tag);
    // Fresh DEMO keys: RSA-2048 to receive encrypted answers, P-256 to sign requests.
    RSAKey encKey = new RSAKeyGenerator(2048).keyUse(KeyUse.ENCRYPTION).algorithm(ALG)
        .keyID("demo-java-lib-enc-" + HexFormat.of().formatHex(tag)).generate();
    var sigKey = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
        .keyID("demo-java-lib-sig-" + HexFormat.of().formatHex(tag)).generate();

    // One JWKS fetch per run: a one-shot command keeps no cache. A long-running client would
    // cache it for the answer's Cache-Control max-age but at most 3600 s (60 s when none is
    // given), fetch it again at most once per 30 s, and fetch it again once when an answer's
    // signing kid is not in it or the server answers key.kid_unknown or api.key_retired (a key
    // rotation).
    Answer answer = call("GET", base + "/.well-known/jwks.json", null, null, Map.of());
    expect(answer, 200, "application/json");
    ServerKeys server = serverKeys(answer.body());

    String registration = "{\"jwks\":" + new JWKSet(List.of(encKey.toPublicJWK(), sigKey.toPublicJWK())).toString(true) + "}";
    answer = call("POST", base + "/v1/clients", "application/json", registration.getBytes(StandardCharsets.UTF_8), Map.of());
    expect(answer, 201, "application/json");
    String clientId;
    try {
      clientId = JSONObjectUtils.getString(
          JSONObjectUtils.parse(strictJson(answer.body(), "the registration answer")), "client_id");
    } catch (ParseException e) { // a client_id that is no string, or nested deeper than Nimbus reads
      clientId = null;
    }
    if (clientId == null || !clientId.matches("[!-~]{1,256}")) { // it goes into a header: visible ASCII only
      throw new RecipeException("api", "the registration answer has no usable client_id");
    }

    // Sign (Nimbus writes ES256 as the raw r || s JWS wants), then encrypt with cty "JWT".
    byte[] jtiBytes = new byte[16];
    RANDOM.nextBytes(jtiBytes);
    String jti = com.nimbusds.jose.util.Base64URL.encode(jtiBytes).toString(); // fresh per request
    Date now = new Date((System.currentTimeMillis() / 1000) * 1000);
    JWTClaimsSet requestClaims = new JWTClaimsSet.Builder().issuer(clientId).audience(AUDIENCE).issueTime(now)
        .expirationTime(new Date(now.getTime() + LIFETIME * 1000)).jwtID(jti)
        .claim("pan", "ABCDE1234F").claim("name", "Asha Rao").build();
    SignedJWT request = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).keyID(sigKey.getKeyID()).build(),
        requestClaims);
    request.sign(new ECDSASigner(sigKey));
    String requestToken = encrypt(request.serialize().getBytes(StandardCharsets.US_ASCII), server.encryption(), "JWT");

    answer = call("POST", base + "/v1/kyc/pan", "application/jose",
        requestToken.getBytes(StandardCharsets.US_ASCII), Map.of("X-Client-Id", clientId));
    expect(answer, 200, "application/jose");
    if (answer.body().length > MAX_BODY) {
      throw new RecipeException("api", "the practice server's answer is larger than " + MAX_BODY + " bytes");
    }
    EncryptedJWT jwe = decrypt(new String(answer.body(), StandardCharsets.US_ASCII).replaceAll("^[ \\t\\r\\n]+|[ \\t\\r\\n]+$", ""), encKey);
    return verifiedClaims(jwe, server.signing(), clientId, jti);
  }

  /** The server's current encryption key, and its signing keys: only these may verify its answers. */
  record ServerKeys(RSAKey encryption, List<JWK> signing) {}

  /**
   * The server's JWKS, strict JSON at any depth (its entries too), read entry by entry, not with
   * JWKSet.parse, which fails as a whole on one broken entry: an entry this recipe cannot use
   * (another kty or alg, bad members, a key that does not load) is passed over, so a partner
   * adding a new kind of key does not break its clients.
   */
  static ServerKeys serverKeys(byte[] body) throws RecipeException {
    List<Object> entries;
    try {
      entries = JSONObjectUtils.getJSONArray(JSONObjectUtils.parse(strictJson(body, "the server's JWKS")), "keys");
    } catch (ParseException e) { // also a nesting too deep, or "keys" not an array
      throw new RecipeException("jwks", "the server's JWKS is not a JSON object with an array 'keys'");
    }
    if (entries == null) {
      throw new RecipeException("jwks", "the server's JWKS has no member 'keys'");
    }
    RSAKey encryption = null;
    List<JWK> signing = new ArrayList<>(); // the JWS kid picks one
    for (Object entry : entries) {
      if (!(entry instanceof Map<?, ?>)) {
        continue; // an entry that is no JSON object (1, "x", null): passed over like the rest
      }
      JWK jwk;
      try {
        @SuppressWarnings("unchecked") // JSONObjectUtils reads every JSON object as a Map<String, Object>
        Map<String, Object> object = (Map<String, Object>) entry;
        jwk = JWK.parse(object);
      } catch (ParseException | RuntimeException e) { // RuntimeException: whatever the parser did not foresee
        continue;
      }
      if (KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
        signing.add(jwk);
      } else if (encryption == null && KeyUse.ENCRYPTION.equals(jwk.getKeyUse())) {
        try {
          encryption = rsaKey(jwk, false); // the first usable one listed is the current key
        } catch (RecipeException e) {
          // RSA-OAEP-256 with RSA >= 2048 bits and a kid, or passed over
        }
      }
    }
    if (encryption == null) {
      throw new RecipeException("jwks", "the server's JWKS has no usable RSA-OAEP-256 encryption key");
    }
    return new ServerKeys(encryption, signing);
  }

  /**
   * The answer's claims, once the decrypted answer is found to be what it must be. Decrypt, then
   * verify, step by step rather than with DefaultJWTProcessor: its process(String) also takes a
   * JWE of bare claims (no signature: anyone holding our PUBLIC key can make one) and a bare JWS
   * (not encrypted), and the answer must be both. So: a compact JWE for our key (allow-list
   * RSA-OAEP-256 + A256GCM, no zip) that says cty "JWT", whose plaintext is a compact JWS, its
   * header strict JSON, typ "JWT", PS256 or ES256, verified with the server's signing key its kid
   * names, and its claims strict JSON that checkAnswerClaims accepts.
   */
  static Map<String, Object> verifiedClaims(EncryptedJWT jwe, List<JWK> serverSigning, String clientId, String jti)
      throws RecipeException {
    if (!saysJwt(jwe.getHeader().getContentType())) {
      throw new RecipeException("header", "the answer's JWE does not say cty 'JWT' (a nested, signed JWT)");
    }
    String nested = jwe.getPayload().toString();
    strictJwsPart(nested, 0, "the answer's JWS header");
    SignedJWT signed;
    try {
      signed = SignedJWT.parse(nested); // 3 parts and a JWS header, or a ParseException
    } catch (ParseException e) {
      throw new RecipeException("jws", "the answer's JWE does not hold a signed JWT (a compact JWS)");
    }
    JWSHeader header = signed.getHeader();
    // No member beyond these three: no crit, no b64 (RFC 7797), no embedded jwk / jku / x5u to trust.
    if (!Set.of(JWSAlgorithm.PS256, JWSAlgorithm.ES256).contains(header.getAlgorithm())
        || !Set.of("alg", "typ", "kid").containsAll(header.getIncludedParams()) || header.getKeyID() == null
        || header.getKeyID().isEmpty()) {
      throw new RecipeException("jws", "expected alg PS256 or ES256, a kid, and no other members but typ");
    }
    if (header.getType() == null || !saysJwt(header.getType().getType())) { // RFC 8725 §3.11 explicit typing
      throw new RecipeException("jws", "the answer's JWS does not say typ 'JWT'");
    }
    try {
      if (!signed.verify(verifier(header, serverSigning))) {
        throw new RecipeException("jws", "the server's signature does not verify");
      }
    } catch (JOSEException e) {
      throw new RecipeException("jws", "the server's signature does not verify");
    }
    strictJwsPart(nested, 1, "the answer's JWT claims set"); // verified; now read strictly
    Map<String, Object> claims = signed.getPayload().toJSONObject();
    if (claims == null) {
      throw new RecipeException("claims", "the answer's claims are not a JSON object");
    }
    checkAnswerClaims(claims, clientId, jti, System.currentTimeMillis() / 1000);
    return claims;
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

  static String readJwkFile(String path) throws RecipeException {
    String shown = escaped(path, 200); // the path is shown escaped: it may hold a newline too
    InputStream in;
    try {
      in = Files.newInputStream(Path.of(path));
    } catch (IOException | java.nio.file.InvalidPathException e) { // InvalidPathException: a NUL in it
      throw new RecipeException("jwk", "cannot read " + shown);
    }
    return strictJson(readBounded(in, MAX_INPUT, "jwk", shown), "the JWK in " + shown);
  }

  /**
   * The bytes as text, refused (a json error) unless they are strict UTF-8 holding one JSON
   * object with no member name twice at any depth, at most MAX_DEPTH deep and with no lone
   * surrogate (RFC 8259 §8.1: no byte order mark either), as the stage recipe reads them. What
   * the object holds is Nimbus's to judge: an object that is no key or no JWE header is refused
   * at the jwk or header stage.
   */
  static String strictJson(byte[] data, String what) throws RecipeException {
    String text;
    try { // strictly: new String(data, UTF_8) would turn a byte that is no UTF-8 into U+FFFD
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(data)).toString();
    } catch (CharacterCodingException e) {
      throw new RecipeException("json", what + " is not UTF-8");
    }
    if (notOneObject(STRICT_JSON, text) != null) {
      String lenient = notOneObject(LENIENT_JSON, text);
      throw new RecipeException("json", what + (lenient == null ? " has a member name twice" : lenient));
    }
    return text;
  }

  /**
   * Null if the text is one JSON object to this reader, with no lone surrogate and nothing after it
   * but white space; else what it is instead. It is read token by token: STRICT_JSON checks each
   * member name as it comes.
   */
  static String notOneObject(JsonFactory reader, String text) {
    try (JsonParser parser = reader.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return " is not one JSON object";
      }
      for (int open = 1; open > 0; ) {
        JsonToken token = parser.nextToken();
        if (token == null) {
          return " is not one JSON object";
        } else if (token.isStructStart()) {
          open++;
        } else if (token.isStructEnd()) {
          open--;
        } else if ((token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING)
            && parser.getText().codePoints().anyMatch(c -> c >= 0xD800 && c <= 0xDFFF)) {
          // a \\u escape of a surrogate that is not half of a pair: no character (RFC 8259
          // §8.2), which Jackson keeps and writes as "?", and other readers make U+FFFD
          return " holds a \\u escape of a lone surrogate";
        }
      }
      return parser.nextToken() == null ? null : " is not one JSON object";
    } catch (StreamConstraintsException e) { // the nesting: names and numbers may be as long as the input
      return " is nested more than " + MAX_DEPTH + " deep";
    } catch (IOException e) { // a JsonProcessingException: not JSON, a name twice
      return " is not one JSON object";
    }
  }

  /**
   * Part i of the compact JWS text (0 its header, 1 its claims), read as strictJson reads a JWE
   * header, before Nimbus reads it, as the stage recipe reads it: claims that are no JSON object
   * are a json error here too. A JWS that is not three parts is left to Nimbus (a jws error).
   */
  static void strictJwsPart(String jws, int i, String what) throws RecipeException {
    String[] parts = jws.split("\\.", -1);
    if (parts.length == 3) {
      strictJson(strictBase64url(parts[i], what), what);
    }
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
      System.err.println("usage: Lib encrypt PUBLIC_JWK | decrypt PRIVATE_JWK | kyc BASE_URL");
      System.exit(2);
    }
    try {
      if (args[0].equals("kyc")) {
        String claims = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(kyc(args[1]));
        output((claims + "\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
      String json = readJwkFile(args[1]);
      if (args[0].equals("encrypt")) {
        RSAKey recipient = rsaKey(json, false);
        String token = encrypt(readBounded(System.in, MAX_INPUT, "input", "stdin"), recipient, null);
        output((token + "\n").getBytes(StandardCharsets.US_ASCII));
      } else {
        RSAKey recipient = rsaKey(json, true);
        String token = new String(readBounded(System.in, MAX_TOKEN, "input", "stdin"), StandardCharsets.ISO_8859_1).replaceAll("^[ \\t\\r\\n]+|[ \\t\\r\\n]+$", "");
        output(decrypt(token, recipient).getPayload().toBytes());
      }
    } catch (RecipeException e) {
      System.err.println("java-lib recipe: " + e.getMessage());
      System.exit(1);
    } catch (Exception | StackOverflowError e) {
      // Anything unforeseen still ends in one line, and only this one: a stack trace or an
      // exception's message could carry the input (a plaintext, a key member).
      System.err.println("java-lib recipe: internal: an unforeseen failure (a bug in this recipe)");
      System.exit(1);
    }
  }
}
