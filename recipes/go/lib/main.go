// Command lib does the same RSA-OAEP-256 + A256GCM exchange with a JOSE library: go-jose v4.
//
//	recipes/run go-lib encrypt PUBLIC_JWK_FILE  < plaintext > token
//	recipes/run go-lib decrypt PRIVATE_JWK_FILE < token > plaintext
//	recipes/run go-lib kyc BASE_URL
//
// What ../stages spells out, go-jose does inside Encrypt / Decrypt. What stays the caller's job,
// library or not: the allow-lists go-jose v4 insists on at parse time; every JSON text read
// strictly (strictJSON: no member name twice at any depth, at most maxDepth deep, no lone
// surrogate); the key file's and the token's text checked before go-jose reads them
// (checkJWKText, checkCompactText: base64url, a bounded modulus and a usable e, key_ops, the
// part count, IV and tag sizes, the encrypted key's length); the key's use/alg checked; the
// recipient's kid in the header; no `zip` (go-jose would inflate it); fresh jti/exp; the
// answer's JWS `typ` and signing key picked by kid, use, alg and type, and its iss, aud, iat,
// nbf, exp, lifetime and in_reply_to checked. The keys `kyc` makes are DEMO keys.
package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const (
	audience = "jwe-steps-practice"
	lifetime = 120 * time.Second
	skew     = 30 * time.Second
	maxAge   = 300     // seconds an answer may live, exp - iat (the server signs 300)
	maxBody  = 1 << 20 // the most of an answer read; larger is refused (the API takes <= 64 KiB)
	maxInput = 1 << 20 // the most of a JWK file or of a plaintext on stdin read; larger is refused
	maxToken = 3 << 19 // a token of maxInput plaintext bytes fits: 4/3 of it + header, key, IV, tag
	maxDepth = 32      // the deepest JSON nesting accepted in any JSON read (a JWKS is 3 deep)
	minBits  = 2048    // the smallest RSA modulus accepted (RFC 7518 §4.3: 2048 or larger)
	maxBits  = 16384   // the largest: RSA work grows with n (see checkRSANumbers)
)

var (
	keyAlgorithms     = []jose.KeyAlgorithm{jose.RSA_OAEP_256} // the allow-lists
	contentAlgorithms = []jose.ContentEncryption{jose.A256GCM}
	signatureAlgs     = []jose.SignatureAlgorithm{jose.PS256, jose.ES256}
)

type recipeError struct{ stage, message string }

func (e *recipeError) Error() string { return e.stage + ": " + e.message }

func fail(stage, format string, args ...any) error {
	return &recipeError{stage, fmt.Sprintf(format, args...)}
}

// ---- What a careful integrator checks around the library, before go-jose sees the input. ----
// go-jose reads base64url loosely (it skips line breaks and takes non-canonical trailing bits,
// so one token or key has many spellings), validates a private key inside UnmarshalJSON (work
// that grows with the modulus: minutes for a huge n), takes any n and e, and ignores key_ops.

// base64urlText is the alphabet of base64url as JOSE uses it (RFC 7515 §2): no padding, no white
// space. strictBase64url adds Strict(), which refuses non-canonical trailing bits but still
// skips '\r' and '\n' on its own, hence the alphabet check too.
var base64urlText = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)

func strictBase64url(text string) ([]byte, bool) {
	data, err := base64.RawURLEncoding.Strict().DecodeString(text)
	return data, err == nil && base64urlText.MatchString(text)
}

var (
	errDuplicate = errors.New("a member name appears twice")
	errTooDeep   = errors.New("nested too deeply")
)

// checkMembers reads one JSON value token by token, so that it can refuse what encoding/json's
// Unmarshal lets through: a member name given twice in one object (Unmarshal keeps the last, and
// go-jose refuses it, so two readers of the same text would see different headers, claims or
// keys; RFC 7515 §4 and RFC 7519 §4 allow refusing) and nesting deeper than maxDepth. Token
// decodes escapes, so "a" and "\u0061" are one name; UseNumber keeps numbers as their text.
func checkMembers(decoder *json.Decoder, depth int) error {
	token, err := decoder.Token()
	if err != nil {
		return err
	}
	delim, ok := token.(json.Delim)
	if !ok {
		return nil // a string, json.Number, bool or nil
	}
	if depth >= maxDepth {
		return errTooDeep
	}
	names := map[string]bool{} // in an object, its member names so far
	for decoder.More() {
		if delim == '{' {
			token, err := decoder.Token() // the decoder gives only a string here, or an error
			if err != nil {
				return err
			}
			name, _ := token.(string)
			if names[name] {
				return errDuplicate
			}
			names[name] = true
		}
		if err := checkMembers(decoder, depth+1); err != nil {
			return err
		}
	}
	_, err = decoder.Token() // the closing '}' or ']'
	return err
}

// strictJSON refuses, as a json error, data that is not one JSON object of UTF-8 (RFC 8259 §8.1:
// no byte order mark; encoding/json refuses one but would take bytes that are not UTF-8) with
// nothing after it, or that has a member name twice, nests deeper than maxDepth or holds a lone
// surrogate (loneSurrogate). It runs before every json.Unmarshal of text this recipe did not
// write, and before go-jose reads any.
// (decoder.More() is no test for the end: it is false before a stray '}' or ']' as well.)
func strictJSON(data []byte, what string) error {
	if !utf8.Valid(data) {
		return fail("json", "%s is not UTF-8", what)
	}
	if loneSurrogate(data) {
		return fail("json", "%s holds a \\u escape of a lone surrogate", what)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	decoder := json.NewDecoder(bytes.NewReader(trimmed))
	decoder.UseNumber()
	err := checkMembers(decoder, 0)
	if err == nil {
		if _, end := decoder.Token(); end != io.EOF {
			err = errors.New("data after the value")
		}
	}
	switch {
	case errors.Is(err, errDuplicate) || errors.Is(err, errTooDeep):
		return fail("json", "%s: %v", what, err)
	case err != nil || len(trimmed) == 0 || trimmed[0] != '{':
		return fail("json", "%s is not one JSON object", what)
	}
	return nil
}

// loneSurrogate reports whether JSON text holds a \u escape of a surrogate (U+D800 to U+DFFF)
// that is not half of a pair: no character (RFC 8259 §8.2). encoding/json turns one into U+FFFD
// without a word, other readers keep it, so two readers would see two values.
func loneSurrogate(data []byte) bool {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		i++ // the escaped character: passed over unless it starts \uXXXX
		code := escapedCode(data, i)
		switch {
		case code >= 0xD800 && code < 0xDC00:
			if low := escapedCode(data, i+6); low >= 0xDC00 && low <= 0xDFFF && data[i+5] == '\\' {
				i += 10 // the pair's last hex digit
				continue
			}
			return true
		case code >= 0xDC00 && code <= 0xDFFF:
			return true
		}
	}
	return false
}

// escapedCode is the code unit of the \u escape whose 'u' is data[i], or -1 if there is none.
func escapedCode(data []byte, i int) int {
	if i < 0 || i+4 >= len(data) || data[i] != 'u' {
		return -1
	}
	code := 0
	for _, c := range data[i+1 : i+5] {
		switch {
		case '0' <= c && c <= '9':
			code = code*16 + int(c-'0')
		case 'a' <= c && c <= 'f':
			code = code*16 + int(c-'a'+10)
		case 'A' <= c && c <= 'F':
			code = code*16 + int(c-'A'+10)
		default:
			return -1
		}
	}
	return code
}

// checkRSANumbers refuses an n and e that are no usable RSA public key. RFC 8017 §3.1: n is a
// product of two odd primes, so odd, and 3 <= e < n with e odd. The size is bounded both ways:
// at least minBits, at most maxBits. Go's crypto/rsa takes e up to 2^31-1, far below any such n.
func checkRSANumbers(n, e *big.Int) error {
	if bits := n.BitLen(); bits < minBits || bits > maxBits {
		return fail("jwk", "expected an RSA modulus of %d to %d bits, found %d bits", minBits, maxBits, bits)
	}
	if n.Bit(0) == 0 {
		return fail("jwk", "the modulus n is even, so it is no RSA modulus")
	}
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
		return fail("jwk", "expected an odd public exponent e from 3 to 2^31-1")
	}
	return nil
}

// checkJWKText looks at the key file's members before go-jose reads it: strict JSON (strictJSON:
// one JSON object of UTF-8, no member name twice), every number strict base64url, n and e a usable RSA key (checkRSANumbers),
// and key_ops (RFC 7517 §4.3), when present, naming one of ops. RSA-OAEP wraps the CEK, so
// "wrapKey" / "unwrapKey" are the exact words; "encrypt" / "decrypt" are also written for it. A
// key for "sign" or "verify" is refused.
func checkJWKText(data []byte, ops ...string) error {
	if err := strictJSON(data, "the JWK"); err != nil {
		return err
	}
	var members map[string]json.RawMessage // exact names (a struct would match "N" for "n")
	if json.Unmarshal(data, &members) != nil {
		return fail("json", "the JWK is not one JSON object")
	}
	numbers := map[string]*big.Int{}
	for _, name := range []string{"n", "e", "d", "p", "q", "dp", "dq", "qi"} {
		raw, present := members[name]
		if !present {
			continue
		}
		var text string
		if json.Unmarshal(raw, &text) != nil || text == "" {
			return fail("jwk", "the JWK's %s is not a non-empty string", name)
		}
		data, ok := strictBase64url(text)
		if !ok {
			return fail("jwk", "the JWK's %s is not strict unpadded base64url", name)
		}
		numbers[name] = new(big.Int).SetBytes(data)
	}
	if numbers["n"] == nil || numbers["e"] == nil {
		return fail("jwk", "expected an RSA key, with members n and e")
	}
	if err := checkRSANumbers(numbers["n"], numbers["e"]); err != nil {
		return err
	}
	if raw, present := members["key_ops"]; present {
		var keyOps []string
		if json.Unmarshal(raw, &keyOps) != nil || !slices.ContainsFunc(keyOps, func(op string) bool {
			return slices.Contains(ops, op)
		}) {
			return fail("jwk", "the key's key_ops allow none of %s", strings.Join(ops, ", "))
		}
	}
	return nil
}

// checkCompactText looks at a token before go-jose parses it: five parts (RFC 7516 §7.1), each
// strict base64url (so a token seen before cannot come back re-spelled: go-jose would take line
// breaks inside a part, and non-canonical bits even in the protected header, whose text is the
// AAD), a header that is strict JSON (strictJSON; RFC 7516 §5.2 step 3: go-jose takes bytes that
// are no UTF-8, and refuses a byte order mark or a member name twice only as a parse error), a
// 96-bit IV with a 128-bit tag for A256GCM (RFC 7518 §5.3), and an encrypted key of exactly
// modulusBytes (RFC 8017 §7.1.2 step 1: Go's RSA reads a shorter one as if zeros led it, so one
// CEK would have two spellings).
func checkCompactText(token string, modulusBytes int) error {
	parts := strings.Split(token, ".")
	if len(parts) != 5 {
		return fail("parse", "expected 5 parts in a compact JWE, found %d", len(parts))
	}
	names := []string{"protected header", "encrypted key", "IV", "ciphertext", "tag"}
	decoded := make([][]byte, 5)
	for i, part := range parts {
		data, ok := strictBase64url(part)
		if !ok {
			return fail("base64url", "the %s is not strict unpadded base64url", names[i])
		}
		decoded[i] = data
	}
	if err := strictJSON(decoded[0], "the protected header"); err != nil {
		return err
	}
	if len(decoded[2]) != 12 || len(decoded[4]) != 16 {
		return fail("parse", "expected a 12-byte IV and a 16-byte tag")
	}
	if len(decoded[1]) != modulusBytes {
		return errUndecryptable
	}
	return nil
}

// errUndecryptable is the one answer for a token this key does not open (RFC 7516 §11.5):
// an encrypted key of the wrong length, an unwrap or a tag that fails.
var errUndecryptable = fail("decrypt", "the token does not decrypt with this key")

// ---- end of the checks around the library ----

// rsaJWK reads a JWK file's key for RSA-OAEP-256 and refuses one that does not fit.
func rsaJWK(data []byte, private bool) (jose.JSONWebKey, error) {
	var jwk jose.JSONWebKey
	ops := []string{"wrapKey", "encrypt"}
	if private {
		ops = []string{"unwrapKey", "decrypt"}
	}
	if err := checkJWKText(data, ops...); err != nil {
		return jwk, err
	}
	if err := jwk.UnmarshalJSON(data); err != nil {
		return jwk, fail("jwk", "not a valid JWK")
	}
	if (jwk.Use != "" && jwk.Use != "enc") || (jwk.Algorithm != "" && jwk.Algorithm != string(jose.RSA_OAEP_256)) {
		return jwk, fail("jwk", "the key is not for use 'enc' with alg RSA-OAEP-256")
	}
	var public *rsa.PublicKey
	switch key := jwk.Key.(type) {
	case *rsa.PublicKey:
		if private {
			return jwk, fail("jwk", "decrypt needs the private JWK")
		}
		public = key
	case *rsa.PrivateKey:
		if !private {
			return jwk, fail("jwk", "this file holds a private key; encrypt needs the public JWK")
		}
		public = &key.PublicKey
	default:
		return jwk, fail("jwk", "expected an RSA key")
	}
	// The key go-jose built is the one checked in the text (cheap, so checked once more here).
	if err := checkRSANumbers(public.N, big.NewInt(int64(public.E))); err != nil {
		return jwk, err
	}
	if !private && jwk.KeyID == "" {
		return jwk, fail("jwk", "the recipient's JWK has no kid")
	}
	return jwk, nil
}

func encrypt(plaintext []byte, recipient jose.JSONWebKey, cty string) (string, error) {
	options := &jose.EncrypterOptions{}
	if cty != "" {
		options = options.WithContentType(jose.ContentType(cty))
	}
	encrypter, err := jose.NewEncrypter(jose.A256GCM,
		jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: recipient.Key, KeyID: recipient.KeyID}, options)
	if err != nil {
		return "", fail("encrypt", "cannot encrypt to this key")
	}
	object, err := encrypter.Encrypt(plaintext)
	if err != nil {
		return "", fail("encrypt", "encryption failed")
	}
	return object.CompactSerialize()
}

func decrypt(token string, recipient jose.JSONWebKey) ([]byte, jose.Header, error) {
	modulusBytes := 0 // no RSA private key: no encrypted key has the right length
	if private, ok := recipient.Key.(*rsa.PrivateKey); ok {
		modulusBytes = private.Size()
	}
	if err := checkCompactText(token, modulusBytes); err != nil {
		return nil, jose.Header{}, err
	}
	object, err := jose.ParseEncryptedCompact(token, keyAlgorithms, contentAlgorithms)
	if err != nil {
		return nil, jose.Header{}, fail("parse", "not a compact JWE with RSA-OAEP-256 and A256GCM")
	}
	if recipient.KeyID != "" && object.Header.KeyID != recipient.KeyID {
		return nil, jose.Header{}, fail("header", "the token's kid is not this key's kid")
	}
	// go-jose inflates a "zip":"DEF" plaintext in Decrypt (to at most ten times its size) and has
	// no option to refuse it. This protocol never compresses, and compressing before encrypting
	// leaks the plaintext through the ciphertext's length (RFC 8725 §3.6): refuse it before
	// Decrypt. go-jose's parsed header keeps "zip" among its ExtraHeaders.
	if _, present := object.Header.ExtraHeaders["zip"]; present {
		return nil, jose.Header{}, fail("header", "compressed (zip) tokens are refused")
	}
	plaintext, err := object.Decrypt(recipient.Key)
	if err != nil {
		return nil, jose.Header{}, errUndecryptable
	}
	return plaintext, object.Header, nil
}

// isLoopback: this machine, by name ("localhost"; host names ignore case) or address
// (127.0.0.0/8, ::1). "localhost.example" and "127.0.0.1.example" are other hosts.
func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback())
}

// checkBaseURL allows https:// to any host, and http:// only to this machine (loopback: the
// practice server run locally). The server's JWKS is the one source of its keys; fetched over
// plain http from another host, anyone on the path could swap in their own and sign answers.
// It runs before any connection is made. No user (credentials in a URL end up in logs; and in
// http://127.0.0.1@evil/ the host is evil), no query or fragment, not even a bare '?' or '#'
// (url.Parse keeps no trace of an empty fragment): the API's paths are appended.
func checkBaseURL(base string) error {
	parsed, err := url.Parse(base)
	if err != nil || parsed.Host == "" || parsed.User != nil || strings.ContainsAny(base, "?#") ||
		(parsed.Scheme != "http" && parsed.Scheme != "https") {
		return fail("url", "the base URL must be http(s)://HOST[:PORT][/PATH], no user, query or fragment")
	}
	if parsed.Scheme == "http" && !isLoopback(parsed.Hostname()) {
		return fail("url", "plain http:// is only for a loopback host (127.0.0.0/8, ::1, localhost); use https://")
	}
	return nil
}

// proxy: the environment's HTTPS_PROXY, HTTP_PROXY and NO_PROXY for other hosts, none for
// loopback (a proxy would sit between us and the practice server's keys). Go's own
// http.ProxyFromEnvironment skips loopback too, but spells "localhost" in lower case only.
func proxy(request *http.Request) (*url.URL, error) {
	if isLoopback(request.URL.Hostname()) {
		return nil, nil
	}
	return http.ProxyFromEnvironment(request)
}

func call(method, url, contentType string, body []byte, headers map[string]string) (int, string, []byte, error) {
	request, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", nil, fail("http", "bad request URL")
	}
	if contentType != "" {
		request.Header.Set("Content-Type", contentType)
	}
	for name, value := range headers {
		request.Header.Set(name, value)
	}
	// Timeout bounds the whole call, the answer's body included (see stages/main.go).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = proxy
	client := &http.Client{Timeout: 10 * time.Second, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	response, err := client.Do(request)
	if err != nil {
		return 0, "", nil, fail("http", "%s %s failed", method, url)
	}
	defer response.Body.Close()
	data, err := io.ReadAll(io.LimitReader(response.Body, maxBody+1))
	if err != nil {
		return 0, "", nil, fail("http", "reading the answer failed")
	}
	if len(data) > maxBody {
		return 0, "", nil, fail("api", "%s %s: the answer is larger than %d bytes", method, url, maxBody)
	}
	mediaType, _, _ := mime.ParseMediaType(response.Header.Get("Content-Type"))
	return response.StatusCode, mediaType, data, nil
}

var (
	// errorCode is what an error code of the practice API looks like ("replay.jti_seen").
	errorCode = regexp.MustCompile(`^[a-z0-9._]{1,64}$`)
	// visibleASCII is what a client_id must be: it goes into a header, where CR LF would end
	// the line and start another.
	visibleASCII = regexp.MustCompile(`^[!-~]{1,256}$`)
)

// expect refuses (stage api) an answer without this status and media type: a JWKS or a
// registration answer served as text/html, say, is not the API's answer, whatever its body
// parses as.
func expect(status int, mediaType string, body []byte, wantStatus int, wantType string) error {
	if status != wantStatus {
		return apiError(status, body)
	}
	if mediaType != wantType {
		return fail("api", "the practice server answered %d but not %s", status, wantType)
	}
	return nil
}

// apiError names the server's JSON error by its code, and only a code that looks like one: the
// server's text goes to the user's terminal, where a newline could forge a line of ours and an
// escape sequence rewrite the screen. An error body with a member name twice shows no code
// either: a client that acts on the code (fetches the JWKS again on key.kid_unknown) must read
// the one the server meant.
func apiError(status int, body []byte) error {
	var shape struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if strictJSON(body, "the error answer") != nil || json.Unmarshal(body, &shape) != nil || shape.Error.Code == "" {
		return fail("api", "the practice server answered %d without an error code", status)
	}
	if !errorCode.MatchString(shape.Error.Code) {
		return fail("api", "the practice server answered %d with an unreadable error code", status)
	}
	return fail("api", "the practice server answered %d with code %q", status, shape.Error.Code)
}

// answerClaims are the answer's claims this recipe checks (the others are passed on as they
// are: a partner may add or retype one without breaking the client).
type answerClaims struct {
	jwt.Claims
	InReplyTo string `json:"in_reply_to"`
}

// usableSigningKey: a public key for PS256 (RSA that passes checkRSANumbers: 2048 to 16384
// bits, a small odd e) or ES256 (P-256), not bound by its alg to anything else.
func usableSigningKey(key jose.JSONWebKey) bool {
	switch public := key.Key.(type) {
	case *rsa.PublicKey:
		return (key.Algorithm == "" || key.Algorithm == string(jose.PS256)) &&
			checkRSANumbers(public.N, big.NewInt(int64(public.E))) == nil
	case *ecdsa.PublicKey:
		return (key.Algorithm == "" || key.Algorithm == string(jose.ES256)) && public.Curve == elliptic.P256()
	}
	return false
}

// fitsAlg: the key type a JWS alg needs (go-jose would refuse a mismatch too, but only as a
// failed signature).
func fitsAlg(key jose.JSONWebKey, alg string) bool {
	switch key.Key.(type) {
	case *rsa.PublicKey:
		return alg == string(jose.PS256)
	case *ecdsa.PublicKey:
		return alg == string(jose.ES256)
	}
	return false
}

// saysJWT: typ and cty name a media type, case-insensitive, whose "application/" may be left
// out (RFC 7515 §4.1.9-10): "JWT", "jwt" and "application/jwt" say the same; "secevent+jwt" not.
func saysJWT(value any) bool {
	text, _ := value.(string)
	return strings.EqualFold(text, "JWT") || strings.EqualFold(text, "application/JWT")
}

// jwsPartJSON reads part i of the compact JWS text (0 its header, 1 its claims) strictly, as
// strictJSON reads a JWE header and as the stage recipe reads them: go-jose refuses a member
// name given twice, claims that are no JSON object or nest too deeply, but each as a JWS or
// claims it cannot parse. A JWS that is not three parts is left to go-jose (a jws error).
func jwsPartJSON(text string, i int, what string) error {
	parts := strings.Split(text, ".")
	if len(parts) != 3 {
		return nil
	}
	data, ok := strictBase64url(parts[i])
	if !ok {
		return fail("base64url", "%s is not strict unpadded base64url", what)
	}
	return strictJSON(data, what)
}

// onlyAlgKidTyp refuses a JWS header with any member beyond alg, kid and typ (read strictly by
// jwsPartJSON already): no crit, no b64, no embedded jwk, jku, x5u or x5c, whatever go-jose
// would make of them; the key comes from the server's JWKS alone.
func onlyAlgKidTyp(text string) error {
	data, _ := strictBase64url(strings.SplitN(text, ".", 2)[0])
	var header map[string]json.RawMessage
	if json.Unmarshal(data, &header) != nil {
		return fail("jws", "the answer's JWS header is not a JSON object")
	}
	for name := range header {
		if name != "alg" && name != "kid" && name != "typ" {
			return fail("jws", "the answer's JWS header has members beyond alg, kid and typ")
		}
	}
	return nil
}

// pssSaltIs32 is true unless the key is RSA (PS256) and the signature's PSS salt is not 32 bytes.
func pssSaltIs32(text string, verifier *jose.JSONWebKey) bool {
	public, isRSA := verifier.Key.(*rsa.PublicKey)
	if !isRSA {
		return true
	}
	end := strings.LastIndexByte(text, '.')
	signature, ok := strictBase64url(text[end+1:])
	digest := sha256.Sum256([]byte(text[:end]))
	options := &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
	return ok && rsa.VerifyPSS(public, crypto.SHA256, digest[:], signature, options) == nil
}

// integerClaim reads a NumericDate that must be an integer (go-jose's NumericDate takes 1.5e9).
func integerClaim(raw json.RawMessage) (int64, bool) {
	value, err := strconv.ParseInt(string(raw), 10, 64)
	return value, err == nil
}

// serverKeys reads the server's JWKS, strict JSON at any depth (its entries too): the first
// usable RSA-OAEP-256 encryption key, and the usable signing keys.
func serverKeys(body []byte) (*jose.JSONWebKey, []jose.JSONWebKey, error) {
	if err := strictJSON(body, "the server's JWKS"); err != nil {
		return nil, nil, err
	}
	var serverJWKS struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &serverJWKS); err != nil || serverJWKS.Keys == nil {
		return nil, nil, fail("jwks", "the server's JWKS is not a JSON object with a \"keys\" array")
	}
	// An entry this recipe cannot use (unreadable, another kty or alg, too short, no kid) is
	// skipped, not fatal: a JWKS may list keys for other clients and of types we do not know.
	var serverEnc *jose.JSONWebKey
	var signing []jose.JSONWebKey // only the server's signing keys may verify its answers
	for _, raw := range serverJWKS.Keys {
		var key jose.JSONWebKey
		if key.UnmarshalJSON(raw) != nil {
			continue
		}
		switch {
		case key.Use == "enc" && serverEnc == nil:
			if checked, err := rsaJWK(raw, false); err == nil { // the first usable is the current key
				serverEnc = &checked
			}
		case key.Use == "sig" && usableSigningKey(key):
			signing = append(signing, key)
		}
	}
	if serverEnc == nil {
		return nil, nil, fail("jwks", "the server's JWKS has no usable RSA-OAEP-256 encryption key")
	}
	return serverEnc, signing, nil
}

// register sends this client's public keys to the server, and returns the client_id its
// answer names: strict JSON, and visible ASCII only, as it goes into a header.
func register(base string, encKey, sigKey jose.JSONWebKey) (string, error) {
	registration, err := json.Marshal(map[string]any{"jwks": map[string]any{
		"keys": []jose.JSONWebKey{encKey.Public(), sigKey.Public()}}})
	if err != nil {
		return "", err
	}
	status, mediaType, body, err := call("POST", base+"/v1/clients", "application/json", registration, nil)
	if err != nil {
		return "", err
	}
	if err := expect(status, mediaType, body, 201, "application/json"); err != nil {
		return "", err
	}
	if err := strictJSON(body, "the registration answer"); err != nil {
		return "", err
	}
	var registered struct {
		ClientID string `json:"client_id"`
	}
	if json.Unmarshal(body, &registered) != nil || !visibleASCII.MatchString(registered.ClientID) {
		return "", fail("api", "the registration answer has no client_id of 1-256 visible ASCII characters")
	}
	return registered.ClientID, nil
}

// signedRequest is the KYC request: claims with a fresh jti, signed with sigKey, then encrypted
// to the server's key. It returns the token and its jti, which the answer must name.
func signedRequest(clientID string, sigKey, serverEnc jose.JSONWebKey) (string, string, error) {
	// Sign (go-jose writes ES256 as the raw r || s JWS wants), then encrypt with cty "JWT".
	// go-jose's jwt.SignedAndEncrypted refuses RSA key encryption for nested JWTs (anyone can
	// encrypt to a public key, so the signature is what proves the sender); build both layers.
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: sigKey},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", "", err
	}
	now := time.Now()
	jtiBytes := make([]byte, 16)
	_, _ = rand.Read(jtiBytes)
	jti := base64.RawURLEncoding.EncodeToString(jtiBytes) // fresh per request
	claims := jwt.Claims{Issuer: clientID, Audience: jwt.Audience{audience},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(lifetime)), ID: jti}
	extra := map[string]any{"pan": "ABCDE1234F", "name": "Asha Rao"}
	signed, err := jwt.Signed(signer).Claims(claims).Claims(extra).Serialize()
	if err != nil {
		return "", "", err
	}
	requestToken, err := encrypt([]byte(signed), serverEnc, "JWT")
	if err != nil {
		return "", "", err
	}
	return requestToken, jti, nil
}

func kyc(baseURL string) (map[string]any, error) {
	base := strings.TrimRight(baseURL, "/")
	if err := checkBaseURL(base); err != nil {
		return nil, err
	}
	// Fresh DEMO keys: RSA-2048 to receive encrypted answers, P-256 to sign requests.
	encPrivate, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	sigPrivate, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tag := make([]byte, 4)
	_, _ = rand.Read(tag)
	encKey := jose.JSONWebKey{Key: encPrivate, KeyID: "demo-go-lib-enc-" + hex.EncodeToString(tag),
		Use: "enc", Algorithm: string(jose.RSA_OAEP_256)}
	sigKey := jose.JSONWebKey{Key: sigPrivate, KeyID: "demo-go-lib-sig-" + hex.EncodeToString(tag),
		Use: "sig", Algorithm: string(jose.ES256)}

	// One JWKS fetch per run: this program makes one exchange and exits, so it keeps no cache.
	// A long-running client would cache the JWKS for its Cache-Control max-age, but at most
	// 3600 s (60 s when none is given), fetch it again at most once per 30 s, and fetch it again
	// once when an answer's signing kid is unknown or the server answers key.kid_unknown or
	// api.key_retired (a key rotation) -- bounded, so a hostile answer cannot make it fetch
	// on every call or keep a key for ever.
	status, mediaType, body, err := call("GET", base+"/.well-known/jwks.json", "", nil, nil)
	if err != nil {
		return nil, err
	}
	if err := expect(status, mediaType, body, 200, "application/json"); err != nil {
		return nil, err
	}
	serverEnc, signing, err := serverKeys(body)
	if err != nil {
		return nil, err
	}

	clientID, err := register(base, encKey, sigKey)
	if err != nil {
		return nil, err
	}

	requestToken, jti, err := signedRequest(clientID, sigKey, *serverEnc)
	if err != nil {
		return nil, err
	}

	headers := map[string]string{"X-Client-Id": clientID}
	status, mediaType, body, err = call("POST", base+"/v1/kyc/pan", "application/jose", []byte(requestToken), headers)
	if err != nil {
		return nil, err
	}
	if err := expect(status, mediaType, body, 200, "application/jose"); err != nil {
		return nil, err
	}
	nested, header, err := decrypt(strings.Trim(string(body), " \t\r\n"), encKey)
	if err != nil {
		return nil, err
	}
	if !saysJWT(header.ExtraHeaders[jose.HeaderContentType]) {
		return nil, fail("header", "the answer's JWE does not say cty 'JWT'")
	}
	return verifiedAnswer(string(nested), signing, clientID, jti)
}

// answerTimes are the answer's NumericDates exactly as sent, to insist on integers.
type answerTimes struct {
	Exp json.RawMessage `json:"exp"`
	Iat json.RawMessage `json:"iat"`
	Nbf json.RawMessage `json:"nbf"`
}

// verifiedAnswer reads the answer's JWS (the plaintext of its JWE): its header strict JSON with
// typ "JWT" and a kid, verified with the server's usable signing key that kid names, then its
// claims strict JSON that checkAnswerClaims accepts. It returns the claims.
func verifiedAnswer(nested string, signing []jose.JSONWebKey, clientID, jti string) (map[string]any, error) {
	if err := jwsPartJSON(nested, 0, "the answer's JWS header"); err != nil {
		return nil, err
	}
	if err := onlyAlgKidTyp(nested); err != nil {
		return nil, err
	}
	inner, err := jwt.ParseSigned(nested, signatureAlgs) // the compact form only
	if err != nil {
		return nil, fail("jws", "the answer is not a compact JWS with PS256 or ES256")
	}
	// RFC 8725 §3.11 explicit typing: a JWS the server signs for another purpose is no answer.
	jwsHeader := inner.Headers[0] // ParseSigned allows exactly one signature
	if !saysJWT(jwsHeader.ExtraHeaders[jose.HeaderType]) || jwsHeader.KeyID == "" {
		return nil, fail("jws", "the JWS header lacks typ 'JWT' or a kid")
	}
	// The JWS kid picks the key, among the usable signing keys, of the type its alg needs.
	var verifier *jose.JSONWebKey
	for i := range signing {
		if signing[i].KeyID == jwsHeader.KeyID && fitsAlg(signing[i], jwsHeader.Algorithm) {
			if verifier != nil { // RFC 7517 §4.5: keys of one kind do not share a kid
				return nil, fail("jwks", "the server's JWKS has more than one signing key with this kid")
			}
			verifier = &signing[i]
		}
	}
	if verifier == nil {
		return nil, fail("jws", "no usable signing key in the server's JWKS has this kid and alg")
	}
	// The signature first (Claims with nothing to fill only verifies it), then the signed
	// claims' text read strictly, then read by go-jose (which verifies once more: cheap).
	// go-jose verifies PS256 with any salt length (rsa.PSSSaltLengthAuto); RFC 7518 §3.5 fixes
	// it at the hash's 32 bytes, so the salt is checked here first.
	if err := inner.Claims(verifier.Key); err != nil || !pssSaltIs32(nested, verifier) {
		return nil, fail("jws", "the server's signature does not verify")
	}
	if err := jwsPartJSON(nested, 1, "the answer's JWT claims set"); err != nil {
		return nil, err
	}
	var answer answerClaims
	var everything map[string]any
	var times answerTimes
	if err := inner.Claims(verifier.Key, &answer, &everything, &times); err != nil {
		return nil, fail("claims", "the answer's claims do not parse")
	}
	if err := checkAnswerClaims(answer, times, clientID, jti); err != nil {
		return nil, err
	}
	return everything, nil
}

// checkAnswerClaims: integer dates, a bounded lifetime, not expired, iss and aud, iat and nbf
// not ahead, and in_reply_to this request's jti (RFC 7519 §4.1, RFC 8725 §3.3).
func checkAnswerClaims(answer answerClaims, times answerTimes, clientID, jti string) error {
	exp, expOK := integerClaim(times.Exp)
	iat, iatOK := integerClaim(times.Iat)
	_, nbfOK := integerClaim(times.Nbf)
	if !expOK || !iatOK || (times.Nbf != nil && !nbfOK) {
		return fail("claims", "the answer's exp and iat (and nbf, if any) are not integers")
	}
	if exp-iat > maxAge || exp <= iat { // no overflow: go-jose has refused dates beyond ±2^62 s
		return fail("claims", "the answer's exp - iat is not 1 to %d s", maxAge)
	}
	// RFC 7519 §4.1.4: expired "on or after" exp. go-jose's Validate refuses only a time after
	// exp + leeway, so an answer with exp == now - skew would pass it: refuse it here.
	now := time.Now()
	if exp <= now.Unix()-int64(skew/time.Second) {
		return fail("claims", "the answer is expired (exp)")
	}
	// iss, aud, and the times with skew: iat and nbf not in the future.
	expected := jwt.Expected{Issuer: audience, AnyAudience: jwt.Audience{clientID}, Time: now}
	if err := answer.ValidateWithLeeway(expected, skew); err != nil {
		return fail("claims", "the answer's iss, aud or times do not fit")
	}
	if answer.InReplyTo != jti { // the answer is to *this* request
		return fail("claims", "the answer does not reply to this request's jti")
	}
	return nil
}

// readBounded reads at most limit bytes: one byte more and the input is refused, so a huge
// file or an endless one (/dev/zero) fails fast instead of filling memory.
func readBounded(input io.Reader, limit int64, stage, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(input, limit+1))
	if err != nil {
		return nil, fail(stage, "cannot read %s", what)
	}
	if int64(len(data)) > limit {
		return nil, fail(stage, "%s is larger than %d bytes", what, limit)
	}
	return data, nil
}

// writeStdout writes the result. A write that fails (a full disk, a closed stdout) is an error
// of its own: the token or plaintext is lost, so the run must not look like a success.
func writeStdout(data []byte) error {
	if _, err := os.Stdout.Write(data); err != nil {
		var pathError *os.PathError
		if errors.As(err, &pathError) {
			err = pathError.Err // "no space left on device", without Go's "write /dev/stdout: "
		}
		return fail("output", "cannot write to stdout: %v", err)
	}
	return nil
}

func run(command, argument string) error {
	if command == "kyc" {
		answer, err := kyc(argument)
		if err != nil {
			return err
		}
		out, err := json.MarshalIndent(answer, "", "  ")
		if err != nil {
			return err
		}
		return writeStdout(append(out, '\n'))
	}
	file, err := os.Open(argument)
	if err != nil {
		return fail("jwk", "cannot read %q", argument)
	}
	defer file.Close()
	data, err := readBounded(file, maxInput, "jwk", fmt.Sprintf("%q", argument))
	if err != nil {
		return err
	}
	key, err := rsaJWK(data, command == "decrypt")
	if err != nil {
		return err
	}
	limit := int64(maxInput) // a plaintext to encrypt; a token to decrypt may be longer
	if command == "decrypt" {
		limit = maxToken
	}
	input, err := readBounded(os.Stdin, limit, "input", "stdin")
	if err != nil {
		return err
	}
	if command == "encrypt" {
		token, err := encrypt(input, key, "")
		if err != nil {
			return err
		}
		return writeStdout([]byte(token + "\n"))
	}
	plaintext, _, err := decrypt(strings.Trim(string(input), " \t\r\n"), key)
	if err != nil {
		return err
	}
	return writeStdout(plaintext)
}

func main() {
	if len(os.Args) != 3 || !slices.Contains([]string{"encrypt", "decrypt", "kyc"}, os.Args[1]) {
		fmt.Fprintln(os.Stderr, "usage: lib encrypt PUBLIC_JWK | decrypt PRIVATE_JWK | kyc BASE_URL")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		var recipe *recipeError
		if errors.As(err, &recipe) {
			fmt.Fprintln(os.Stderr, "go-lib recipe: "+recipe.Error())
		} else {
			fmt.Fprintln(os.Stderr, "go-lib recipe: unexpected failure: "+err.Error())
		}
		os.Exit(1)
	}
}
