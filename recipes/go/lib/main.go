// Command lib does the same RSA-OAEP-256 + A256GCM exchange with a JOSE library: go-jose v4.
//
//	recipes/run go-lib encrypt PUBLIC_JWK_FILE  < plaintext > token
//	recipes/run go-lib decrypt PRIVATE_JWK_FILE < token > plaintext
//	recipes/run go-lib kyc BASE_URL
//
// What ../stages spells out, go-jose does inside Encrypt / Decrypt. What stays the caller's job,
// library or not: the allow-lists go-jose v4 insists on at parse time, the key's use/alg/size
// checked, the recipient's kid in the header, fresh jti/exp, and the answer's iss, aud, exp
// and in_reply_to checked. The keys `kyc` makes are DEMO keys.
package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const (
	audience = "jwe-steps-practice"
	lifetime = 120 * time.Second
	skew     = 30 * time.Second
	maxBody  = 1 << 20 // the most of an answer read; larger is refused (the API takes <= 64 KiB)
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

// rsaJWK reads a JWK file's key for RSA-OAEP-256 and refuses one that does not fit.
func rsaJWK(data []byte, private bool) (jose.JSONWebKey, error) {
	var jwk jose.JSONWebKey
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
	if public.N.BitLen() < 2048 {
		return jwk, fail("jwk", "expected an RSA key of >= 2048 bits, found %d", public.N.BitLen())
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
	object, err := jose.ParseEncryptedCompact(token, keyAlgorithms, contentAlgorithms)
	if err != nil {
		return nil, jose.Header{}, fail("parse", "not a compact JWE with RSA-OAEP-256 and A256GCM")
	}
	if recipient.KeyID != "" && object.Header.KeyID != recipient.KeyID {
		return nil, jose.Header{}, fail("header", "the token's kid is not this key's kid")
	}
	plaintext, err := object.Decrypt(recipient.Key)
	if err != nil {
		return nil, jose.Header{}, fail("decrypt", "the token does not decrypt with this key")
	}
	return plaintext, object.Header, nil
}

func call(method, url, contentType string, body []byte, headers map[string]string) (int, string, []byte, error) {
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return 0, "", nil, fail("http", "the base URL must start with http:// or https://")
	}
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
	client := &http.Client{Timeout: 10 * time.Second,
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
	mediaType, _, _ := mime.ParseMediaType(response.Header.Get("Content-Type"))
	return response.StatusCode, mediaType, data, nil
}

func apiError(status int, body []byte) error {
	var shape struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	code := "unknown"
	if json.Unmarshal(body, &shape) == nil && shape.Error.Code != "" {
		code = shape.Error.Code
	}
	return fail("api", "the practice server answered %d with code %q", status, code)
}

// answerClaims are the claims the practice server signs in its answer.
type answerClaims struct {
	jwt.Claims
	InReplyTo   string `json:"in_reply_to"`
	PAN         string `json:"pan"`
	ValidFormat bool   `json:"valid_format"`
	RequestID   string `json:"request_id"`
}

func kyc(baseURL string) (map[string]any, error) {
	base := strings.TrimRight(baseURL, "/")
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

	// One JWKS fetch per run. A long-lived client caches it for its Cache-Control max-age
	// and fetches it again, once, on key.kid_unknown or api.key_retired (a key rotation).
	status, _, body, err := call("GET", base+"/.well-known/jwks.json", "", nil, nil)
	if err != nil {
		return nil, err
	}
	if status != 200 {
		return nil, apiError(status, body)
	}
	var serverJWKS struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &serverJWKS); err != nil {
		return nil, fail("jwks", "the server's JWKS is not JSON")
	}
	var serverEnc *jose.JSONWebKey
	signing := jose.JSONWebKeySet{} // only the server's signing keys may verify its answers
	for _, raw := range serverJWKS.Keys {
		var key jose.JSONWebKey
		if key.UnmarshalJSON(raw) != nil {
			continue // a key this library cannot read is not one we will use
		}
		switch {
		case key.Use == "enc" && serverEnc == nil:
			checked, err := rsaJWK(raw, false) // the first listed is the current key
			if err != nil {
				return nil, err
			}
			serverEnc = &checked
		case key.Use == "sig":
			signing.Keys = append(signing.Keys, key)
		}
	}
	if serverEnc == nil {
		return nil, fail("jwks", "the server's JWKS has no encryption key")
	}

	registration, err := json.Marshal(map[string]any{"jwks": map[string]any{
		"keys": []jose.JSONWebKey{encKey.Public(), sigKey.Public()}}})
	if err != nil {
		return nil, err
	}
	status, _, body, err = call("POST", base+"/v1/clients", "application/json", registration, nil)
	if err != nil {
		return nil, err
	}
	if status != 201 {
		return nil, apiError(status, body)
	}
	var registered struct {
		ClientID string `json:"client_id"`
	}
	if json.Unmarshal(body, &registered) != nil || registered.ClientID == "" {
		return nil, fail("api", "the registration answer has no client_id")
	}

	// Sign (go-jose writes ES256 as the raw r || s JWS wants), then encrypt with cty "JWT".
	// go-jose's jwt.SignedAndEncrypted refuses RSA key encryption for nested JWTs (anyone can
	// encrypt to a public key, so the signature is what proves the sender); build both layers.
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: sigKey},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	jtiBytes := make([]byte, 16)
	_, _ = rand.Read(jtiBytes)
	jti := base64.RawURLEncoding.EncodeToString(jtiBytes) // fresh per request
	claims := jwt.Claims{Issuer: registered.ClientID, Audience: jwt.Audience{audience},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(lifetime)), ID: jti}
	extra := map[string]any{"pan": "ABCDE1234F", "name": "Asha Rao"}
	signed, err := jwt.Signed(signer).Claims(claims).Claims(extra).Serialize()
	if err != nil {
		return nil, err
	}
	requestToken, err := encrypt([]byte(signed), *serverEnc, "JWT")
	if err != nil {
		return nil, err
	}

	headers := map[string]string{"X-Client-Id": registered.ClientID}
	status, mediaType, body, err := call("POST", base+"/v1/kyc/pan", "application/jose", []byte(requestToken), headers)
	if err != nil {
		return nil, err
	}
	if status != 200 || mediaType != "application/jose" || len(body) > maxBody {
		return nil, apiError(status, body)
	}
	nested, header, err := decrypt(strings.TrimSpace(string(body)), encKey)
	if err != nil {
		return nil, err
	}
	if cty, _ := header.ExtraHeaders[jose.HeaderContentType].(string); cty != "JWT" {
		return nil, fail("header", "the answer's JWE does not say cty 'JWT'")
	}
	inner, err := jwt.ParseSigned(string(nested), signatureAlgs)
	if err != nil {
		return nil, fail("jws", "the answer is not a JWS with PS256 or ES256")
	}
	var answer answerClaims
	var everything map[string]any
	if err := inner.Claims(signing, &answer, &everything); err != nil { // the JWS kid picks the key
		return nil, fail("jws", "the server's signature does not verify")
	}
	if answer.Expiry == nil || answer.IssuedAt == nil {
		return nil, fail("claims", "the answer lacks exp or iat")
	}
	expected := jwt.Expected{Issuer: audience, AnyAudience: jwt.Audience{registered.ClientID}, Time: time.Now()}
	if err := answer.ValidateWithLeeway(expected, skew); err != nil {
		return nil, fail("claims", "the answer's iss, aud or times do not fit")
	}
	if answer.InReplyTo != jti { // the answer is to *this* request
		return nil, fail("claims", "the answer does not reply to this request's jti")
	}
	return everything, nil
}

func run(command, argument string) error {
	if command == "kyc" {
		answer, err := kyc(argument)
		if err != nil {
			return err
		}
		out, err := json.MarshalIndent(answer, "", "  ")
		if err == nil {
			_, err = fmt.Println(string(out))
		}
		return err
	}
	data, err := os.ReadFile(argument)
	if err != nil {
		return fail("jwk", "cannot read %s", argument)
	}
	key, err := rsaJWK(data, command == "decrypt")
	if err != nil {
		return err
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	if command == "encrypt" {
		token, err := encrypt(input, key, "")
		if err == nil {
			_, err = fmt.Println(token)
		}
		return err
	}
	plaintext, _, err := decrypt(strings.TrimSpace(string(input)), key)
	if err == nil {
		_, err = os.Stdout.Write(plaintext)
	}
	return err
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
