// Command stages builds and opens an RSA-OAEP-256 + A256GCM compact JWE stage by stage with Go's
// standard library only (crypto/rsa, crypto/aes, crypto/cipher; no JOSE library).
//
//	recipes/run go encrypt PUBLIC_JWK_FILE  < plaintext > token
//	recipes/run go decrypt PRIVATE_JWK_FILE < token > plaintext
//	recipes/run go kyc BASE_URL             # a signed-then-encrypted call to the practice API
//
// Each stage is marked `// --- stage: NAME ---` ... `// --- end stage ---` and names its step of
// RFC 7516 §5.1 (encryption) or §5.2 (decryption) and the notebook that opens it up; the
// notebooks show these very lines beside their own cells (jwe_steps.view.recipe_stage).
//
// Written the way a careful integrator ships it: strict JWK and token parsing, one allowed alg
// and enc, the recipient's kid in the header, a fresh jti and a short exp per request, errors on
// stderr with a non-zero exit, nothing secret printed. The keys `kyc` makes are DEMO keys.
package main

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
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
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	algName  = "RSA-OAEP-256"
	encName  = "A256GCM"
	audience = "jwe-steps-practice" // the practice server's name in `aud` / `iss`
	lifetime = 120                  // seconds a request token lives (the server accepts at most 300)
	skew     = 30                   // seconds of clock difference tolerated when checking the answer
	maxAge   = 300                  // seconds an answer may live, exp - iat (the server signs 300)
	maxBody  = 1 << 20              // the most of an answer read; larger is refused (the API takes <= 64 KiB)
	maxInput = 1 << 20              // the most of a JWK file or of a plaintext on stdin read; larger is refused
	maxToken = 3 << 19              // a token of maxInput plaintext bytes fits: 4/3 of it + header, key, IV, tag
	maxDepth = 32                   // the deepest JSON nesting accepted in any JSON read (a JWKS is 3 deep)
	minBits  = 2048                 // the smallest RSA modulus accepted (RFC 7518 §4.3: 2048 or larger)
	maxBits  = 16384                // the largest: RSA work grows with n (see checkRSANumbers)
)

var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// recipeError is a problem with the input: one line on stderr, exit status 1.
type recipeError struct{ stage, message string }

func (e *recipeError) Error() string { return e.stage + ": " + e.message }

func fail(stage, format string, args ...any) error {
	return &recipeError{stage, fmt.Sprintf(format, args...)}
}

func b64url(data []byte) string { return base64.RawURLEncoding.EncodeToString(data) }

// b64urlDecode is strict base64url (RFC 7515 §2): the URL alphabet, no padding, and (Strict)
// no non-canonical trailing bits.
func b64urlDecode(text, what string) ([]byte, error) {
	data, err := base64.RawURLEncoding.Strict().DecodeString(text)
	if err != nil || strings.ContainsAny(text, "\r\n") {
		return nil, fail("base64url", "%s is not strict unpadded base64url", what)
	}
	return data, nil
}

var (
	errDuplicate = errors.New("a member name appears twice")
	errTooDeep   = errors.New("nested too deeply")
)

// jsonValue reads one JSON value token by token, so that it can refuse what encoding/json's
// Unmarshal lets through: a member name given twice in one object (Unmarshal keeps the last, so
// two parsers of the same token may see different headers or claims; RFC 7515 §4 and RFC 7519 §4
// allow refusing) and nesting deeper than maxDepth. Token also decodes escapes, so "a" and
// "\u0061" are the same name. Numbers stay exact (json.Number, from UseNumber).
func jsonValue(decoder *json.Decoder, depth int) (any, error) {
	token, err := decoder.Token()
	if err != nil {
		return nil, err
	}
	delim, ok := token.(json.Delim)
	if !ok {
		return token, nil // a string, json.Number, bool or nil
	}
	if depth >= maxDepth {
		return nil, errTooDeep
	}
	var value any
	if delim == '{' {
		object := map[string]any{}
		for decoder.More() {
			token, err := decoder.Token() // the decoder gives only a string here, or an error
			if err != nil {
				return nil, err
			}
			name, _ := token.(string)
			if _, seen := object[name]; seen {
				return nil, errDuplicate
			}
			if object[name], err = jsonValue(decoder, depth+1); err != nil {
				return nil, err
			}
		}
		value = object
	} else { // '['
		list := []any{}
		for decoder.More() {
			item, err := jsonValue(decoder, depth+1)
			if err != nil {
				return nil, err
			}
			list = append(list, item)
		}
		value = list
	}
	if _, err := decoder.Token(); err != nil { // the closing '}' or ']'
		return nil, err
	}
	return value, nil
}

// jsonObject reads UTF-8 JSON that is one object and nothing after it but white space.
// (decoder.More() is no test for the end: it is false before a stray '}' or ']' as well.)
func jsonObject(data []byte, what string) (map[string]any, error) {
	if !utf8.Valid(data) {
		return nil, fail("json", "%s is not UTF-8", what)
	}
	if loneSurrogate(data) {
		return nil, fail("json", "%s holds a \\u escape of a lone surrogate", what)
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	value, err := jsonValue(decoder, 0)
	if err == nil {
		if _, end := decoder.Token(); end != io.EOF {
			err = errors.New("data after the value")
		}
	}
	object, ok := value.(map[string]any)
	switch {
	case errors.Is(err, errDuplicate) || errors.Is(err, errTooDeep):
		return nil, fail("json", "%s: %v", what, err)
	case err != nil || !ok:
		return nil, fail("json", "%s is not one JSON object", what)
	}
	return object, nil
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

// quoted shows text from the input in a message: escaped by %q, so that a newline, CR or ESC in
// it cannot start a line of its own or rewrite the terminal, and cut to 40 characters, so that a
// huge value does not flood stderr.
func quoted(text string) string {
	if runes := []rune(text); len(runes) > 40 {
		return fmt.Sprintf("%q...", string(runes[:40]))
	}
	return fmt.Sprintf("%q", text)
}

// shortName matches a value that may be shown in a message as it is: a short name like a kty.
var shortName = regexp.MustCompile(`^[A-Za-z0-9-]{1,16}$`)

// shownName gives a member's value for a message only when it is a short name ("EC", "oct");
// anything else could be long, hold control characters, or even be a private member (a `d`
// pasted in as kty), so it is not shown at all.
func shownName(value any) string {
	if text, ok := value.(string); ok && shortName.MatchString(text) {
		return "'" + text + "'"
	}
	return "another value"
}

func str(object map[string]any, name string) (string, bool) {
	value, ok := object[name].(string)
	return value, ok && value != ""
}

func uintMember(jwk map[string]any, name, what string) (*big.Int, error) {
	text, ok := str(jwk, name)
	if !ok {
		return nil, fail("jwk", "%s has no string member %q", what, name)
	}
	data, err := b64urlDecode(text, what+" "+name)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(data), nil
}

func boundTo(jwk map[string]any, name, want string) bool {
	value, present := jwk[name]
	return !present || value == want
}

// keyOpsAllow: a JWK's key_ops (RFC 7517 §4.3), when present, is an array that must name one of
// ops. RSA-OAEP wraps the CEK, so "wrapKey" / "unwrapKey" are the exact words; "encrypt" /
// "decrypt" are also written for it. A key for "sign" or "verify" only is refused.
func keyOpsAllow(jwk map[string]any, ops ...string) bool {
	value, present := jwk["key_ops"]
	if !present {
		return true
	}
	list, _ := value.([]any)
	for _, op := range list {
		if text, ok := op.(string); ok && slices.Contains(ops, text) {
			return true
		}
	}
	return false
}

// checkRSANumbers refuses an n and e that are no usable RSA public key, before any work is
// done with them. RFC 8017 §3.1: n is a product of two odd primes, so odd, and 3 <= e < n
// with e odd (e shares no factor with the even p-1). The size is bounded both ways: at least
// minBits (RFC 7518 §4.3), at most maxBits, since the cost of RSA grows with n (a million-bit n
// kept encrypt busy for 18 s). Go's crypto/rsa takes e up to 2^31-1, far below any such n.
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

// --- stage: jwk ---
// RFC 7517 §4 + RFC 7518 §6.3: read the recipient's public RSA JWK strictly (notebook 02).
// Refuse another key type, a key bound to another `use`/`alg`/`key_ops`, private members in a
// file meant to hold a public key, a key without `kid`, and an n and e that are no usable RSA
// key: under 2048 or over 16384 bits, an even n, an even or out-of-range e (checkRSANumbers).
func publicKeyFromJWK(jwk map[string]any) (*rsa.PublicKey, string, error) {
	if jwk["kty"] != "RSA" {
		return nil, "", fail("jwk", "expected kty 'RSA', found %s", shownName(jwk["kty"]))
	}
	for _, name := range privateMembers {
		if _, found := jwk[name]; found {
			return nil, "", fail("jwk", "this file holds a private key; encrypt needs the public JWK")
		}
	}
	if !boundTo(jwk, "use", "enc") || !boundTo(jwk, "alg", algName) {
		return nil, "", fail("jwk", "the key is not for use 'enc' with alg %s", algName)
	}
	if !keyOpsAllow(jwk, "wrapKey", "encrypt") {
		return nil, "", fail("jwk", "the key's key_ops allow neither wrapKey nor encrypt")
	}
	kid, ok := str(jwk, "kid")
	if !ok {
		return nil, "", fail("jwk", "the recipient's JWK has no kid")
	}
	n, err := uintMember(jwk, "n", "the JWK")
	if err != nil {
		return nil, "", err
	}
	e, err := uintMember(jwk, "e", "the JWK")
	if err != nil {
		return nil, "", err
	}
	if err := checkRSANumbers(n, e); err != nil {
		return nil, "", err
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, kid, nil
}

// --- end stage ---

// privateKeyFromJWK reads a private RSA JWK with every CRT member (RFC 7518 §6.3.2) and checks
// that they belong together. The cheap checks come first: the consistency check's cost grows
// with the size of the numbers, so n and e are checked as for a public key, and no private
// member may be longer than n, before it runs.
func privateKeyFromJWK(jwk map[string]any) (*rsa.PrivateKey, string, error) {
	if jwk["kty"] != "RSA" {
		return nil, "", fail("jwk", "expected kty 'RSA', found %s", shownName(jwk["kty"]))
	}
	if _, found := jwk["oth"]; found {
		return nil, "", fail("jwk", "multi-prime RSA keys ('oth') are not supported")
	}
	if !boundTo(jwk, "use", "enc") || !boundTo(jwk, "alg", algName) {
		return nil, "", fail("jwk", "the key is not for use 'enc' with alg %s", algName)
	}
	if !keyOpsAllow(jwk, "unwrapKey", "decrypt") {
		return nil, "", fail("jwk", "the key's key_ops allow neither unwrapKey nor decrypt")
	}
	values := map[string]*big.Int{}
	for _, name := range []string{"n", "e", "d", "p", "q", "dp", "dq", "qi"} {
		value, err := uintMember(jwk, name, "the private JWK")
		if err != nil {
			return nil, "", err
		}
		values[name] = value
	}
	if err := checkRSANumbers(values["n"], values["e"]); err != nil {
		return nil, "", err
	}
	for _, name := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if values[name].BitLen() > values["n"].BitLen() {
			return nil, "", fail("jwk", "the private JWK's %s is longer than its modulus", name)
		}
	}
	key := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: values["n"], E: int(values["e"].Int64())},
		D:         values["d"],
		Primes:    []*big.Int{values["p"], values["q"]},
	}
	if err := key.Validate(); err != nil {
		return nil, "", fail("jwk", "the private JWK's members do not form one RSA key")
	}
	key.Precompute()
	if key.Precomputed.Dp.Cmp(values["dp"]) != 0 || key.Precomputed.Dq.Cmp(values["dq"]) != 0 ||
		key.Precomputed.Qinv.Cmp(values["qi"]) != 0 {
		return nil, "", fail("jwk", "the private JWK's dp, dq or qi do not match its primes")
	}
	kid, _ := str(jwk, "kid")
	return key, kid, nil
}

func encrypt(plaintext []byte, publicKey *rsa.PublicKey, kid, cty string) (string, error) {
	// --- stage: header ---
	// RFC 7516 §5.1 steps 1-2 and 11-13: the JOSE header, its exact UTF-8 bytes, base64url
	// (notebook 01). These bytes are also the AAD, so keep the encoded form; never re-serialize.
	header := map[string]string{"alg": algName, "enc": encName, "kid": kid}
	if cty != "" {
		header["cty"] = cty // "JWT": the plaintext is itself a JWT (a nested, signed token)
	}
	headerJSON, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	protected := b64url(headerJSON)
	// --- end stage ---

	// --- stage: cek ---
	// RFC 7516 §5.1 step 2: a fresh random Content Encryption Key, 32 bytes for A256GCM
	// (notebook 03). One CEK per message, from the OS CSPRNG.
	cek := make([]byte, 32)
	if _, err := rand.Read(cek); err != nil {
		return "", err
	}
	// --- end stage ---

	// --- stage: encrypted_key ---
	// RFC 7516 §5.1 step 4, RFC 7518 §4.3: RSAES-OAEP with SHA-256 and MGF1-SHA-256 (notebook 03).
	// Go takes the hash explicitly and uses it for MGF1 too: sha256.New() here is RSA-OAEP-256;
	// sha1.New() would be RSA-OAEP. The label is empty (nil).
	encryptedKey, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, publicKey, cek, nil)
	if err != nil {
		return "", fail("encrypted_key", "RSA-OAEP-256 encryption failed")
	}
	// --- end stage ---

	// --- stage: iv ---
	// RFC 7516 §5.1 step 9, RFC 7518 §5.3: a fresh random 96-bit IV (notebook 04). Never reuse
	// an IV with the same key: GCM's confidentiality and integrity both fall.
	iv := make([]byte, 12)
	if _, err := rand.Read(iv); err != nil {
		return "", err
	}
	// --- end stage ---

	// --- stage: aad ---
	// RFC 7516 §5.1 step 14: AAD = ASCII(BASE64URL(UTF8(protected header))) (notebooks 01, 04).
	aad := []byte(protected)
	// --- end stage ---

	// --- stage: content ---
	// RFC 7516 §5.1 step 15: AES-256-GCM over the plaintext with the CEK, IV and AAD (notebook 04).
	// Seal returns ciphertext || tag: the last 16 bytes (gcm.Overhead()) are the tag.
	block, err := aes.NewCipher(cek)
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	sealed := gcm.Seal(nil, iv, plaintext, aad)
	ciphertext, tag := sealed[:len(sealed)-gcm.Overhead()], sealed[len(sealed)-gcm.Overhead():]
	// --- end stage ---

	// --- stage: compact ---
	// RFC 7516 §5.1 step 19, §7.1: the compact serialization, five base64url parts joined by '.'
	// (notebook 05).
	return strings.Join([]string{protected, b64url(encryptedKey), b64url(iv), b64url(ciphertext), b64url(tag)}, "."), nil
	// --- end stage ---
}

func decrypt(token string, privateKey *rsa.PrivateKey, kid string) ([]byte, map[string]any, error) {
	// --- stage: parse ---
	// RFC 7516 §5.2 steps 1-5: split the compact form, decode each part strictly, read the
	// header, and check it against an allow-list before any key is used (notebooks 05, 06).
	parts := strings.Split(token, ".")
	if len(parts) != 5 {
		return nil, nil, fail("parse", "expected 5 parts in a compact JWE, found %d", len(parts))
	}
	names := []string{"protected header", "encrypted key", "IV", "ciphertext", "tag"}
	decoded := make([][]byte, 5)
	for i, part := range parts {
		data, err := b64urlDecode(part, names[i])
		if err != nil {
			return nil, nil, err
		}
		decoded[i] = data
	}
	encryptedKey, iv, ciphertext, tag := decoded[1], decoded[2], decoded[3], decoded[4]
	header, err := jsonObject(decoded[0], "the protected header")
	if err != nil {
		return nil, nil, err
	}
	if header["alg"] != algName || header["enc"] != encName {
		return nil, nil, fail("header", "expected alg %s and enc %s, found another pair", algName, encName)
	}
	var unexpected []string
	for name := range header {
		if !slices.Contains([]string{"alg", "enc", "kid", "cty", "typ"}, name) {
			unexpected = append(unexpected, name)
		}
	}
	if len(unexpected) > 0 { // named escaped and short (quoted): the names come from the token
		sort.Strings(unexpected)
		more := ""
		if len(unexpected) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(unexpected)-1)
		}
		return nil, nil, fail("header", "unexpected header member %s%s", quoted(unexpected[0]), more)
	}
	if kid != "" && header["kid"] != kid {
		return nil, nil, fail("header", "the token's kid is not this key's kid")
	}
	if len(iv) != 12 || len(tag) != 16 {
		return nil, nil, fail("parse", "expected a 12-byte IV and a 16-byte tag")
	}
	// --- end stage ---

	// --- stage: decrypt_key ---
	// RFC 7516 §5.2 steps 9-10: RSA-OAEP-256 decryption of the CEK, sha256.New() again (notebook
	// 06). A wrong key and a tampered token get one and the same answer (§11.5). RFC 8017
	// §7.1.2 step 1: the encrypted key is exactly k bytes, the modulus's length. DecryptOAEP
	// refuses only a longer one and reads a shorter one as if zeros led it, so one CEK would
	// have two spellings: a shorter one is that same failure too.
	var cek []byte
	if len(encryptedKey) == privateKey.Size() {
		if cek, err = rsa.DecryptOAEP(sha256.New(), nil, privateKey, encryptedKey, nil); err != nil {
			cek = nil // fall through to the one uniform failure below
		}
	}
	// --- end stage ---

	// --- stage: decrypt_content ---
	// RFC 7516 §5.2 steps 14-16: AAD from the header *as received*, then AES-256-GCM decryption
	// (notebook 06). Open wants ciphertext || tag and checks the tag before returning plaintext.
	aad := []byte(parts[0])
	failed := fail("decrypt", "the token does not decrypt with this key")
	if len(cek) != 32 {
		return nil, nil, failed
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, nil, failed
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, failed
	}
	plaintext, err := gcm.Open(nil, iv, append(slices.Clone(ciphertext), tag...), aad)
	if err != nil {
		return nil, nil, failed
	}
	// --- end stage ---
	return plaintext, header, nil
}

// ------------------------------------------------------------------ the practice API (kyc)

// ecdsaSignature is the DER form: SEQUENCE { r INTEGER, s INTEGER }.
type ecdsaSignature struct{ R, S *big.Int }

func segment(value any) (string, error) {
	data, err := json.Marshal(value)
	return b64url(data), err
}

// --- stage: sign ---
// RFC 7515 §5.1 + RFC 7518 §3.4 (notebook 11): the JWS of the claims, ES256, inside the JWE. The
// trap: ecdsa.SignASN1 (like most ECDSA APIs) returns DER, SEQUENCE { r, s }; JWS wants the raw
// 64 bytes r||s, each left-padded to 32 bytes (FillBytes), or other libraries refuse it.
func signES256(claims map[string]any, key *ecdsa.PrivateKey, kid string) (string, error) {
	header, err := segment(map[string]string{"alg": "ES256", "typ": "JWT", "kid": kid})
	if err != nil {
		return "", err
	}
	payload, err := segment(claims)
	if err != nil {
		return "", err
	}
	signingInput := header + "." + payload
	digest := sha256.Sum256([]byte(signingInput))
	der, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return "", err
	}
	var rs ecdsaSignature
	if rest, err := asn1.Unmarshal(der, &rs); err != nil || len(rest) != 0 {
		return "", fail("jws", "ECDSA returned an unreadable DER signature")
	}
	raw := make([]byte, 64)
	rs.R.FillBytes(raw[:32])
	rs.S.FillBytes(raw[32:])
	return signingInput + "." + b64url(raw), nil
}

// --- end stage ---

// --- stage: verify ---
// RFC 7515 §5.2 (notebook 11): verify the server's JWS with the key its `kid` names in the
// server's JWKS, allowing only PS256 and ES256, and only `typ` JWT, in any case (RFC 8725 §3.11:
// explicit typing, so a JWS the server signs for another purpose is not taken for an answer).
// PS256 = RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 bytes (the trap: Go's default
// PSSSaltLengthAuto accepts any salt); ES256 arrives as raw r||s, re-encoded to DER for
// ecdsa.VerifyASN1.
func verifyJWS(token string, jwks map[string]any) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fail("jws", "expected 3 parts in a compact JWS, found %d", len(parts))
	}
	headerBytes, err := b64urlDecode(parts[0], "JWS header")
	if err != nil {
		return nil, err
	}
	header, err := jsonObject(headerBytes, "the JWS header")
	if err != nil {
		return nil, err
	}
	signature, err := b64urlDecode(parts[2], "JWS signature")
	if err != nil {
		return nil, err
	}
	alg, _ := str(header, "alg")
	kid, hasKid := str(header, "kid")
	for name := range header {
		if name != "alg" && name != "kid" && name != "typ" {
			return nil, fail("jws", "unexpected JWS header member %s", quoted(name))
		}
	}
	if alg != "PS256" && alg != "ES256" {
		return nil, fail("jws", "expected alg PS256 or ES256, found %s", quoted(alg))
	}
	if !saysJWT(header["typ"]) || !hasKid {
		return nil, fail("jws", "the JWS header lacks typ 'JWT' or a kid")
	}
	// The entry with this kid, use "sig", alg this one or none, that loads as a key of the
	// type alg needs. One the recipe cannot use is skipped: a JWKS may list keys it does not know.
	// Two that load are ambiguous (RFC 7517 §4.5: keys of one kind do not share a kid): refused.
	var public crypto.PublicKey
	keys, _ := jwks["keys"].([]any)
	for _, candidate := range keys {
		if k, ok := candidate.(map[string]any); ok && k["use"] == "sig" && k["kid"] == kid && boundTo(k, "alg", alg) {
			if found := signingKey(k, alg); found != nil {
				if public != nil {
					return nil, fail("jwks", "the server's JWKS has more than one signing key with this kid")
				}
				public = found
			}
		}
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	verified := false
	switch public := public.(type) {
	case nil:
		return nil, fail("jws", "no usable signing key in the server's JWKS has this kid and alg")
	case *ecdsa.PublicKey:
		if len(signature) == 64 {
			r, s := new(big.Int).SetBytes(signature[:32]), new(big.Int).SetBytes(signature[32:])
			der, err := asn1.Marshal(ecdsaSignature{r, s})
			verified = err == nil && ecdsa.VerifyASN1(public, digest[:], der)
		}
	case *rsa.PublicKey:
		options := &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
		verified = rsa.VerifyPSS(public, crypto.SHA256, digest[:], signature, options) == nil
	}
	if !verified {
		return nil, fail("jws", "the server's signature does not verify")
	}
	payload, err := b64urlDecode(parts[1], "JWS payload")
	if err != nil {
		return nil, err
	}
	return jsonObject(payload, "the JWS payload")
}

// saysJWT: typ and cty name a media type, case-insensitive, whose "application/" may be left
// out (RFC 7515 §4.1.9-10): "JWT", "jwt" and "application/jwt" say the same; "secevent+jwt" not.
func saysJWT(value any) bool {
	text, _ := value.(string)
	return strings.EqualFold(text, "JWT") || strings.EqualFold(text, "application/JWT")
}

// signingKey loads a JWK for alg: ES256 wants an EC key on P-256, PS256 an RSA key that passes
// checkRSANumbers (2048 to 16384 bits, odd n, a small odd e). Anything else gives nil.
func signingKey(jwk map[string]any, alg string) crypto.PublicKey {
	switch {
	case alg == "ES256" && jwk["kty"] == "EC" && jwk["crv"] == "P-256":
		x, errX := uintMember(jwk, "x", "the server key")
		y, errY := uintMember(jwk, "y", "the server key")
		if errX != nil || errY != nil || x.BitLen() > 256 || y.BitLen() > 256 {
			return nil
		}
		point := make([]byte, 65)
		point[0] = 4 // uncompressed: 0x04 || x || y
		x.FillBytes(point[1:33])
		y.FillBytes(point[33:])
		public, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point) // refuses a point off the curve
		if err != nil {
			return nil
		}
		return public
	case alg == "PS256" && jwk["kty"] == "RSA":
		n, errN := uintMember(jwk, "n", "the server key")
		e, errE := uintMember(jwk, "e", "the server key")
		if errN != nil || errE != nil || checkRSANumbers(n, e) != nil {
			return nil
		}
		return &rsa.PublicKey{N: n, E: int(e.Int64())}
	}
	return nil
}

// --- end stage ---

func integer(value any) (int64, bool) {
	number, ok := value.(json.Number)
	if !ok {
		return 0, false
	}
	parsed, err := number.Int64()
	return parsed, err == nil
}

// --- stage: claims ---
// RFC 7519 §4.1, RFC 8725 §3.3 (notebooks 09, 11): check the answer's claims before trusting it:
// who sent it (`iss`), that it is for us (`aud`), that it is fresh (`iat`, `exp`, and `nbf` when
// present) and short-lived (exp - iat at most maxAge, so a leaked answer does not stay good for
// years), and that it answers *our* request (`in_reply_to` = the request's `jti`), so a replayed
// or swapped answer is refused.
func checkAnswerClaims(claims map[string]any, clientID, jti string, now int64) error {
	audOK := claims["aud"] == clientID
	if list, ok := claims["aud"].([]any); ok {
		audOK = slices.Contains(list, any(clientID))
	}
	if claims["iss"] != audience || !audOK {
		return fail("claims", "the answer is not from the practice server to this client")
	}
	exp, expOK := integer(claims["exp"])
	iat, iatOK := integer(claims["iat"])
	// Expired "on or after" exp (RFC 7519 §4.1.4): exp <= now - skew is refused.
	if !expOK || !iatOK || exp+skew <= now || iat-skew > now {
		return fail("claims", "the answer is expired, from the future, or lacks exp/iat")
	}
	if exp > iat+maxAge || exp <= iat { // not exp-iat, which overflows for a negative iat
		return fail("claims", "the answer's exp - iat is not 1 to %d s", maxAge)
	}
	if _, present := claims["nbf"]; present {
		if nbf, ok := integer(claims["nbf"]); !ok || nbf-skew > now {
			return fail("claims", "the answer is not valid yet (nbf), or its nbf is not an integer")
		}
	}
	if claims["in_reply_to"] != jti {
		return fail("claims", "the answer does not reply to this request's jti")
	}
	return nil
}

// --- end stage ---

// Timeout bounds the whole call: connect, send, and the answer's head and body (its timer keeps
// running while the body is read, so a server that trickles its answer cannot stretch the call).
var client = &http.Client{
	Timeout:       10 * time.Second,
	Transport:     transport(),
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// transport is Go's default one, but with no proxy for loopback (a proxy would sit between us
// and the practice server's keys) and the environment's HTTPS_PROXY, HTTP_PROXY and NO_PROXY
// for other hosts. Go's own http.ProxyFromEnvironment skips loopback too, but spells
// "localhost" in lower case only.
func transport() *http.Transport {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = func(request *http.Request) (*url.URL, error) {
		if isLoopback(request.URL.Hostname()) {
			return nil, nil
		}
		return http.ProxyFromEnvironment(request)
	}
	return transport
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
	response, err := client.Do(request)
	if err != nil {
		return 0, "", nil, fail("http", "%s %s failed", method, url)
	}
	defer response.Body.Close()
	data, err := io.ReadAll(io.LimitReader(response.Body, maxBody+1))
	if err != nil {
		return 0, "", nil, fail("http", "%s %s: reading the answer failed", method, url)
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

// apiError names the server's JSON error {"error": {"code", "stage", "message"}} by its code,
// nothing more, and only a code that looks like one: the server's text goes to the user's
// terminal, where a newline could forge a line of ours and an escape sequence rewrite the screen.
func apiError(status int, body []byte) error {
	var shape struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &shape) != nil || shape.Error.Code == "" {
		return fail("api", "the practice server answered %d without an error code", status)
	}
	if !errorCode.MatchString(shape.Error.Code) {
		return fail("api", "the practice server answered %d with an unreadable error code", status)
	}
	return fail("api", "the practice server answered %d with code %q", status, shape.Error.Code)
}

func randomToken(n int) string {
	data := make([]byte, n)
	if _, err := rand.Read(data); err != nil {
		panic(err) // the OS CSPRNG does not fail on a working system
	}
	return b64url(data)
}

func kyc(baseURL string) (map[string]any, error) {
	base := strings.TrimRight(baseURL, "/")
	if err := checkBaseURL(base); err != nil {
		return nil, err
	}
	// Fresh DEMO keys: RSA-2048 to receive encrypted answers, P-256 to sign requests.
	encKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	sigKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tag := make([]byte, 4)
	_, _ = rand.Read(tag)
	encKid, sigKid := "demo-go-enc-"+hex.EncodeToString(tag), "demo-go-sig-"+hex.EncodeToString(tag)

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
	serverJWKS, err := jsonObject(body, "the server's JWKS")
	if err != nil {
		return nil, err
	}
	keys, ok := serverJWKS["keys"].([]any)
	if !ok {
		return nil, fail("jwks", "the server's JWKS has no \"keys\" array")
	}
	// The first usable entry for use "enc" is the current key. An entry that is not usable here
	// (another kty or alg, a malformed or short key, no kid) is skipped, not fatal: a JWKS may
	// list keys for other clients and of types this recipe does not know.
	var serverKey *rsa.PublicKey
	var serverKid string
	for _, candidate := range keys {
		if k, ok := candidate.(map[string]any); ok && k["use"] == "enc" {
			if serverKey, serverKid, err = publicKeyFromJWK(k); err == nil {
				break
			}
		}
	}
	if serverKey == nil {
		return nil, fail("jwks", "the server's JWKS has no usable RSA-OAEP-256 encryption key")
	}

	point, err := sigKey.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		return nil, err
	}
	registration, err := json.Marshal(map[string]any{"jwks": map[string]any{"keys": []any{
		map[string]string{"kty": "RSA", "kid": encKid, "use": "enc", "alg": algName,
			"n": b64url(encKey.N.Bytes()), "e": b64url(big.NewInt(int64(encKey.E)).Bytes())},
		map[string]string{"kty": "EC", "kid": sigKid, "use": "sig", "alg": "ES256", "crv": "P-256",
			"x": b64url(point[1:33]), "y": b64url(point[33:])},
	}}})
	if err != nil {
		return nil, err
	}
	status, mediaType, body, err = call("POST", base+"/v1/clients", "application/json", registration, nil)
	if err != nil {
		return nil, err
	}
	if err := expect(status, mediaType, body, 201, "application/json"); err != nil {
		return nil, err
	}
	registered, err := jsonObject(body, "the registration answer")
	if err != nil {
		return nil, err
	}
	clientID, ok := str(registered, "client_id")
	if !ok || !visibleASCII.MatchString(clientID) {
		return nil, fail("api", "the registration answer has no client_id of 1-256 visible ASCII characters")
	}

	now := time.Now().Unix()
	jti := randomToken(16) // fresh per request: the server refuses a jti it has seen
	claims := map[string]any{"iss": clientID, "aud": audience, "iat": now, "exp": now + lifetime,
		"jti": jti, "pan": "ABCDE1234F", "name": "Asha Rao"}
	jws, err := signES256(claims, sigKey, sigKid)
	if err != nil {
		return nil, err
	}
	requestToken, err := encrypt([]byte(jws), serverKey, serverKid, "JWT")
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
	nested, header, err := decrypt(strings.Trim(string(body), " \t\r\n"), encKey, encKid)
	if err != nil {
		return nil, err
	}
	if !saysJWT(header["cty"]) {
		return nil, fail("header", "the answer's JWE does not say cty 'JWT'")
	}
	answer, err := verifyJWS(string(nested), serverJWKS)
	if err != nil {
		return nil, err
	}
	if err := checkAnswerClaims(answer, clientID, jti, time.Now().Unix()); err != nil {
		return nil, err
	}
	return answer, nil
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

func readJSONFile(path string) (map[string]any, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fail("jwk", "cannot read %q", path)
	}
	defer file.Close()
	data, err := readBounded(file, maxInput, "jwk", fmt.Sprintf("%q", path))
	if err != nil {
		return nil, err
	}
	return jsonObject(data, fmt.Sprintf("the JWK in %q", path))
}

func run(command, argument string) error {
	switch command {
	case "encrypt":
		jwk, err := readJSONFile(argument)
		if err != nil {
			return err
		}
		key, kid, err := publicKeyFromJWK(jwk)
		if err != nil {
			return err
		}
		plaintext, err := readBounded(os.Stdin, maxInput, "input", "the plaintext on stdin")
		if err != nil {
			return err
		}
		token, err := encrypt(plaintext, key, kid, "")
		if err != nil {
			return err
		}
		return writeStdout([]byte(token + "\n"))
	case "decrypt":
		jwk, err := readJSONFile(argument)
		if err != nil {
			return err
		}
		key, kid, err := privateKeyFromJWK(jwk)
		if err != nil {
			return err
		}
		token, err := readBounded(os.Stdin, maxToken, "input", "the token on stdin")
		if err != nil {
			return err
		}
		plaintext, _, err := decrypt(strings.Trim(string(token), " \t\r\n"), key, kid)
		if err != nil {
			return err
		}
		return writeStdout(plaintext)
	default:
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
}

func main() {
	if len(os.Args) != 3 || !slices.Contains([]string{"encrypt", "decrypt", "kyc"}, os.Args[1]) {
		fmt.Fprintln(os.Stderr, "usage: stages encrypt PUBLIC_JWK | decrypt PRIVATE_JWK | kyc BASE_URL")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		var recipe *recipeError
		if errors.As(err, &recipe) {
			fmt.Fprintln(os.Stderr, "go recipe: "+recipe.Error())
		} else {
			fmt.Fprintln(os.Stderr, "go recipe: unexpected failure: "+err.Error())
		}
		os.Exit(1)
	}
}
