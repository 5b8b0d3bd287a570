//! A token minter: a valid RFC 9068 access token by default, and one method
//! per way to break it.

use super::*;

enum SigningKey {
    Rsa,
    Ec,
    Rotated,
    Attacker,
    Secret(Vec<u8>),
}

/// Builds an access token, valid unless told otherwise.
pub struct TokenBuilder {
    header: Header,
    claims: Map<String, Value>,
    key: SigningKey,
}

pub fn now() -> i64 {
    shared::now_unix()
}

impl TokenBuilder {
    pub(super) fn new(issuer: &str, audience: &str) -> Self {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = Some("at+jwt".to_owned());
        header.kid = Some(RSA_KID.to_owned());
        let now = now();
        let claims = json!({
            "iss": issuer,
            "sub": "alice",
            "aud": audience,
            "exp": now + 300,
            "iat": now,
            "nbf": now,
            "jti": format!("jti-{}", shared::random::random_token()),
            "client_id": "todo-app",
            "scope": "openid todos:read todos:write",
        });
        let Value::Object(claims) = claims else { unreachable!("json! of an object is an object") };
        Self { header, claims, key: SigningKey::Rsa }
    }

    pub fn sub(self, sub: &str) -> Self {
        self.claim("sub", sub)
    }

    pub fn scope(self, scope: &str) -> Self {
        self.claim("scope", scope)
    }

    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.to_owned(), value.into());
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    pub fn typ(mut self, typ: Option<&str>) -> Self {
        self.header.typ = typ.map(str::to_owned);
        self
    }

    pub fn kid(mut self, kid: Option<&str>) -> Self {
        self.header.kid = kid.map(str::to_owned);
        self
    }

    /// Changes anything else in the header.
    pub fn header(mut self, change: impl FnOnce(&mut Header)) -> Self {
        change(&mut self.header);
        self
    }

    /// Signs with the published EC key (ES256).
    pub fn es256(mut self) -> Self {
        self.header.alg = Algorithm::ES256;
        self.header.kid = Some(EC_KID.to_owned());
        self.key = SigningKey::Ec;
        self
    }

    /// Signs with the key the provider publishes only later.
    pub fn rotated_key(mut self) -> Self {
        self.header.alg = Algorithm::ES256;
        self.header.kid = Some(NEW_KID.to_owned());
        self.key = SigningKey::Rotated;
        self
    }

    /// Signs with an EC key the provider never published; the header keeps
    /// whatever `kid` it has.
    pub fn attacker_key(mut self) -> Self {
        self.header.alg = Algorithm::ES256;
        self.key = SigningKey::Attacker;
        self
    }

    /// HS256 with the RSA public key's bytes as the HMAC secret: the
    /// algorithm-confusion attack of RFC 8725 §2.1.
    pub fn hs256_with_public_key(mut self) -> Self {
        self.header.alg = Algorithm::HS256;
        self.key = SigningKey::Secret(KEYS.rsa.public_bytes.clone());
        self
    }

    pub fn sign(self) -> String {
        let key = match &self.key {
            SigningKey::Rsa => KEYS.rsa.encoding.clone(),
            SigningKey::Ec => KEYS.ec.encoding.clone(),
            SigningKey::Rotated => KEYS.rotated.encoding.clone(),
            SigningKey::Attacker => KEYS.attacker.encoding.clone(),
            SigningKey::Secret(secret) => EncodingKey::from_secret(secret),
        };
        jsonwebtoken::encode(&self.header, &self.claims, &key).expect("token signs")
    }

    /// `alg: none` and an empty signature, built by hand (no library will).
    pub fn unsigned(self) -> String {
        let mut header = serde_json::to_value(&self.header).expect("header JSON");
        header["alg"] = json!("none");
        let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("JSON"));
        format!("{}.{}.", encode(&header), encode(&Value::Object(self.claims)))
    }
}
