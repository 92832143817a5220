package recipes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSADecrypter;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWEDecryptionKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
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
 * OAEP parameters and the tag kept apart). What stays the caller's job, library or not: the
 * allow-list of alg and enc, the key's use/alg/size checked, the recipient's kid in the header,
 * fresh jti/exp, and the answer's iss, aud, exp and in_reply_to checked. The keys {@code kyc}
 * makes are DEMO keys.
 */
public final class Lib {
  static final JWEAlgorithm ALG = JWEAlgorithm.RSA_OAEP_256;
  static final EncryptionMethod ENC = EncryptionMethod.A256GCM;
  static final String AUDIENCE = "jwe-steps-practice";
  static final long LIFETIME = 120;
  static final int SKEW = 30;
  static final int MAX_BODY = 1 << 20; // the most of an answer read; larger is refused (the API takes <= 64 KiB)
  static final SecureRandom RANDOM = new SecureRandom();

  static final class RecipeException extends Exception {
    private static final long serialVersionUID = 1L;

    RecipeException(String stage, String message) {
      super(stage + ": " + message);
    }
  }

  private Lib() {}

  /** An RSA JWK for RSA-OAEP-256, refused unless kty, use, alg, size (and kid) fit. */
  static RSAKey rsaKey(String json, boolean isPrivate) throws RecipeException {
    JWK jwk;
    try {
      jwk = JWK.parse(json);
    } catch (ParseException e) {
      throw new RecipeException("jwk", "not a valid JWK");
    }
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
    if (rsa.size() < 2048) {
      throw new RecipeException("jwk", "expected an RSA key of >= 2048 bits, found " + rsa.size());
    }
    if (!isPrivate && (rsa.getKeyID() == null || rsa.getKeyID().isEmpty())) {
      throw new RecipeException("jwk", "the recipient's JWK has no kid");
    }
    return rsa;
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

  static byte[] decrypt(String token, RSAKey recipient) throws RecipeException {
    try {
      JWEObject jwe = JWEObject.parse(token);
      JWEHeader header = jwe.getHeader();
      if (!ALG.equals(header.getAlgorithm()) || !ENC.equals(header.getEncryptionMethod())) {
        throw new RecipeException("header", "expected alg " + ALG + " and enc " + ENC); // the allow-list
      }
      if (recipient.getKeyID() != null && !recipient.getKeyID().equals(header.getKeyID())) {
        throw new RecipeException("header", "the token's kid is not this key's kid");
      }
      jwe.decrypt(new RSADecrypter(recipient));
      return jwe.getPayload().toBytes();
    } catch (ParseException e) {
      throw new RecipeException("parse", "not a compact JWE");
    } catch (JOSEException e) {
      throw new RecipeException("decrypt", "the token does not decrypt with this key");
    }
  }

  record Answer(int status, String mediaType, byte[] body) {}

  /** The most a whole HTTP call may take: connect, send, and the answer's head and body. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

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

  static Answer call(String method, String url, String contentType, byte[] body, Map<String, String> headers)
      throws RecipeException {
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw new RecipeException("http", "the base URL must start with http:// or https://");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
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

  static RecipeException apiError(Answer answer) {
    String code = "unknown";
    try {
      code = new ObjectMapper().readTree(answer.body()).path("error").path("code").asText(code);
    } catch (IOException e) {
      // not the documented error shape
    }
    return new RecipeException("api", "the practice server answered " + answer.status() + " with code '" + code + "'");
  }

  static Map<String, Object> kyc(String baseUrl) throws Exception {
    String base = baseUrl.replaceAll("/+$", "");
    byte[] tag = new byte[4];
    RANDOM.nextBytes(tag);
    // Fresh DEMO keys: RSA-2048 to receive encrypted answers, P-256 to sign requests.
    RSAKey encKey = new RSAKeyGenerator(2048).keyUse(KeyUse.ENCRYPTION).algorithm(ALG)
        .keyID("demo-java-lib-enc-" + HexFormat.of().formatHex(tag)).generate();
    var sigKey = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
        .keyID("demo-java-lib-sig-" + HexFormat.of().formatHex(tag)).generate();

    // One JWKS fetch per run. A long-lived client caches it for its Cache-Control max-age
    // and fetches it again, once, on key.kid_unknown or api.key_retired (a key rotation).
    Answer answer = call("GET", base + "/.well-known/jwks.json", null, null, Map.of());
    if (answer.status() != 200) {
      throw apiError(answer);
    }
    JWKSet serverJwks;
    try {
      serverJwks = JWKSet.parse(new String(answer.body(), StandardCharsets.UTF_8));
    } catch (ParseException e) {
      throw new RecipeException("jwks", "the server's JWKS is not a JSON JWK set");
    }
    JWK serverEnc = serverJwks.getKeys().stream().filter(k -> k.getKeyUse() == KeyUse.ENCRYPTION).findFirst()
        .orElseThrow(() -> new RecipeException("jwks", "the server's JWKS has no encryption key"));
    RSAKey server = rsaKey(serverEnc.toJSONString(), false); // the first listed is the current key
    // Only the server's signing keys may verify its answers; the JWS kid picks one.
    JWKSet serverSigning = new JWKSet(serverJwks.getKeys().stream().filter(k -> k.getKeyUse() == KeyUse.SIGNATURE).toList());

    String registration = "{\"jwks\":" + new JWKSet(List.of(encKey.toPublicJWK(), sigKey.toPublicJWK())).toString(true) + "}";
    answer = call("POST", base + "/v1/clients", "application/json", registration.getBytes(StandardCharsets.UTF_8), Map.of());
    if (answer.status() != 201) {
      throw apiError(answer);
    }
    String clientId;
    try {
      clientId = new ObjectMapper().readTree(answer.body()).path("client_id").asText(null);
    } catch (IOException e) {
      throw new RecipeException("json", "the registration answer is not JSON");
    }
    if (clientId == null) {
      throw new RecipeException("api", "the registration answer has no client_id");
    }

    // Sign (Nimbus writes ES256 as the raw r || s JWS wants), then encrypt with cty "JWT".
    byte[] jtiBytes = new byte[16];
    RANDOM.nextBytes(jtiBytes);
    String jti = com.nimbusds.jose.util.Base64URL.encode(jtiBytes).toString(); // fresh per request
    Date now = new Date((System.currentTimeMillis() / 1000) * 1000);
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(clientId).audience(AUDIENCE).issueTime(now)
        .expirationTime(new Date(now.getTime() + LIFETIME * 1000)).jwtID(jti)
        .claim("pan", "ABCDE1234F").claim("name", "Asha Rao").build();
    SignedJWT signed = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).keyID(sigKey.getKeyID()).build(), claims);
    signed.sign(new ECDSASigner(sigKey));
    String requestToken = encrypt(signed.serialize().getBytes(StandardCharsets.US_ASCII), server, "JWT");

    answer = call("POST", base + "/v1/kyc/pan", "application/jose",
        requestToken.getBytes(StandardCharsets.US_ASCII), Map.of("X-Client-Id", clientId));
    if (answer.status() != 200 || !"application/jose".equals(answer.mediaType()) || answer.body().length > MAX_BODY) {
      throw apiError(answer);
    }

    // Decrypt-then-verify in one processor: the JWE with our key (allow-list RSA-OAEP-256 +
    // A256GCM), the nested JWS (cty "JWT") with the server's signing keys (PS256 or ES256), then
    // the claims: aud is us, iss and in_reply_to exact, exp and iat required, 30 s of skew.
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWEKeySelector(new JWEDecryptionKeySelector<>(ALG, ENC, new ImmutableJWKSet<>(new JWKSet(encKey))));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(
        Set.of(JWSAlgorithm.PS256, JWSAlgorithm.ES256), new ImmutableJWKSet<>(serverSigning)));
    DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
        clientId,
        new JWTClaimsSet.Builder().issuer(AUDIENCE).claim("in_reply_to", jti).build(),
        Set.of("iss", "aud", "iat", "exp", "in_reply_to"));
    verifier.setMaxClockSkew(SKEW);
    processor.setJWTClaimsSetVerifier(verifier);
    try {
      JWTClaimsSet verified = processor.process(new String(answer.body(), StandardCharsets.US_ASCII).strip(), null);
      return verified.toJSONObject();
    } catch (ParseException | com.nimbusds.jose.proc.BadJOSEException | JOSEException e) {
      throw new RecipeException("jws", "the server's answer fails its decryption, signature or claim checks");
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !Set.of("encrypt", "decrypt", "kyc").contains(args[0])) {
      System.err.println("usage: Lib encrypt PUBLIC_JWK | decrypt PRIVATE_JWK | kyc BASE_URL");
      System.exit(2);
    }
    try {
      if (args[0].equals("kyc")) {
        System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(kyc(args[1])));
        return;
      }
      String json;
      try {
        json = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new RecipeException("jwk", "cannot read " + args[1]);
      }
      if (args[0].equals("encrypt")) {
        System.out.println(encrypt(System.in.readAllBytes(), rsaKey(json, false), null));
      } else {
        String token = new String(System.in.readAllBytes(), StandardCharsets.ISO_8859_1).strip();
        System.out.write(decrypt(token, rsaKey(json, true)));
        System.out.flush();
      }
    } catch (RecipeException e) {
      System.err.println("java-lib recipe: " + e.getMessage());
      System.exit(1);
    }
  }
}
