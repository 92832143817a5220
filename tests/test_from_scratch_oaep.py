"""From-scratch RSAES-OAEP: Wycheproof, RFC 7516 A.1, agreement with cryptography."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from hypothesis import given, settings
from hypothesis import strategies as st

from jwe_steps import load_key
from jwe_steps.errors import InputError, InvalidKeyError, KeyManagementError
from jwe_steps.from_scratch import oaep

HASH_CLASSES = {
    "SHA-1": hashes.SHA1,
    "SHA-256": hashes.SHA256,
    "SHA-384": hashes.SHA384,
    "SHA-512": hashes.SHA512,
}


def b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def library_padding(hash_name: str, label: bytes) -> padding.OAEP:
    cls = HASH_CLASSES[hash_name]
    return padding.OAEP(mgf=padding.MGF1(cls()), algorithm=cls(), label=label or None)


# ------------------------------------------------------------------ RFC 7516 Appendix A.1

# RFC 7516 §A.1.4: the RSA key (a published example key: never use it for anything real).
RFC7516_A1_KEY = {
    "kty": "RSA",
    "n": "oahUIoWw0K0usKNuOR6H4wkf4oBUXHTxRvgb48E-BVvxkeDNjbC4he8rUW"
    "cJoZmds2h7M70imEVhRU5djINXtqllXI4DFqcI1DgjT9LewND8MW2Krf3S"
    "psk_ZkoFnilakGygTwpZ3uesH-PFABNIUYpOiN15dsQRkgr0vEhxN92i2a"
    "sbOenSZeyaxziK72UwxrrKoExv6kc5twXTq4h-QChLOln0_mtUZwfsRaMS"
    "tPs6mS6XrgxnxbWhojf663tuEQueGC-FCMfra36C9knDFGzKsNa7LZK2dj"
    "YgyD3JR_MB_4NUJW_TqOQtwHYbxevoJArm-L5StowjzGy-_bq6Gw",
    "e": "AQAB",
    "d": "kLdtIj6GbDks_ApCSTYQtelcNttlKiOyPzMrXHeI-yk1F7-kpDxY4-WY5N"
    "WV5KntaEeXS1j82E375xxhWMHXyvjYecPT9fpwR_M9gV8n9Hrh2anTpTD9"
    "3Dt62ypW3yDsJzBnTnrYu1iwWRgBKrEYY46qAZIrA2xAwnm2X7uGR1hghk"
    "qDp0Vqj3kbSCz1XyfCs6_LehBwtxHIyh8Ripy40p24moOAbgxVw3rxT_vl"
    "t3UVe4WO3JkJOzlpUf-KTVI2Ptgm-dARxTEtE-id-4OJr0h-K-VFs3VSnd"
    "VTIznSxfyrj8ILL6MG_Uv8YAu7VILSB3lOW085-4qE3DzgrTjgyQ",
    "p": "1r52Xk46c-LsfB5P442p7atdPUrxQSy4mti_tZI3Mgf2EuFVbUoDBvaRQ-"
    "SWxkbkmoEzL7JXroSBjSrK3YIQgYdMgyAEPTPjXv_hI2_1eTSPVZfzL0lf"
    "fNn03IXqWF5MDFuoUYE0hzb2vhrlN_rKrbfDIwUbTrjjgieRbwC6Cl0",
    "q": "wLb35x7hmQWZsWJmB_vle87ihgZ19S8lBEROLIsZG4ayZVe9Hi9gDVCOBm"
    "UDdaDYVTSNx_8Fyw1YYa9XGrGnDew00J28cRUoeBB_jKI1oma0Orv1T9aX"
    "IWxKwd4gvxFImOWr3QRL9KEBRzk2RatUBnmDZJTIAfwTs0g68UZHvtc",
    "dp": "ZK-YwE7diUh0qR1tR7w8WHtolDx3MZ_OTowiFvgfeQ3SiresXjm9gZ5KL"
    "hMXvo-uz-KUJWDxS5pFQ_M0evdo1dKiRTjVw_x4NyqyXPM5nULPkcpU827"
    "rnpZzAJKpdhWAgqrXGKAECQH0Xt4taznjnd_zVpAmZZq60WPMBMfKcuE",
    "dq": "Dq0gfgJ1DdFGXiLvQEZnuKEN0UUmsJBxkjydc3j4ZYdBiMRAy86x0vHCj"
    "ywcMlYYg4yoC4YZa9hNVcsjqA3FeiL19rk8g6Qn29Tt0cj8qqyFpz9vNDB"
    "UfCAiJVeESOjJDZPYHdHY8v1b-o-Z2X5tvLx-TCekf7oxyeKDUqKWjis",
    "qi": "VIMpMYbPf47dT1w_zDUXfPimsSegnMOA1zTaX7aGk_8urY6R8-ZW1FxU7"
    "AlWAyLWybqq6t16VFd7hQd0y6flUK4SlOydB61gwanOsXGOAOv82cHq0E3"
    "eL4HrtZkUuKvnPrMnsUUFlfUdybVzxyjz9JF_XyaY14ardLSjf4L_FNY",
}
# RFC 7516 §A.1.2: the CEK; §A.1.3: the encrypted key (RSA-OAEP, i.e. SHA-1).
RFC7516_A1_CEK = bytes(
    [177, 161, 244, 128, 84, 143, 225, 115, 63, 180, 3, 255, 107, 154, 212, 246,
     138, 7, 110, 91, 112, 46, 34, 105, 47, 130, 203, 46, 122, 234, 64, 252]
)  # fmt: skip
RFC7516_A1_ENCRYPTED_KEY = b64(
    "OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe"
    "ipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDb"
    "Sv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaV"
    "mqgfwX7XWRxv2322i-vDxRfqNzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je8"
    "1860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi"
    "6UklfCpIMfIjf7iGdXKHzg"
)


@pytest.fixture(scope="module")
def rfc_key():
    return load_key(RFC7516_A1_KEY)


def test_rfc7516_a1_encrypted_key_reproduced_with_a_fixed_seed(rfc_key) -> None:
    # Decrypting the published encrypted key recovers the CEK, and on the way the seed the
    # RFC's authors drew. Encrypting the CEK again with that seed gives the RFC's bytes exactly.
    opened = oaep.decrypt(rfc_key, RFC7516_A1_ENCRYPTED_KEY, hash="SHA-1")
    assert opened.message == RFC7516_A1_CEK
    seed = opened["seed"]
    assert len(seed) == 20

    sealed = oaep.encrypt(rfc_key.public_key(), RFC7516_A1_CEK, hash="SHA-1", seed=seed)
    assert sealed.ciphertext == RFC7516_A1_ENCRYPTED_KEY
    assert sealed["EM"] == opened["EM"] and sealed["DB"] == opened["DB"]
    assert sealed["m"] == opened["m"] and sealed["c"] == opened["c"]
    # ... and the real library decrypts it to the CEK.
    library = rfc_key.material.decrypt(sealed.ciphertext, library_padding("SHA-1", b""))
    assert library == RFC7516_A1_CEK


def test_the_recorded_values_fit_together(rfc_key) -> None:
    seed = bytes(range(32))
    result = oaep.encrypt(rfc_key, b"sixteen byte key", hash="SHA-256", seed=seed)
    k, h_len = 256, 32
    assert result["lHash"] == bytes.fromhex(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )  # SHA-256 of the empty label
    assert result["PS"] == bytes(k - 16 - 2 * h_len - 2)
    assert result["DB"] == result["lHash"] + result["PS"] + b"\x01" + b"sixteen byte key"
    assert result["seed"] == seed
    assert result["dbMask"] == oaep.mgf1(seed, k - h_len - 1, "SHA-256")
    assert result["EM"] == b"\x00" + result["maskedSeed"] + result["maskedDB"]
    numbers = rfc_key.material.public_key().public_numbers()
    assert result["c"] == pow(result["m"], numbers.e, numbers.n)
    assert result.ciphertext == result["c"].to_bytes(k, "big")


def test_fixed_seed_is_reproducible_and_random_seed_is_not(rfc_key) -> None:
    seed = os.urandom(32)
    first = oaep.encrypt(rfc_key, b"cek", seed=seed).ciphertext
    assert oaep.encrypt(rfc_key, b"cek", seed=seed).ciphertext == first
    assert oaep.encrypt(rfc_key, b"cek").ciphertext != oaep.encrypt(rfc_key, b"cek").ciphertext


def test_key_forms(rfc_key) -> None:
    jwk_public = {k: RFC7516_A1_KEY[k] for k in ("kty", "n", "e")}
    pem = rfc_key.to_pem()
    for public in (jwk_public, pem, rfc_key.material.public_key(), rfc_key.public_key()):
        ciphertext = oaep.encrypt(public, b"hello", hash="SHA-1").ciphertext
        for private in (RFC7516_A1_KEY, rfc_key.material, rfc_key):
            assert oaep.decrypt(private, ciphertext, hash="SHA-1").message == b"hello"


# ------------------------------------------------------------------ Wycheproof


@pytest.mark.parametrize(
    ("filename", "hash_name"),
    [
        ("rsa_oaep_2048_sha256_mgf1sha256_test.json", "SHA-256"),
        ("rsa_oaep_2048_sha1_mgf1sha1_test.json", "SHA-1"),
    ],
)
def test_wycheproof_rsa_oaep(wycheproof, filename: str, hash_name: str) -> None:
    data = wycheproof(filename)
    messages: set[str] = set()
    checked = 0
    for group in data["testGroups"]:
        assert group["sha"] == group["mgfSha"] == hash_name
        key = load_key(group["privateKeyPem"].encode())
        for case in group["tests"]:
            ct, label, msg = (bytes.fromhex(case[n]) for n in ("ct", "label", "msg"))
            if case["result"] == "valid":
                assert oaep.decrypt(key, ct, hash_name, label).message == msg, case["tcId"]
            elif case["result"] == "invalid":
                with pytest.raises(KeyManagementError) as caught:
                    oaep.decrypt(key, ct, hash_name, label)
                    pytest.fail(f"tcId {case['tcId']} was accepted")
                messages.add(str(caught.value))
            else:
                try:
                    oaep.decrypt(key, ct, hash_name, label)
                except KeyManagementError as error:
                    messages.add(str(error))
            checked += 1
    assert checked > 30
    assert len(messages) == 1, "every padding failure must give one and the same error"


def test_every_failure_is_the_same_error(rsa_key) -> None:
    ciphertext = oaep.encrypt(rsa_key, b"k" * 16).ciphertext
    n = rsa_key.material.public_key().public_numbers().n
    bad = [
        ciphertext[:-1],  # wrong length
        n.to_bytes(256, "big"),  # c >= n
        bytes([ciphertext[0] ^ 1]) + ciphertext[1:],  # garbage after RSA
    ]
    messages = set()
    for candidate in bad:
        with pytest.raises(KeyManagementError) as caught:
            oaep.decrypt(rsa_key, candidate)
        messages.add(str(caught.value))
    with pytest.raises(KeyManagementError) as caught:  # right padding, wrong label
        oaep.decrypt(rsa_key, ciphertext, label=b"other")
    messages.add(str(caught.value))
    with pytest.raises(KeyManagementError) as caught:  # wrong hash
        oaep.decrypt(rsa_key, ciphertext, hash="SHA-1")
    messages.add(str(caught.value))
    assert len(messages) == 1


def test_bad_arguments(rsa_key) -> None:
    with pytest.raises(InputError):
        oaep.encrypt(rsa_key, b"x" * 191)  # k - 2·32 - 2 = 190 bytes at most
    assert len(oaep.encrypt(rsa_key, b"x" * 190).ciphertext) == 256
    with pytest.raises(InputError):
        oaep.encrypt(rsa_key, b"x", seed=bytes(20))
    with pytest.raises(InputError):
        oaep.encrypt(rsa_key, b"x", hash="MD5")
    with pytest.raises(InvalidKeyError):
        oaep.decrypt(rsa_key.public_key(), bytes(256))


# ------------------------------------------------------------------ agreement with cryptography


@settings(max_examples=12, deadline=None)
@given(
    hash_name=st.sampled_from(sorted(HASH_CLASSES)),
    message=st.binary(max_size=62),
    label=st.binary(max_size=20),
)
def test_agrees_with_cryptography(rsa_key, hash_name: str, message: bytes, label: bytes) -> None:
    scheme = library_padding(hash_name, label)
    ours = oaep.encrypt(rsa_key.public_key(), message, hash_name, label).ciphertext
    assert rsa_key.material.decrypt(ours, scheme) == message
    theirs = rsa_key.material.public_key().encrypt(message, scheme)
    assert oaep.decrypt(rsa_key, theirs, hash_name, label).message == message
