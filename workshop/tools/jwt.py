#!/usr/bin/env python3
"""A JWT taken apart, and its RS256 signature checked by hand.

jwt.py show   < token   prints the header and the claims (RFC 7519 §3)
jwt.py verify JWKS_URL < token
              finds the key named by the header's kid in the JWKS and checks
              the RS256 signature (RFC 7518 §3.3: RSASSA-PKCS1-v1_5, SHA-256)
              with nothing but integer arithmetic
"""
import base64
import hashlib
import json
import sys
import urllib.request


def b64url(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


token = sys.stdin.read().strip()
header_b64, claims_b64, signature_b64 = token.split(".")
header, claims = json.loads(b64url(header_b64)), json.loads(b64url(claims_b64))

if sys.argv[1] == "show":
    print("header:", json.dumps(header, sort_keys=True))
    for name in sorted(claims):
        print(f"  {name}: {json.dumps(claims[name])}")
    sys.exit(0)

# verify: the public key (n, e) from the JWKS, by kid (RFC 7517 §4.5).
keys = json.load(urllib.request.urlopen(sys.argv[2]))["keys"]
key = next(k for k in keys if k["kid"] == header["kid"])
assert header["alg"] == "RS256" == key["alg"], "this script checks RS256 only"
n = int.from_bytes(b64url(key["n"]), "big")
e = int.from_bytes(b64url(key["e"]), "big")
# RSA: the signature raised to e, mod n, is the padded digest (RFC 8017 §8.2.2).
signature = int.from_bytes(b64url(signature_b64), "big")
padded = pow(signature, e, n).to_bytes((n.bit_length() + 7) // 8, "big")
# EMSA-PKCS1-v1_5 (RFC 8017 §9.2): 00 01 FF…FF 00, the SHA-256 DigestInfo, the digest.
digest_info = bytes.fromhex("3031300d060960864801650304020105000420")
digest = hashlib.sha256(f"{header_b64}.{claims_b64}".encode()).digest()
expected = b"\x00\x01" + b"\xff" * (len(padded) - 3 - len(digest_info) - len(digest)) + b"\x00" + digest_info + digest
print("signature valid" if padded == expected else "signature INVALID", f"(kid {header['kid']})")
