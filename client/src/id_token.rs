//! ID Token Validation: OpenID Connect Core 1.0 §3.1.3.7 (and §3.1.3.8 for
//! `at_hash`).
//!
//! The ID token is the provider's signed statement of who logged in, for
//! whom (`aud`), when, and in answer to which request (`nonce`). The client
//! must check every one of those before it believes the `sub` and `name`
//! inside. The checks below are the numbered steps of §3.1.3.7, each under
//! the sentence it implements, in the order a reader meets them in the spec
//! (signature first, because nothing in an unsigned token means anything).
//!
//! Every check runs and is recorded, even after one has failed, so the flow
//! inspector can show exactly which rule a bad token broke. The token is
//! accepted only if all of them passed.
//!
//! Steps that do not apply here: 1 (the token is not encrypted), 8 (no MAC
//! algorithms are allowed, so there is no `client_secret` key), 12 (`acr` was
//! not requested) and 13 (`max_age` was not requested).
//!
//! An ID token can also come back from a refresh. OIDC Core §12.2 then
//! requires the same checks, except that there is no nonce to compare, and
//! adds that it must describe the same login as the first one: same `iss`,
//! `sub`, `aud`, `azp` and `auth_time` ([`Context::Refresh`]).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Header, Validation};
use serde_json::Value;
use shared::jwks::{JwksCache, KeyLookupError};
use shared::jwt::{ASYMMETRIC_ALGORITHMS, Audience, IdTokenClaims, at_hash};
use shared::secret::constant_time_eq;
use shared::{ClientId, Secret};

use crate::flow_log::{Check, SpecRef, oidc, rfc};

/// Allowed clock difference between us and the provider, in seconds.
const LEEWAY: i64 = 60;
/// How old an `iat` may be. The token was minted by the request we just
/// made, so anything much older is a replay of an old token.
const MAX_AGE: i64 = 600;

/// Which token response the ID token came in.
pub enum Context<'a> {
    /// The code exchange (OIDC Core §3.1.3.7): the token answers the
    /// authorization request that sent this nonce.
    Login { nonce: &'a Secret },
    /// A refresh (OIDC Core §12.2): the token must describe the same login as
    /// `original`, the ID token of that login (verified when it arrived).
    Refresh { original: &'a IdTokenClaims },
}

/// What the ID token must say, as known to this client.
pub struct Expected<'a> {
    /// The issuer identifier (`PROVIDER_PUBLIC_URL`).
    pub issuer: &'a str,
    pub client_id: &'a ClientId,
    /// The request the token response answers.
    pub context: Context<'a>,
    /// The access token of the same token response, for `at_hash`.
    pub access_token: &'a Secret,
    /// The current time, unix seconds.
    pub now: i64,
}

/// The outcome of validating one ID token.
pub struct IdTokenReport {
    /// Every check, in order, with its result.
    pub checks: Vec<Check>,
    /// The JOSE header and the claims, decoded for display (not trusted).
    pub decoded: Option<(Value, Value)>,
    claims: Option<IdTokenClaims>,
}

impl IdTokenReport {
    /// The claims, if and only if every check passed.
    pub fn verified(&self) -> Option<&IdTokenClaims> {
        if self.checks.iter().all(|c| c.ok) { self.claims.as_ref() } else { None }
    }

    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }
}

/// Validates `id_token`. Fails only when the provider's keys cannot be
/// fetched at all; a bad token is a report with failed checks.
pub async fn validate(
    id_token: &Secret,
    expected: &Expected<'_>,
    jwks: &JwksCache,
) -> Result<IdTokenReport, KeyLookupError> {
    let token = id_token.expose();
    let step = |n: &str| oidc(&format!("3.1.3.7 step {n}"), "IDTokenValidation");
    let mut checks = Vec::new();

    // RFC 7519 §7.2: a JWT is a JWS in compact serialization, three
    // base64url parts. Without a readable header and payload there is
    // nothing to check.
    let (Ok(header), Some(decoded)) = (jsonwebtoken::decode_header(token), decode_unverified(token)) else {
        checks.push(Check::new(
            "the ID token is a signed JWT (header.payload.signature)",
            rfc(7519, "7.2"),
            false,
            "the token could not be decoded, or its alg is not one this client knows",
        ));
        return Ok(IdTokenReport { checks, decoded: None, claims: None });
    };
    let claims: Option<IdTokenClaims> = serde_json::from_value(decoded.1.clone()).ok();
    checks.push(Check::new(
        "the claims have the types OIDC Core §2 requires (iss, sub, aud, exp, iat)",
        oidc("2", "IDToken"),
        claims.is_some(),
        if claims.is_some() { "all present" } else { "a required claim is missing or has the wrong type" },
    ));

    // RFC 8725 §3.11, RFC 9068 §2.1: explicit typing keeps an access token
    // (`typ: at+jwt`) from being accepted as an ID token.
    let typ_ok = header.typ.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("JWT"));
    checks.push(Check::new(
        "typ is JWT (or absent), not at+jwt",
        rfc(8725, "3.11"),
        typ_ok,
        format!("typ = {}", header.typ.as_deref().unwrap_or("(absent)")),
    ));

    // Steps 6 and 7. "The Client MUST validate the signature of all other ID
    // Tokens according to JWS using the algorithm specified in the JWT alg
    // Header Parameter. The Client MUST use the keys provided by the
    // Issuer." — "The alg value SHOULD be the default of RS256 or the
    // algorithm sent by the Client in the id_token_signed_response_alg
    // parameter during Registration." We allow the provider's asymmetric
    // algorithms only (RFC 8725 §3.1: never `none`, never HMAC).
    checks.push(signature_check(token, &header, jwks, step("6")).await?);

    if let Some(claims) = &claims {
        checks.extend(claim_checks(claims, &header, expected, &step));
    }
    Ok(IdTokenReport { checks, decoded: Some(decoded), claims })
}

async fn signature_check(
    token: &str,
    header: &Header,
    jwks: &JwksCache,
    spec: SpecRef,
) -> Result<Check, KeyLookupError> {
    let rule = "the signature verifies with the issuer's key from its JWKS";
    if !ASYMMETRIC_ALGORITHMS.contains(&header.alg) {
        let detail = format!("alg {:?} is not an allowed asymmetric algorithm", header.alg);
        return Ok(Check::new(rule, spec, false, detail));
    }
    // The key is looked up by `kid` in the JWKS fetched from the configured
    // URL only — never from a `jku`, `x5u` or `jwk` header (RFC 8725 §3.10).
    let key = match jwks.key(header.kid.as_deref()).await {
        Ok(key) => key,
        Err(e @ KeyLookupError::Unavailable { .. }) => return Err(e),
        Err(e) => return Ok(Check::new(rule, spec, false, e.to_string())),
    };
    if key.alg != header.alg {
        let detail = format!("the key is for {:?} but the token says {:?}", key.alg, header.alg);
        return Ok(Check::new(rule, spec, false, detail));
    }
    // Only the signature here: the claims are checked one by one below, so
    // each rule can be seen separately.
    let mut signature_only = Validation::new(header.alg);
    signature_only.validate_exp = false;
    signature_only.validate_nbf = false;
    signature_only.validate_aud = false;
    signature_only.required_spec_claims.clear();
    Ok(match jsonwebtoken::decode::<Value>(token, &key.key, &signature_only) {
        Ok(_) => Check::new(rule, spec, true, format!("{:?}, kid {}", header.alg, header.kid.as_deref().unwrap_or(""))),
        Err(e) => Check::new(rule, spec, false, e.to_string()),
    })
}

fn claim_checks(
    claims: &IdTokenClaims,
    header: &Header,
    expected: &Expected<'_>,
    step: &dyn Fn(&str) -> SpecRef,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let client_id = expected.client_id.as_str();

    // Step 2. "The Issuer Identifier for the OpenID Provider (which is
    // typically obtained during Discovery) MUST exactly match the value of
    // the iss (issuer) Claim."
    checks.push(Check::new(
        "iss is exactly the provider's issuer identifier",
        step("2"),
        claims.iss == expected.issuer,
        format!("iss = {:?}, expected {:?}", claims.iss, expected.issuer),
    ));

    // Step 3. "The Client MUST validate that the aud (audience) Claim
    // contains its client_id value registered at the Issuer identified by
    // the iss (issuer) Claim as an audience. [...] The ID Token MUST be
    // rejected if the ID Token does not list the Client as a valid audience,
    // or if it contains additional audiences not trusted by the Client."
    // This client trusts no audience but itself.
    let audiences: Vec<&str> = match &claims.aud {
        Some(Audience::One(a)) => vec![a.as_str()],
        Some(Audience::Many(list)) => list.iter().map(String::as_str).collect(),
        None => Vec::new(),
    };
    checks.push(Check::new(
        "aud contains our client_id and no audience we do not trust",
        step("3"),
        audiences.contains(&client_id) && audiences.iter().all(|a| *a == client_id),
        format!("aud = {audiences:?}, expected [{client_id:?}]"),
    ));

    // Step 4. "If the ID Token contains multiple audiences, the Client
    // SHOULD verify that an azp Claim is present."
    checks.push(Check::new(
        "azp is present when there are several audiences",
        step("4"),
        audiences.len() <= 1 || claims.azp.is_some(),
        format!("{} audience(s), azp {}", audiences.len(), if claims.azp.is_some() { "present" } else { "absent" }),
    ));

    // Step 5. "If an azp (authorized party) Claim is present, the Client
    // SHOULD verify that its client_id is the Claim Value."
    checks.push(Check::new(
        "azp, when present, is our client_id",
        step("5"),
        claims.azp.as_deref().is_none_or(|azp| azp == client_id),
        format!("azp = {}", claims.azp.as_deref().unwrap_or("(absent)")),
    ));

    // Step 9. "The current time MUST be before the time represented by the
    // exp Claim (possibly allowing for some small leeway to account for
    // clock skew)."
    checks.push(Check::new(
        "exp is in the future",
        step("9"),
        expected.now < claims.exp + LEEWAY,
        format!("exp is {}s from now (leeway {LEEWAY}s)", claims.exp - expected.now),
    ));

    // Step 10. "The iat Claim can be used to reject tokens that were issued
    // too far away from the current time, limiting the amount of time that
    // nonces need to be stored to prevent attacks."
    checks.push(Check::new(
        "iat is recent (not in the future, not older than 10 minutes)",
        step("10"),
        claims.iat <= expected.now + LEEWAY && claims.iat >= expected.now - MAX_AGE,
        format!("issued {}s ago", expected.now - claims.iat),
    ));

    match expected.context {
        Context::Login { nonce } => checks.push(nonce_check(claims, nonce, step("11"))),
        Context::Refresh { original } => checks.extend(same_login_checks(claims, original)),
    }

    // §3.1.3.8 (by way of §3.2.2.9): "Hash the octets of the ASCII
    // representation of the access_token with the hash algorithm specified
    // in JWA for the alg Header Parameter of the ID Token's JOSE Header.
    // [...] Take the left-most half of the hash and base64url-encode it. The
    // value of at_hash in the ID Token MUST match the value produced in the
    // previous step." In the code flow at_hash is optional; when present it
    // binds the access token to this ID token.
    let computed = at_hash(expected.access_token.expose(), header.alg);
    checks.push(Check::new(
        "at_hash, when present, matches the access token",
        oidc("3.1.3.8", "CodeIDToken"),
        claims.at_hash.as_deref().is_none_or(|h| constant_time_eq(h.as_bytes(), computed.as_bytes())),
        match &claims.at_hash {
            None => "absent (optional in the code flow)".to_owned(),
            Some(h) => format!("at_hash = {h}, computed {computed}"),
        },
    ));
    checks
}

/// Step 11. "If a nonce value was sent in the Authentication Request, a
/// nonce Claim MUST be present and its value checked to verify that it is
/// the same value as the one that was sent in the Authentication Request."
fn nonce_check(claims: &IdTokenClaims, nonce: &Secret, spec: SpecRef) -> Check {
    let nonce_ok = claims.nonce.as_deref().is_some_and(|n| constant_time_eq(n.as_bytes(), nonce.expose().as_bytes()));
    Check::new(
        "nonce equals the one this browser's login sent",
        spec,
        nonce_ok,
        match (&claims.nonce, nonce_ok) {
            (None, _) => "no nonce claim".to_owned(),
            (Some(_), true) => "matches the session's nonce".to_owned(),
            (Some(_), false) => "differs from the session's nonce: a replayed or injected token".to_owned(),
        },
    )
}

/// OIDC Core §12.2: "its iss Claim Value MUST be the same as in the ID Token
/// issued when the original authentication occurred, its sub Claim Value
/// MUST be the same [...], its aud Claim Value MUST be the same [...], if
/// the ID Token contains an auth_time Claim, its value MUST represent the
/// time of the original authentication [...], its azp Claim Value MUST be
/// the same [...], it SHOULD NOT have a nonce Claim Value [...]; however, if
/// it is present, its value MUST be the same as in the ID Token issued at
/// the time of the original authentication". (Its `iat` "MUST represent the
/// time that the new ID Token is issued": the step 10 check above.)
fn same_login_checks(claims: &IdTokenClaims, original: &IdTokenClaims) -> Vec<Check> {
    let spec = || oidc("12.2", "RefreshTokenResponse");
    let same =
        |rule: &str, ok: bool, new: String, old: String| Check::new(rule, spec(), ok, format!("{new}, at login {old}"));
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".to_owned());
    vec![
        same("iss is the original ID token's", claims.iss == original.iss, claims.iss.clone(), original.iss.clone()),
        same(
            "sub is the original ID token's: the same user",
            claims.sub == original.sub,
            format!("sub = {:?}", claims.sub),
            format!("{:?}", original.sub),
        ),
        same(
            "aud is the original ID token's",
            claims.aud == original.aud,
            format!("aud = {:?}", claims.aud),
            format!("{:?}", original.aud),
        ),
        same("azp is the original ID token's", claims.azp == original.azp, show(&claims.azp), show(&original.azp)),
        same(
            "auth_time, when present, is the original login's",
            claims.auth_time.is_none() || claims.auth_time == original.auth_time,
            format!("auth_time = {:?}", claims.auth_time),
            format!("{:?}", original.auth_time),
        ),
        same(
            "nonce absent, or the original ID token's",
            claims.nonce.is_none() || claims.nonce == original.nonce,
            if claims.nonce.is_some() { "nonce present".to_owned() } else { "no nonce".to_owned() },
            if original.nonce.is_some() { "one".to_owned() } else { "none".to_owned() },
        ),
    ]
}

/// The claims of an ID token this client verified when it arrived (the one
/// kept in the session), read again without verification.
pub fn claims_of(id_token: &Secret) -> Option<IdTokenClaims> {
    serde_json::from_value(decode_unverified(id_token.expose())?.1).ok()
}

/// The header and payload of a JWT, decoded without any verification: for
/// display only.
pub fn decode_unverified(token: &str) -> Option<(Value, Value)> {
    let mut parts = token.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let part = |p: &str| -> Option<Value> { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok() };
    Some((part(header)?, part(payload)?))
}
