//! The JSON Web Tokens of the Zyra emulation: HS256 (HMAC-SHA256) over
//! `base64url(header).base64url(claims)`, without padding, signed with a key that exists only in the
//! sandbox. Expiry is left to the caller, which compares `exp` with the sandbox clock.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The signing key. It signs sandbox tokens only, which open nothing but the sandbox.
const SECRET: &[u8] = b"zkit-sandbox-zyra-hs256-signing-key";
/// The only header the emulation issues and accepts.
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// What a token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Claims {
    /// The user id.
    pub(super) sub: String,
    /// The organization id.
    pub(super) org: String,
    /// The role when the token was issued.
    pub(super) role: String,
    /// `access` or `refresh`.
    pub(super) typ: String,
    /// Issued at, in seconds since 1970.
    pub(super) iat: u64,
    /// Expires at, in seconds since 1970.
    pub(super) exp: u64,
    /// A number that makes every token unique.
    pub(super) jti: String,
}

fn mac() -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    Hmac::<Sha256>::new_from_slice(SECRET).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// The signed token of `claims`.
pub(super) fn sign(claims: &Claims) -> String {
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(HEADER), URL_SAFE_NO_PAD.encode(payload));
    let mut mac = mac();
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// The claims of `token` if it is a well-formed HS256 token that this sandbox signed; `None` for
/// any other shape, header or signature.
pub(super) fn verify(token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    if header.get("alg").and_then(|alg| alg.as_str()) != Some("HS256") {
        return None;
    }
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let mut mac = mac();
    mac.update(&token.as_bytes()[..token.rfind('.')?]);
    // Compared in constant time.
    mac.verify_slice(&signature).ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            sub: "usr_0001".into(),
            org: "org_sandbox".into(),
            role: "org_admin".into(),
            typ: "access".into(),
            iat: 1_768_471_200,
            exp: 1_768_472_100,
            jti: "1".into(),
        }
    }

    #[test]
    fn a_signed_token_verifies_to_its_claims() {
        let token = sign(&claims());
        assert_eq!(token.split('.').count(), 3);
        assert!(token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."), "{token}");
        assert!(!token.contains('='), "no padding: {token}");
        assert_eq!(verify(&token), Some(claims()));
    }

    #[test]
    fn a_known_vector() {
        // HMAC-SHA256 of RFC 4231's test case 2 ("Jefe" / "what do ya want for nothing?"), so the MAC
        // is the standard one.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn tampered_or_malformed_tokens_do_not_verify() {
        let token = sign(&claims());
        let (signing_input, signature) = token.rsplit_once('.').unwrap();
        let mut forged = claims();
        forged.role = "org_admin_plus".into();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let header = signing_input.split('.').next().unwrap();
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let payload = signing_input.split('.').nth(1).unwrap();
        for bad in [
            format!("{header}.{forged_payload}.{signature}"),
            format!("{none_header}.{payload}.{signature}"),
            format!("{none_header}.{payload}."),
            format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode([0u8; 32])),
            format!("{token}.extra"),
            format!("{signing_input}.not base64!"),
            "not-a-token".to_owned(),
            "a.b.c".to_owned(),
            String::new(),
        ] {
            assert_eq!(verify(&bad), None, "{bad}");
        }
    }
}
