"""RFC 7520 §5 (JWE examples), transcribed as data: the plaintext (Figure 72), the generated
CEKs, IVs and ephemeral keys, the headers, and the published outputs of §5.1-5.13.

Each example is a dict: ``alg``, ``enc``, ``key`` (the recipient's JWK, or ``password`` for
PBES2), ``cek`` and ``iv`` when the RFC gives them, the ``protected`` header in the RFC's member
order, ``unprotected`` / ``recipients`` / ``aad`` for the JSON-only examples, and the output as
``compact`` (5.1-5.9) or ``general`` JSON (5.10-5.13). Values are base64url text as printed.

The recipients' keys come from :mod:`jwe_steps.examples.rfc7520_keys`; they, the ephemeral keys
and the password are printed in the RFC, so they are DEMO keys that the whole world knows.
"""

from __future__ import annotations

from typing import Any

from .rfc7520_keys import (
    A128KW_JWK,
    A256GCMKW_JWK,
    DIRECT_A128GCM_JWK,
    FRODO_RSA_JWK,
    MERIADOC_EC_JWK,
    PEREGRIN_EC_JWK,
    SAMWISE_RSA_JWK,
)

# Figure 72.
PLAINTEXT = (
    "You can trust us to stick with you through thick and thin\u2013to the bitter end. And you "
    "can trust us to keep any secret of yours\u2013closer than you keep it yourself. But you "
    "cannot trust us to let you face trouble alone, and go off without a word. We are your "
    "friends, Frodo."
)

# Figure 96: the PBES2 plaintext, a JWK set.
JWKSET_PLAINTEXT = (
    '{"keys":[{"kty":"oct","kid":"77c7e2b8-6e13-45cf-8672-617b5b45243a","use":"enc","alg":'
    '"A128GCM","k":"XctOhJAkA-pD9Lh7ZgW_2A"},{"kty":"oct","kid":"81b20965-8332-43d9-a468-'
    '82160ad91ac8","use":"enc","alg":"A128KW","k":"GZy6sIZ6wl9NJOKB-jnmVQ"},{"kty":"oct",'
    '"kid":"18ec08e1-bfa9-4d95-b205-2b4dd1d4321d","use":"enc","alg":"A256GCMKW","k":'
    '"qC57l_uxcm7Nm3K-ct4GFjx8tM1U8CZ0NLBvdQstiS8"}]}'
)


def _public(jwk: dict[str, str]) -> dict[str, str]:
    """An ephemeral key's public half, as its "epk" header member prints it (same member order)."""
    return {name: jwk[name] for name in ("kty", "crv", "x", "y")}


# The senders' ephemeral keys, private halves included: printed in the RFC, so DEMO keys.
_EPHEMERAL_5_4: dict[str, str] = {  # Figure 112
    "kty": "EC",
    "crv": "P-384",
    "x": "uBo4kHPw6kbjx5l0xowrd_oYzBmaz-GKFZu4xAFFkbYiWgutEK6iuEDsQ6wNdNg3",
    "y": "sp3p5SGhZVC2faXumI-e9JU2Mo8KpoYrFDr5yPNVtW4PgEwZOyQTA-JdaY8tb7E0",
    "d": "D5H4Y_5PSKZvhfVFbcCYJOtcGZygRgfZkpsBr59Icmmhe9sW6nkZ8WfwhinUfWJg",
}
_EPHEMERAL_5_5: dict[str, str] = {  # Figure 123
    "kty": "EC",
    "crv": "P-256",
    "x": "mPUKT_bAWGHIhg0TpjjqVsP1rXWQu_vwVOHHtNkdYoA",
    "y": "8BQAsImGeAS46fyWw5MhYfGTT0IjBpFw2SS34Dv4Irs",
    "d": "AtH35vJsQ9SGjYfOsjUxYXQKrPH3FjZHmEtSKoSN8cM",
}
_EPHEMERAL_5_13: dict[str, str] = {  # Figure 208
    "kty": "EC",
    "crv": "P-384",
    "x": "Uzdvk3pi5wKCRc1izp5_r0OjeqT-I68i8g2b8mva8diRhsE2xAn2DtMRb25Ma2CX",
    "y": "VDrRyFJh-Kwd1EjAgmj5Eo-CTHAZ53MC7PjjpLioy3ylEjI1pOMbw91fzZ84pbfm",
    "d": "1DKHfTv-PiifVw2VBHM_ZiVcwOMxkOyANS_lQHJcrDxVY3jhVCvZPwMxJKIE793C",
}

# The shared unprotected headers of 5.11-5.13, and the per-recipient headers of 5.13: the inputs
# are exactly what the outputs print, so each is written once.
_UNPROTECTED_5_11 = {"alg": "A128KW", "kid": "81b20965-8332-43d9-a468-82160ad91ac8"}
_UNPROTECTED_5_12 = {
    "alg": "A128KW",
    "kid": "81b20965-8332-43d9-a468-82160ad91ac8",
    "enc": "A128GCM",
}
_UNPROTECTED_5_13 = {"cty": "text/plain"}
_HEADERS_5_13: tuple[dict[str, Any], ...] = (
    {"alg": "RSA1_5", "kid": "frodo.baggins@hobbiton.example"},
    {
        "alg": "ECDH-ES+A256KW",
        "kid": "peregrin.took@tuckborough.example",
        "epk": _public(_EPHEMERAL_5_13),
    },
    {
        "alg": "A256GCMKW",
        "kid": "18ec08e1-bfa9-4d95-b205-2b4dd1d4321d",
        "tag": "59Nqh1LlYtVIhfD3pgRGvw",
        "iv": "AvpeoPZ9Ncn9mkBn",  # Figure 214
    },
)

EXAMPLES: dict[str, dict[str, Any]] = {
    "5.1": {
        "title": "Key Encryption Using RSA v1.5 and AES-HMAC-SHA2",
        "alg": "RSA1_5",
        "enc": "A128CBC-HS256",
        "key": FRODO_RSA_JWK,
        "cek": "3qyTVhIWt5juqZUCpfRqpvauwB956MEJL2Rt-8qXKSo",  # Figure 75
        "iv": "bbd5sTkYwhAIqfHsx8DayA",  # Figure 76
        "protected": {
            "alg": "RSA1_5",
            "kid": "frodo.baggins@hobbiton.example",
            "enc": "A128CBC-HS256",
        },
        "compact": (
            "eyJhbGciOiJSU0ExXzUiLCJraWQiOiJmcm9kby5iYWdnaW5zQGhvYmJpdG9uLmV4YW1wbGUiLCJlbmMiOiJB"
            "MTI4Q0JDLUhTMjU2In0.laLxI0j-nLH-_BgLOXMozKxmy9gffy2gTdvqzfTihJBuuzxg0V7yk1WClnQePFvG"
            "2K-pvSlWc9BRIazDrn50RcRai__3TDON395H3c62tIouJJ4XaRvYHFjZTZ2GXfz8YAImcc91Tfk0WXC2F5Xb"
            "b71ClQ1DDH151tlpH77f2ff7xiSxh9oSewYrcGTSLUeeCt36r1Kt3OSj7EyBQXoZlN7IxbyhMAfgIe7Mv1rO"
            "TOI5I8NQqeXXW8VlzNmoxaGMny3YnGir5Wf6Qt2nBq4qDaPdnaAuuGUGEecelIO1wx1BpyIfgvfjOhMBs9M8"
            "XL223Fg47xlGsMXdfuY-4jaqVw.bbd5sTkYwhAIqfHsx8DayA.0fys_TY_na7f8dwSfXLiYdHaA2DxUjD67i"
            "eF7fcVbIR62JhJvGZ4_FNVSiGc_raa0HnLQ6s1P2sv3Xzl1p1l_o5wR_RsSzrS8Z-wnI3Jvo0mkpEEnlDmZv"
            "Du_k8OWzJv7eZVEqiWKdyVzFhPpiyQU28GLOpRc2VbVbK4dQKPdNTjPPEmRqcaGeTWZVyeSUvf5k59yJZxRu"
            "SvWFf6KrNtmRdZ8R4mDOjHSrM_s8uwIFcqt4r5GX8TKaI0zT5CbL5Qlw3sRc7u_hg0yKVOiRytEAEs3vZkcf"
            "LkP6nbXdC_PkMdNS-ohP78T2O6_7uInMGhFeX4ctHG7VelHGiT93JfWDEQi5_V9UN1rhXNrYu-0fVMkZAKX3"
            "VWi7lzA6BP430m.kvKuFBXHe5mQr4lqgobAUg"
        ),
    },
    "5.2": {
        "title": "Key Encryption Using RSA-OAEP with AES-GCM",
        "alg": "RSA-OAEP",
        "enc": "A256GCM",
        "key": SAMWISE_RSA_JWK,
        "cek": "mYMfsggkTAm0TbvtlFh2hyoXnbEzJQjMxmgLN3d8xXA",  # Figure 86
        "iv": "-nBoKLH0YkLZPSI9",  # Figure 87
        "protected": {
            "alg": "RSA-OAEP",
            "kid": "samwise.gamgee@hobbiton.example",
            "enc": "A256GCM",
        },
        "compact": (
            "eyJhbGciOiJSU0EtT0FFUCIsImtpZCI6InNhbXdpc2UuZ2FtZ2VlQGhvYmJpdG9uLmV4YW1wbGUiLCJlbmMi"
            "OiJBMjU2R0NNIn0.rT99rwrBTbTI7IJM8fU3Eli7226HEB7IchCxNuh7lCiud48LxeolRdtFF4nzQibeYOl5"
            "S_PJsAXZwSXtDePz9hk-BbtsTBqC2UsPOdwjC9NhNupNNu9uHIVftDyucvI6hvALeZ6OGnhNV4v1zx2k7O1D"
            "89mAzfw-_kT3tkuorpDU-CpBENfIHX1Q58-Aad3FzMuo3Fn9buEP2yXakLXYa15BUXQsupM4A1GD4_H4Bd7V"
            "3u9h8Gkg8BpxKdUV9ScfJQTcYm6eJEBz3aSwIaK4T3-dwWpuBOhROQXBosJzS1asnuHtVMt2pKIIfux5BC6h"
            "uIvmY7kzV7W7aIUrpYm_3H4zYvyMeq5pGqFmW2k8zpO878TRlZx7pZfPYDSXZyS0CfKKkMozT_qiCwZTSz4d"
            "uYnt8hS4Z9sGthXn9uDqd6wycMagnQfOTs_lycTWmY-aqWVDKhjYNRf03NiwRtb5BE-tOdFwCASQj3uuAgPG"
            "rO2AWBe38UjQb0lvXn1SpyvYZ3WFc7WOJYaTa7A8DRn6MC6T-xDmMuxC0G7S2rscw5lQQU06MvZTlFOt0Uvf"
            "uKBa03cxA_nIBIhLMjY2kOTxQMmpDPTr6Cbo8aKaOnx6ASE5Jx9paBpnNmOOKH35j_QlrQhDWUN6A2Gg8iFa"
            "yJ69xDEdHAVCGRzN3woEI2ozDRs.-nBoKLH0YkLZPSI9.o4k2cnGN8rSSw3IDo1YuySkqeS_t2m1GXklSgqB"
            "dpACm6UJuJowOHC5ytjqYgRL-I-soPlwqMUf4UgRWWeaOGNw6vGW-xyM01lTYxrXfVzIIaRdhYtEMRBvBWbE"
            "wP7ua1DRfvaOjgZv6Ifa3brcAM64d8p5lhhNcizPersuhw5f-pGYzseva-TUaL8iWnctc-sSwy7SQmRkfhDj"
            "wbz0fz6kFovEgj64X1I5s7E6GLp5fnbYGLa1QUiML7Cc2GxgvI7zqWo0YIEc7aCflLG1-8BboVWFdZKLK9vN"
            "oycrYHumwzKluLWEbSVmaPpOslY2n525DxDfWaVFUfKQxMF56vn4B9QMpWAbnypNimbM8zVOw.UCGiqJxhBI"
            "3IFVdPalHHvA"
        ),
    },
    "5.3": {
        "title": "Key Wrap Using PBES2-AES-KeyWrap with AES-CBC-HMAC-SHA2",
        "alg": "PBES2-HS512+A256KW",
        "enc": "A128CBC-HS256",
        "password": "entrap_o\u2013peter_long\u2013credit_tun",  # Figure 96
        "plaintext": JWKSET_PLAINTEXT,
        "cek": "uwsjJXaBK407Qaf0_zpcpmr1Cs0CC50hIUEyGNEt3m0",  # Figure 97
        "iv": "VBiCzVHNoLiR3F4V82uoTQ",  # Figure 98
        "protected": {
            "alg": "PBES2-HS512+A256KW",
            "p2s": "8Q1SzinasR3xchYz6ZZcHA",  # Figure 99
            "p2c": 8192,
            "cty": "jwk-set+json",
            "enc": "A128CBC-HS256",
        },
        "compact": (
            "eyJhbGciOiJQQkVTMi1IUzUxMitBMjU2S1ciLCJwMnMiOiI4UTFTemluYXNSM3hjaFl6NlpaY0hBIiwicDJj"
            "Ijo4MTkyLCJjdHkiOiJqd2stc2V0K2pzb24iLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.d3qNhUWfqheyPp4H"
            "8sjOWsDYajoej4c5Je6rlUtFPWdgtURtmeDV1g.VBiCzVHNoLiR3F4V82uoTQ.23i-Tb1AV4n0WKVSSgcQrd"
            "g6GRqsUKxjruHXYsTHAJLZ2nsnGIX86vMXqIi6IRsfywCRFzLxEcZBRnTvG3nhzPk0GDD7FMyXhUHpDjEYCN"
            "A_XOmzg8yZR9oyjo6lTF6si4q9FZ2EhzgFQCLO_6h5EVg3vR75_hkBsnuoqoM3dwejXBtIodN84PeqMb6asm"
            "as_dpSsz7H10fC5ni9xIz424givB1YLldF6exVmL93R3fOoOJbmk2GBQZL_SEGllv2cQsBgeprARsaQ7Bq99"
            "tT80coH8ItBjgV08AtzXFFsx9qKvC982KLKdPQMTlVJKkqtV4Ru5LEVpBZXBnZrtViSOgyg6AiuwaS-rCrcD"
            "_ePOGSuxvgtrokAKYPqmXUeRdjFJwafkYEkiuDCV9vWGAi1DH2xTafhJwcmywIyzi4BqRpmdn_N-zl5tuJYy"
            "uvKhjKv6ihbsV_k1hJGPGAxJ6wUpmwC4PTQ2izEm0TuSE8oMKdTw8V3kobXZ77ulMwDs4p.0HlwodAhOCILG"
            "5SQ2LQ9dg"
        ),
    },
    "5.4": {
        "title": "Key Agreement with Key Wrapping Using ECDH-ES and AES-KeyWrap with AES-GCM",
        "alg": "ECDH-ES+A128KW",
        "enc": "A128GCM",
        "key": PEREGRIN_EC_JWK,
        "cek": "Nou2ueKlP70ZXDbq9UrRwg",  # Figure 110
        "iv": "mH-G2zVqgztUtnW_",  # Figure 111
        "ephemeral_key": _EPHEMERAL_5_4,
        "protected": {
            "alg": "ECDH-ES+A128KW",
            "kid": "peregrin.took@tuckborough.example",
            "epk": _public(_EPHEMERAL_5_4),
            "enc": "A128GCM",
        },
        "compact": (
            "eyJhbGciOiJFQ0RILUVTK0ExMjhLVyIsImtpZCI6InBlcmVncmluLnRvb2tAdHVja2Jvcm91Z2guZXhhbXBs"
            "ZSIsImVwayI6eyJrdHkiOiJFQyIsImNydiI6IlAtMzg0IiwieCI6InVCbzRrSFB3Nmtiang1bDB4b3dyZF9v"
            "WXpCbWF6LUdLRlp1NHhBRkZrYllpV2d1dEVLNml1RURzUTZ3TmROZzMiLCJ5Ijoic3AzcDVTR2haVkMyZmFY"
            "dW1JLWU5SlUyTW84S3BvWXJGRHI1eVBOVnRXNFBnRXdaT3lRVEEtSmRhWTh0YjdFMCJ9LCJlbmMiOiJBMTI4"
            "R0NNIn0.0DJjBXri_kBcC46IkU5_Jk9BqaQeHdv2.mH-G2zVqgztUtnW_.tkZuOO9h95OgHJmkkrfLBisku8"
            "rGf6nzVxhRM3sVOhXgz5NJ76oID7lpnAi_cPWJRCjSpAaUZ5dOR3Spy7QuEkmKx8-3RCMhSYMzsXaEwDdXta"
            "9Mn5B7cCBoJKB0IgEnj_qfo1hIi-uEkUpOZ8aLTZGHfpl05jMwbKkTe2yK3mjF6SBAsgicQDVCkcY9BLluzx"
            "1RmC3ORXaM0JaHPB93YcdSDGgpgBWMVrNU1ErkjcMqMoT_wtCex3w03XdLkjXIuEr2hWgeP-nkUZTPU9EoGS"
            "Pj6fAS-bSz87RCPrxZdj_iVyC6QWcqAu07WNhjzJEPc4jVntRJ6K53NgPQ5p99l3Z408OUqj4ioYezbS6vTP"
            "lQ.WuGzxmcreYjpHGJoa17EBg"
        ),
    },
    "5.5": {
        "title": "Key Agreement Using ECDH-ES with AES-CBC-HMAC-SHA2",
        "alg": "ECDH-ES",
        "enc": "A128CBC-HS256",
        "key": MERIADOC_EC_JWK,
        "iv": "yc9N8v5sYyv3iGQT926IUg",  # Figure 122
        "ephemeral_key": _EPHEMERAL_5_5,
        "derived_cek": "hzHdlfQIAEehb8Hrd_mFRhKsKLEzPfshfXs9l6areCc",  # Figure 124
        "protected": {
            "alg": "ECDH-ES",
            "kid": "meriadoc.brandybuck@buckland.example",
            "epk": _public(_EPHEMERAL_5_5),
            "enc": "A128CBC-HS256",
        },
        "compact": (
            "eyJhbGciOiJFQ0RILUVTIiwia2lkIjoibWVyaWFkb2MuYnJhbmR5YnVja0BidWNrbGFuZC5leGFtcGxlIiwi"
            "ZXBrIjp7Imt0eSI6IkVDIiwiY3J2IjoiUC0yNTYiLCJ4IjoibVBVS1RfYkFXR0hJaGcwVHBqanFWc1AxclhX"
            "UXVfdndWT0hIdE5rZFlvQSIsInkiOiI4QlFBc0ltR2VBUzQ2ZnlXdzVNaFlmR1RUMElqQnBGdzJTUzM0RHY0"
            "SXJzIn0sImVuYyI6IkExMjhDQkMtSFMyNTYifQ..yc9N8v5sYyv3iGQT926IUg.BoDlwPnTypYq-ivjmQvAY"
            "JLb5Q6l-F3LIgQomlz87yW4OPKbWE1zSTEFjDfhU9IPIOSA9Bml4m7iDFwA-1ZXvHteLDtw4R1XRGMEsDIqA"
            "YtskTTmzmzNa-_q4F_evAPUmwlO-ZG45Mnq4uhM1fm_D9rBtWolqZSF3xGNNkpOMQKF1Cl8i8wjzRli7-IXg"
            "yirlKQsbhhqRzkv8IcY6aHl24j03C-AR2le1r7URUhArM79BY8soZU0lzwI-sD5PZ3l4NDCCei9XkoIAfsXJ"
            "WmySPoeRb2Ni5UZL4mYpvKDiwmyzGd65KqVw7MsFfI_K767G9C9Azp73gKZD0DyUn1mn0WW5LmyX_yJ-3ARO"
            "q8p1WZBfG-ZyJ6195_JGG2m9Csg.WCCkNa-x4BeB9hIDIfFuhg"
        ),
    },
    "5.6": {
        "title": "Direct Encryption Using AES-GCM",
        "alg": "dir",
        "enc": "A128GCM",
        "key": DIRECT_A128GCM_JWK,
        "iv": "refa467QzzKx6QAB",  # Figure 132
        "protected": {
            "alg": "dir",
            "kid": "77c7e2b8-6e13-45cf-8672-617b5b45243a",
            "enc": "A128GCM",
        },
        "compact": (
            "eyJhbGciOiJkaXIiLCJraWQiOiI3N2M3ZTJiOC02ZTEzLTQ1Y2YtODY3Mi02MTdiNWI0NTI0M2EiLCJlbmMi"
            "OiJBMTI4R0NNIn0..refa467QzzKx6QAB.JW_i_f52hww_ELQPGaYyeAB6HYGcR559l9TYnSovc23XJoBcW2"
            "9rHP8yZOZG7YhLpT1bjFuvZPjQS-m0IFtVcXkZXdH_lr_FrdYt9HRUYkshtrMmIUAyGmUnd9zMDB2n0cRDIH"
            "AzFVeJUDxkUwVAE7_YGRPdcqMyiBoCO-FBdE-Nceb4h3-FtBP-c_BIwCPTjb9o0SbdcdREEMJMyZBH8ySWMV"
            "i1gPD9yxi-aQpGbSv_F9N4IZAxscj5g-NJsUPbjk29-s7LJAGb15wEBtXphVCgyy53CoIKLHHeJHXex45Uz9"
            "aKZSRSInZI-wjsY0yu3cT4_aQ3i1o-tiE-F8Ios61EKgyIQ4CWao8PFMj8TTnp.vbb32Xvllea2OtmHAdccR"
            "Q"
        ),
    },
    "5.7": {
        "title": "Key Wrap Using AES-GCM KeyWrap with AES-CBC-HMAC-SHA2",
        "alg": "A256GCMKW",
        "enc": "A128CBC-HS256",
        "key": A256GCMKW_JWK,
        "cek": "UWxARpat23nL9ReIj4WG3D1ee9I4r-Mv5QLuFXdy_rE",  # Figure 140
        "iv": "gz6NjyEFNm_vm8Gj6FwoFQ",  # Figure 141
        "protected": {
            "alg": "A256GCMKW",
            "kid": "18ec08e1-bfa9-4d95-b205-2b4dd1d4321d",
            "tag": "kfPduVQ3T3H6vnewt--ksw",
            "iv": "KkYT0GX_2jHlfqN_",  # Figure 142
            "enc": "A128CBC-HS256",
        },
        "compact": (
            "eyJhbGciOiJBMjU2R0NNS1ciLCJraWQiOiIxOGVjMDhlMS1iZmE5LTRkOTUtYjIwNS0yYjRkZDFkNDMyMWQi"
            "LCJ0YWciOiJrZlBkdVZRM1QzSDZ2bmV3dC0ta3N3IiwiaXYiOiJLa1lUMEdYXzJqSGxmcU5fIiwiZW5jIjoi"
            "QTEyOENCQy1IUzI1NiJ9.lJf3HbOApxMEBkCMOoTnnABxs_CvTWUmZQ2ElLvYNok.gz6NjyEFNm_vm8Gj6Fw"
            "oFQ.Jf5p9-ZhJlJy_IQ_byKFmI0Ro7w7G1QiaZpI8OaiVgD8EqoDZHyFKFBupS8iaEeVIgMqWmsuJKuoVgzR"
            "3YfzoMd3GxEm3VxNhzWyWtZKX0gxKdy6HgLvqoGNbZCzLjqcpDiF8q2_62EVAbr2uSc2oaxFmFuIQHLcqAHx"
            "y51449xkjZ7ewzZaGV3eFqhpco8o4DijXaG5_7kp3h2cajRfDgymuxUbWgLqaeNQaJtvJmSMFuEOSAzw9Hde"
            "b6yhdTynCRmu-kqtO5Dec4lT2OMZKpnxc_F1_4yDJFcqb5CiDSmA-psB2k0JtjxAj4UPI61oONK7zzFIu4gB"
            "fjJCndsZfdvG7h8wGjV98QhrKEnR7xKZ3KCr0_qR1B-gxpNk3xWU.DKW7jrb4WaRSNfbXVPlT5g"
        ),
    },
    "5.8": {
        "title": "Key Wrap Using AES-KeyWrap with AES-GCM",
        "alg": "A128KW",
        "enc": "A128GCM",
        "key": A128KW_JWK,
        "cek": "aY5_Ghmk9KxWPBLu_glx1w",  # Figure 153
        "iv": "Qx0pmsDa8KnJc9Jo",  # Figure 154
        "protected": {
            "alg": "A128KW",
            "kid": "81b20965-8332-43d9-a468-82160ad91ac8",
            "enc": "A128GCM",
        },
        "compact": (
            "eyJhbGciOiJBMTI4S1ciLCJraWQiOiI4MWIyMDk2NS04MzMyLTQzZDktYTQ2OC04MjE2MGFkOTFhYzgiLCJl"
            "bmMiOiJBMTI4R0NNIn0.CBI6oDw8MydIx1IBntf_lQcw2MmJKIQx.Qx0pmsDa8KnJc9Jo.AwliP-KmWgsZ37"
            "BvzCefNen6VTbRK3QMA4TkvRkH0tP1bTdhtFJgJxeVmJkLD61A1hnWGetdg11c9ADsnWgL56NyxwSYjU1ZEH"
            "cGkd3EkU0vjHi9gTlb90qSYFfeF0LwkcTtjbYKCsiNJQkcIp1yeM03OmuiYSoYJVSpf7ej6zaYcMv3WwdxDF"
            "l8REwOhNImk2Xld2JXq6BR53TSFkyT7PwVLuq-1GwtGHlQeg7gDT6xW0JqHDPn_H-puQsmthc9Zg0ojmJfqq"
            "FvETUxLAF-KjcBTS5dNy6egwkYtOt8EIHK-oEsKYtZRaa8Z7MOZ7UGxGIMvEmxrGCPeJa14slv2-gaqK0kET"
            "hkaSqdYw0FkQZF.ER7MWJZ1FBI_NKvn7Zb1Lw"
        ),
    },
    "5.9": {
        "title": "Compressed Content",
        "alg": "A128KW",
        "enc": "A128GCM",
        "key": A128KW_JWK,
        # Figure 162: the DEFLATE-compressed plaintext.
        "compressed": (
            "bY_BDcIwDEVX-QNU3QEOrIA4pqlDokYxchxVvbEDGzIJbioOSJwc-f___HPjBu8KVFpVtAplVE1-wZo0YjNZ"
            "o3C7R5v72pV5f5X382VWjYQpqZKAyjziZOr2B7kQPSy6oZIXUnDYbVKN4jNXi2u0yB7t1qSHTjmMODf9Qgvr"
            "DzfTIQXnyQRuUya4zIWG3vTOdir0v7BRHFYWq3k1k1A_gSDJqtcBF-GZxw8"
        ),
        "cek": "hC-MpLZSuwWv8sexS6ydfw",  # Figure 163
        "iv": "p9pUq6XHY0jfEZIl",  # Figure 164
        "protected": {
            "alg": "A128KW",
            "kid": "81b20965-8332-43d9-a468-82160ad91ac8",
            "enc": "A128GCM",
            "zip": "DEF",
        },
        "compact": (
            "eyJhbGciOiJBMTI4S1ciLCJraWQiOiI4MWIyMDk2NS04MzMyLTQzZDktYTQ2OC04MjE2MGFkOTFhYzgiLCJl"
            "bmMiOiJBMTI4R0NNIiwiemlwIjoiREVGIn0.5vUT2WOtQxKWcekM_IzVQwkGgzlFDwPi.p9pUq6XHY0jfEZI"
            "l.HbDtOsdai1oYziSx25KEeTxmwnh8L8jKMFNc1k3zmMI6VB8hry57tDZ61jXyezSPt0fdLVfe6Jf5y5-JaC"
            "ap_JQBcb5opbmT60uWGml8blyiMQmOn9J--XhhlYg0m-BHaqfDO5iTOWxPxFMUedx7WCy8mxgDHj0aBMG615"
            "2PsM-w5E_o2B3jDbrYBKhpYA7qi3AyijnCJ7BP9rr3U8kxExCpG3mK420TjOw.VILuUwuIxaLVmh5X-T7kmA"
        ),
    },
    "5.10": {
        "title": "Including Additional Authenticated Data",
        "alg": "A128KW",
        "enc": "A128GCM",
        "key": A128KW_JWK,
        "cek": "75m1ALsYv10pZTKPWrsqdg",  # Figure 174
        "iv": "veCx9ece2orS7c_N",  # Figure 175
        "protected": {
            "alg": "A128KW",
            "kid": "81b20965-8332-43d9-a468-82160ad91ac8",
            "enc": "A128GCM",
        },
        "general": {
            "recipients": [{"encrypted_key": "4YiiQ_ZzH76TaIkJmYfRFgOV9MIpnx4X"}],
            "protected": (
                "eyJhbGciOiJBMTI4S1ciLCJraWQiOiI4MWIyMDk2NS04MzMyLTQzZDktYTQ2OC04MjE2MGFkOTFhYzgi"
                "LCJlbmMiOiJBMTI4R0NNIn0"
            ),
            "iv": "veCx9ece2orS7c_N",
            "aad": (
                "WyJ2Y2FyZCIsW1sidmVyc2lvbiIse30sInRleHQiLCI0LjAiXSxbImZuIix7fSwidGV4dCIsIk1lcmlh"
                "ZG9jIEJyYW5keWJ1Y2siXSxbIm4iLHt9LCJ0ZXh0IixbIkJyYW5keWJ1Y2siLCJNZXJpYWRvYyIsIk1y"
                "LiIsIiJdXSxbImJkYXkiLHt9LCJ0ZXh0IiwiVEEgMjk4MiJdLFsiZ2VuZGVyIix7fSwidGV4dCIsIk0i"
                "XV1d"
            ),
            "ciphertext": (
                "Z_3cbr0k3bVM6N3oSNmHz7Lyf3iPppGf3Pj17wNZqteJ0Ui8p74SchQP8xygM1oFRWCNzeIa6s6BcEtp"
                "8qEFiqTUEyiNkOWDNoF14T_4NFqF-p2Mx8zkbKxI7oPK8KNarFbyxIDvICNqBLba-v3uzXBdB89fzOI-"
                "Lv4PjOFAQGHrgv1rjXAmKbgkft9cB4WeyZw8MldbBhc-V_KWZslrsLNygon_JJWd_ek6LQn5NRehvApq"
                "f9ZrxB4aq3FXBxOxCys35PhCdaggy2kfUfl2OkwKnWUbgXVD1C6HxLIlqHhCwXDG59weHrRDQeHyMRoB"
                "ljoV3X_bUTJDnKBFOod7nLz-cj48JMx3SnCZTpbQAkFV"
            ),
            "tag": "vOaH_Rajnpy_3hOtqvZHRA",
        },
    },
    "5.11": {
        "title": "Protecting Specific Header Fields",
        "alg": "A128KW",
        "enc": "A128GCM",
        "key": A128KW_JWK,
        "cek": "WDgEptBmQs9ouUvArz6x6g",  # Figure 183
        "iv": "WgEJsDS9bkoXQ3nR",  # Figure 184
        "protected": {"enc": "A128GCM"},
        "unprotected": _UNPROTECTED_5_11,
        "general": {
            "recipients": [{"encrypted_key": "jJIcM9J-hbx3wnqhf5FlkEYos0sHsF0H"}],
            "unprotected": _UNPROTECTED_5_11,
            "protected": "eyJlbmMiOiJBMTI4R0NNIn0",
            "iv": "WgEJsDS9bkoXQ3nR",
            "ciphertext": (
                "lIbCyRmRJxnB2yLQOTqjCDKV3H30ossOw3uD9DPsqLL2DM3swKkjOwQyZtWsFLYMj5YeLht_StAn21tH"
                "mQJuuNt64T8D4t6C7kC9OCCJ1IHAolUv4MyOt80MoPb8fZYbNKqplzYJgIL58g8N2v46OgyG637d6uuK"
                "PwhAnTGm_zWhqc_srOvgiLkzyFXPq1hBAURbc3-8BqeRb48iR1-_5g5UjWVD3lgiLCN_P7AW8mIiFvUN"
                "XBPJK3nOWL4teUPS8yHLbWeL83olU4UAgL48x-8dDkH23JykibVSQju-f7e-1xreHWXzWLHs1NqBbre0"
                "dEwK3HX_xM0LjUz77Krppgegoutpf5qaKg3l-_xMINmf"
            ),
            "tag": "fNYLqpUe84KD45lvDiaBAQ",
        },
    },
    "5.12": {
        "title": "Protecting Content Only",
        "alg": "A128KW",
        "enc": "A128GCM",
        "key": A128KW_JWK,
        "cek": "KBooAFl30QPV3vkcZlXnzQ",  # Figure 192
        "iv": "YihBoVOGsR1l7jCD",  # Figure 193
        "protected": {},
        "unprotected": _UNPROTECTED_5_12,
        "general": {
            "recipients": [{"encrypted_key": "244YHfO_W7RMpQW81UjQrZcq5LSyqiPv"}],
            "unprotected": _UNPROTECTED_5_12,
            "iv": "YihBoVOGsR1l7jCD",
            "ciphertext": (
                "qtPIMMaOBRgASL10dNQhOa7Gqrk7Eal1vwht7R4TT1uq-arsVCPaIeFwQfzrSS6oEUWbBtxEasE0vC6r"
                "7sphyVziMCVJEuRJyoAHFSP3eqQPb4Ic1SDSqyXjw_L3svybhHYUGyQuTmUQEDjgjJfBOifwHIsDsRPe"
                "Bz1NomqeifVPq5GTCWFo5k_MNIQURR2Wj0AHC2k7JZfu2iWjUHLF8ExFZLZ4nlmsvJu_mvifMYiikfNf"
                "sZAudISOa6O73yPZtL04k_1FI7WDfrb2w7OqKLWDXzlpcxohPVOLQwpA3mFNRKdY-bQz4Z4KX9lfz1cn"
                "e31N4-8BKmojpw-OdQjKdLOGkC445Fb_K1tlDQXw2sBF"
            ),
            "tag": "e2m0Vm7JvjK2VpCKXS-kyg",
        },
    },
    "5.13": {
        "title": "Encrypting to Multiple Recipients",
        "enc": "A128CBC-HS256",
        "cek": "zXayeJ4gvm8NJr3IUInyokTUO-LbQNKEhe_zWlYbdpQ",  # Figure 201
        "iv": "VgEIHY20EnzUtZFl2RpB1g",  # Figure 202
        "protected": {"enc": "A128CBC-HS256"},
        "unprotected": _UNPROTECTED_5_13,
        "recipients": [
            {
                "alg": "RSA1_5",
                "key": FRODO_RSA_JWK,
                "header": _HEADERS_5_13[0],
            },
            {
                "alg": "ECDH-ES+A256KW",
                "key": PEREGRIN_EC_JWK,
                "ephemeral_key": _EPHEMERAL_5_13,
                "header": _HEADERS_5_13[1],
            },
            {
                "alg": "A256GCMKW",
                "key": A256GCMKW_JWK,
                "header": _HEADERS_5_13[2],
            },
        ],
        "general": {
            "recipients": [
                {
                    "encrypted_key": (
                        "dYOD28kab0Vvf4ODgxVAJXgHcSZICSOp8M51zjwj4w6Y5G4XJQsNNIBiqyvUUAOcpL7S7-cF"
                        "e7Pio7gV_Q06WmCSa-vhW6me4bWrBf7cHwEQJdXihidAYWVajJIaKMXMvFRMV6iDlRr076DF"
                        "thg2_AV0_tSiV6xSEIFqt1xnYPpmP91tc5WJDOGb-wqjw0-b-S1laS11QVbuP78dQ7Fa0zAV"
                        "zzjHX-xvyM2wxj_otxr9clN1LnZMbeYSrRicJK5xodvWgkpIdkMHo4LvdhRRvzoKzlic89jF"
                        "WPlnBq_V4n5trGuExtp_-dbHcGlihqc_wGgho9fLMK8JOArYLcMDNQ"
                    ),
                    "header": _HEADERS_5_13[0],
                },
                {
                    "encrypted_key": "ExInT0io9BqBMYF6-maw5tZlgoZXThD1zWKsHixJuw_elY4gSSId_w",
                    "header": _HEADERS_5_13[1],
                },
                {
                    "encrypted_key": "a7CclAejo_7JSuPB8zeagxXRam8dwCfmkt9-WyTpS1E",
                    "header": _HEADERS_5_13[2],
                },
            ],
            "unprotected": _UNPROTECTED_5_13,
            "protected": "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2In0",
            "iv": "VgEIHY20EnzUtZFl2RpB1g",
            "ciphertext": (
                "ajm2Q-OpPXCr7-MHXicknb1lsxLdXxK_yLds0KuhJzfWK04SjdxQeSw2L9mu3a_k1C55kCQ_3xlkcVKC"
                "5yr__Is48VOoK0k63_QRM9tBURMFqLByJ8vOYQX0oJW4VUHJLmGhF-tVQWB7Kz8mr8zeE7txF0MSaP6g"
                "a7-siYxStR7_G07Thd1jh-zGT0wxM5g-VRORtq0K6AXpLlwEqRp7pkt2zRM0ZAXqSpe1O6FJ7FHLDyEF"
                "nD-zDIZukLpCbzhzMDLLw2-8I14FQrgi-iEuzHgIJFIJn2wh9Tj0cg_kOZy9BqMRZbmYXMY9YQjorZ_P"
                "_JYG3ARAIF3OjDNqpdYe-K_5Q5crGJSDNyij_ygEiItR5jssQVH2ofDQdLChtazE"
            ),
            "tag": "BESYyFN7T09KY7i8zKs5_g",
        },
    },
}

# Figure 171: the JWE AAD of 5.10 (a vCard), as UTF-8 JSON text.
AAD_5_10 = (
    '["vcard",[["version",{},"text","4.0"],["fn",{},"text","Meriadoc Brandybuck"],["n",{},'
    '"text",["Brandybuck","Meriadoc","Mr.",""]],["bday",{},"text","TA 2982"],["gender",{},'
    '"text","M"]]]'
)


__all__ = ["AAD_5_10", "EXAMPLES", "JWKSET_PLAINTEXT", "PLAINTEXT"]
