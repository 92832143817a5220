"""RFC 7516 Appendices A.2, A.3, A.4 and A.5, transcribed: one message, three serializations.

- A.2: RSA1_5 + A128CBC-HS256 in the compact serialization.
- A.3: A128KW + A128CBC-HS256 in the compact serialization.
- A.4: the general JSON serialization with two recipients: the first gets the CEK with RSA1_5
  under the RSA key of A.2, the second with A128KW under the symmetric key of A.3.
- A.5: the flattened JSON serialization: A.4 with only the second recipient.

All four share the plaintext, the CEK and the IV of A.2/A.3. Values are copied from the RFC's
text (byte arrays, or the base64url text of the complete representations), not computed. The
keys are the RFC's published example keys: DEMO keys that the whole world knows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..b64 import b64url_decode
from ..keys import Key, KeySet, load_key
from .rfc7516 import PublishedExample

# A.2 / A.3: "Live long and prosper."
PLAINTEXT = bytes(
    [76, 105, 118, 101, 32, 108, 111, 110, 103, 32, 97, 110, 100, 32, 112, 114, 111, 115, 112,
     101, 114, 46]
)  # fmt: skip

# A.2.2 (and A.3.2, A.4, A.5): the 256-bit CEK, MAC_KEY || ENC_KEY for A128CBC-HS256.
CEK = bytes(
    [4, 211, 31, 197, 84, 157, 252, 254, 11, 100, 157, 250, 63, 170, 106, 206, 107, 124, 212, 45,
     111, 107, 9, 219, 200, 177, 0, 240, 143, 156, 44, 207]
)  # fmt: skip

# A.2.4 (and A.3.4, A.4, A.5): the 128-bit IV.
IV = bytes([3, 22, 60, 12, 43, 67, 104, 105, 108, 108, 105, 99, 111, 116, 104, 101])

# A.2.3: the RSA key of the RSA1_5 recipient (published, so a DEMO key). A.4 calls it
# "2011-04-29" in that recipient's header.
RSA1_5_DEMO_KEY_JWK: dict[str, Any] = {
    "kty": "RSA",
    "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXb"
    "oIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7"
    "svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUI"
    "uQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw",
    "e": "AQAB",
    "d": "VFCWOqXr8nvZNyaaJLXdnNPXZKRaWCjkU5Q2egQQpTBMwhprMzWzpR8Sxq1OPThh_J6MUD8Z35wky9b8eEO0p"
    "wNS8xlh1lOFRRBoNqDIKVOku0aZb-rynq8cxjDTLZQ6Fz7jSjR1Klop-YKaUHc9GsEofQqYruPhzSA-QgajZGPbE_0"
    "ZaVDJHfyd7UUBUKunFMScbflYAAOYJqVIVwaYR5zWEEceUjNnTNo_CVSj-VvXLO5VZfCUAVLgW4dpf1SrtZjSt34YL"
    "sRarSb127reG_DUwg9Ch-KyvjT1SkHgUWRVGcyly7uvVGRSDwsXypdrNinPA4jlhoNdizK2zF2CWQ",
    "p": "9gY2w6I6S6L0juEKsbeDAwpd9WMfgqFoeA9vEyEUuk4kLwBKcoe1x4HG68ik918hdDSE9vDQSccA3xXHOAFOP"
    "J8R9EeIAbTi1VwBYnbTp87X-xcPWlEPkrdoUKW60tgs1aNd_Nnc9LEVVPMS390zbFxt8TN_biaBgelNgbC95sM",
    "q": "uKlCKvKv_ZJMVcdIs5vVSU_6cPtYI1ljWytExV_skstvRSNi9r66jdd9-yBhVfuG4shsp2j7rGnIio901RBeH"
    "o6TPKWVVykPu1iYhQXw1jIABfw-MVsN-3bQ76WLdt2SDxsHs7q7zPyUyHXmps7ycZ5c72wGkUwNOjYelmkiNS0",
    "dp": "w0kZbV63cVRvVX6yk3C8cMxo2qCM4Y8nsq1lmMSYhG4EcL6FWbX5h9yuvngs4iLEFk6eALoUS4vIWEwcL4tx"
    "w9LsWH_zKI-hwoReoP77cOdSL4AVcraHawlkpyd2TWjE5evgbhWtOxnZee3cXJBkAi64Ik6jZxbvk-RR3pEhnCs",
    "dq": "o_8V14SezckO6CNLKs_btPdFiO9_kC1DsuUTd2LAfIIVeMZ7jn1Gus_Ff7B7IVx3p5KuBGOVF8L-qifLb6nQ"
    "nLysgHDh132NDioZkhH7mI7hPG-PYE_odApKdnqECHWw0J-F0JWnUd6D2B_1TvF9mXA2Qx-iGYn8OVV1Bsmp6qU",
    "qi": "eNho5yRBEBxhGBtQRww9QirZsB66TrfFReG_CcteI1aCneT0ELGhYlRlCtUkTRclIfuEPmNsNDPbLoLqqCVz"
    "nFbvdB7x-Tl-m0l_eFTj2KiqwGqE9PZB9nNTwMVvH3VRRSLWACvPnSiwP8N5Usy-WRXS-V7TbpxIhvepTfE0NNo",
}

# A.3.3: the 128-bit A128KW key (published, so a DEMO key). A.4 and A.5 call it "7".
A128KW_DEMO_KEY_JWK: dict[str, Any] = {"kty": "oct", "k": "GawgguFyGrWKav7AX4VKUg"}

# A.3.3: the CEK wrapped with A128KW under that key.
A128KW_ENCRYPTED_KEY = bytes(
    [232, 160, 123, 211, 183, 76, 245, 132, 200, 128, 123, 75, 190, 216, 22, 67, 201, 138, 193,
     186, 9, 91, 122, 31, 246, 90, 28, 139, 57, 3, 76, 124, 193, 11, 98, 37, 173, 61, 104, 57]
)  # fmt: skip

# A.2.6 (and A.3.6, A.4.6, A.5): the ciphertext. AES-CBC does not read the AAD, so it is the
# same in all of them; only the tag changes with the protected header.
CIPHERTEXT = bytes(
    [40, 57, 83, 181, 119, 33, 133, 148, 198, 185, 243, 24, 152, 230, 6, 75, 129, 223, 127, 19,
     210, 82, 183, 230, 168, 33, 215, 104, 143, 112, 56, 102]
)  # fmt: skip

# A.2.3 (and A.4.4): the CEK encrypted with RSA1_5 under the RSA key above (randomized: this is
# the RFC's one encryption of it, and A.4 reuses it for its first recipient).
_RSA1_5_ENCRYPTED_KEY_TEXT = (
    "UGhIOguC7IuEvf_NPVaXsGMoLOmwvc1GyqlIKOK1nN94nHPoltGRhWhw7Zx0-kFm1NJn8LE9XShH59_i8J0PH5ZZyNfGy"
    "2xGdULU7sHNF6Gp2vPLgNZ__deLKxGHZ7PcHALUzoOegEI-8E66jX2E4zyJKx-YxzZIItRzC5hlRirb6Y5Cl_p-ko3Yvk"
    "kysZIFNPccxRU7qve1WYPxqbb2Yw8kZqa2rMWI5ng8OtvzlV7elprCbuPhcCdZ6XDP0_F8rkXds2vE4X-ncOIM8hAYHHi"
    "29NX0mcKiRaD0-D-ljQTP-cFPgwCp6X-nZZd9OHBv-B3oWh2TbqmScqXMR4gp_A"
)

# B.3: AL, the bit length of a 51-octet AAD (408 bits) as a 64-bit big-endian integer. Appendix B
# works with A.3's values, but A.2's AAD is 51 octets too, so this is A.2's AL as well.
RFC7516_A2_AL = bytes([0, 0, 0, 0, 0, 0, 1, 152])

# fmt: off
RFC7516_A2 = PublishedExample(
    source="RFC 7516 Appendix A.2",
    plaintext=PLAINTEXT,
    protected_header=b'{"alg":"RSA1_5","enc":"A128CBC-HS256"}',  # A.2.1
    demo_key_jwk=RSA1_5_DEMO_KEY_JWK,
    alg="RSA1_5",
    enc="A128CBC-HS256",
    cek=CEK,
    encrypted_key=b64url_decode(_RSA1_5_ENCRYPTED_KEY_TEXT),
    iv=IV,
    aad=b"eyJhbGciOiJSU0ExXzUiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0",  # A.2.5
    ciphertext=CIPHERTEXT,
    tag=bytes([246, 17, 244, 190, 4, 95, 98, 3, 231, 0, 115, 157, 242, 203, 100, 191]),  # A.2.6
    token=".".join(  # A.2.7
        (
            "eyJhbGciOiJSU0ExXzUiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0",
            _RSA1_5_ENCRYPTED_KEY_TEXT,
            "AxY8DCtDaGlsbGljb3RoZQ",
            "KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY",
            "9hH0vgRfYgPnAHOd8stkvw",
        )
    ),
)
# fmt: on

# fmt: off
RFC7516_A3 = PublishedExample(
    source="RFC 7516 Appendix A.3",
    plaintext=PLAINTEXT,
    protected_header=b'{"alg":"A128KW","enc":"A128CBC-HS256"}',  # A.3.1
    demo_key_jwk=A128KW_DEMO_KEY_JWK,
    alg="A128KW",
    enc="A128CBC-HS256",
    cek=CEK,
    encrypted_key=A128KW_ENCRYPTED_KEY,
    iv=IV,
    aad=b"eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0",  # A.3.5
    ciphertext=CIPHERTEXT,
    tag=bytes([83, 73, 191, 98, 104, 205, 211, 128, 201, 189, 199, 133, 32, 38, 194, 85]),
    token=(  # A.3.7
        "eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0."
        "6KB707dM9YTIgHtLvtgWQ8mKwboJW3of9locizkDTHzBC2IlrT1oOQ."
        "AxY8DCtDaGlsbGljb3RoZQ."
        "KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY."
        "U0m_YmjN04DJvceFICbCVQ"
    ),
)
# fmt: on


@dataclass(frozen=True)
class PublishedJSONExample:
    """One published JWE in a JSON serialization, with the parts it lists."""

    source: str
    serialization: str  # "general" or "flattened"
    plaintext: bytes
    protected_header: bytes  # UTF8(JSON) exactly as published
    unprotected: dict[str, Any]  # the shared unprotected header
    recipient_headers: tuple[dict[str, Any], ...]  # per-recipient headers, in order
    algs: tuple[str, ...]  # each recipient's alg
    demo_key_jwks: tuple[dict[str, Any], ...]  # each recipient's key: published, so DEMO keys
    encrypted_keys: tuple[bytes, ...]
    enc: str
    cek: bytes
    iv: bytes
    aad: bytes  # the Additional Authenticated Data fed to the content encryption
    ciphertext: bytes
    tag: bytes
    token: dict[str, Any]  # the complete representation

    def demo_keys(self) -> tuple[Key, ...]:
        """Each recipient's published key, loaded, named by the kid its header gives it, and
        labelled as the DEMO key it is."""
        return tuple(
            replace(load_key(jwk), kid=header.get("kid"), demo=True)
            for jwk, header in zip(self.demo_key_jwks, self.recipient_headers, strict=True)
        )

    def demo_key_set(self) -> KeySet:
        """All recipients' DEMO keys as one set, selected by the header's kid."""
        return KeySet(self.demo_keys())


_PROTECTED = b'{"enc":"A128CBC-HS256"}'  # A.4.2
_ENCODED_PROTECTED = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2In0"
_SHARED = {"jku": "https://server.example.com/keys.jwks"}  # A.4.3
_RSA1_5_HEADER = {"alg": "RSA1_5", "kid": "2011-04-29"}  # A.4.1
_A128KW_HEADER = {"alg": "A128KW", "kid": "7"}  # A.4.1
_A128KW_ENCRYPTED_KEY_TEXT = "6KB707dM9YTIgHtLvtgWQ8mKwboJW3of9locizkDTHzBC2IlrT1oOQ"
_IV_TEXT = "AxY8DCtDaGlsbGljb3RoZQ"
_CIPHERTEXT_TEXT = "KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY"
_TAG_TEXT = "Mz-VPPyU4RlcuYv1IwIvzw"  # A.4.6

RFC7516_A4 = PublishedJSONExample(
    source="RFC 7516 Appendix A.4",
    serialization="general",
    plaintext=PLAINTEXT,
    protected_header=_PROTECTED,
    unprotected=_SHARED,
    recipient_headers=(_RSA1_5_HEADER, _A128KW_HEADER),
    algs=("RSA1_5", "A128KW"),
    demo_key_jwks=(RSA1_5_DEMO_KEY_JWK, A128KW_DEMO_KEY_JWK),
    encrypted_keys=(b64url_decode(_RSA1_5_ENCRYPTED_KEY_TEXT), A128KW_ENCRYPTED_KEY),
    enc="A128CBC-HS256",
    cek=CEK,
    iv=IV,
    aad=_ENCODED_PROTECTED.encode("ascii"),  # A.4.5
    ciphertext=CIPHERTEXT,
    tag=bytes([51, 63, 149, 60, 252, 148, 225, 25, 92, 185, 139, 245, 35, 2, 47, 207]),
    token={  # A.4.7
        "protected": _ENCODED_PROTECTED,
        "unprotected": _SHARED,
        "recipients": [
            {"header": _RSA1_5_HEADER, "encrypted_key": _RSA1_5_ENCRYPTED_KEY_TEXT},
            {"header": _A128KW_HEADER, "encrypted_key": _A128KW_ENCRYPTED_KEY_TEXT},
        ],
        "iv": _IV_TEXT,
        "ciphertext": _CIPHERTEXT_TEXT,
        "tag": _TAG_TEXT,
    },
)

RFC7516_A5 = PublishedJSONExample(
    source="RFC 7516 Appendix A.5",
    serialization="flattened",
    plaintext=PLAINTEXT,
    protected_header=_PROTECTED,
    unprotected=_SHARED,
    recipient_headers=(_A128KW_HEADER,),
    algs=("A128KW",),
    demo_key_jwks=(A128KW_DEMO_KEY_JWK,),
    encrypted_keys=(A128KW_ENCRYPTED_KEY,),
    enc="A128CBC-HS256",
    cek=CEK,
    iv=IV,
    aad=_ENCODED_PROTECTED.encode("ascii"),
    ciphertext=CIPHERTEXT,
    tag=RFC7516_A4.tag,  # same protected header, so the same AAD and the same tag as A.4
    token={
        "protected": _ENCODED_PROTECTED,
        "unprotected": _SHARED,
        "header": _A128KW_HEADER,
        "encrypted_key": _A128KW_ENCRYPTED_KEY_TEXT,
        "iv": _IV_TEXT,
        "ciphertext": _CIPHERTEXT_TEXT,
        "tag": _TAG_TEXT,
    },
)

__all__ = [
    "A128KW_DEMO_KEY_JWK",
    "RFC7516_A2",
    "RFC7516_A2_AL",
    "RFC7516_A3",
    "RFC7516_A4",
    "RFC7516_A5",
    "RSA1_5_DEMO_KEY_JWK",
    "PublishedJSONExample",
]
