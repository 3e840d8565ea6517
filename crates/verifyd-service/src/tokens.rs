//! Console access and refresh tokens: RS256 JWTs (contract §5). The RSA key is created once
//! and kept sealed in the database, so every verifyd node signs and checks with the same key.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use verifyd_core::account::{ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_SECONDS};
use verifyd_core::ids::AccountId;
use verifyd_store::Store;

use crate::{ServiceError, ServiceResult};

const KEY_SETTING: &str = "jwt_rsa_private_key_pem";

/// The claims verifyd puts in its tokens.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: String,
    /// `access` or `refresh`.
    pub token_type: String,
    /// Issued at (epoch seconds).
    pub iat: i64,
    /// Expires at (epoch seconds).
    pub exp: i64,
    /// A unique token id.
    pub jti: String,
}

/// Signing and verification keys.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: Arc<EncodingKey>,
    decoding: Arc<DecodingKey>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(<redacted>)")
    }
}

/// A freshly issued access/refresh pair.
#[derive(Debug)]
pub struct IssuedTokens {
    /// Bearer token for the account API.
    pub access_token: String,
    /// Token to obtain a new access token.
    pub refresh_token: String,
    /// Access-token lifetime in seconds.
    pub expires_in: i64,
}

impl TokenKeys {
    /// Loads the installation's RSA key, generating and storing it on first start.
    pub async fn load_or_create(store: &Store) -> ServiceResult<Self> {
        let pem = match store.setting(KEY_SETTING).await? {
            Some(pem) => pem,
            None => {
                let generated = tokio::task::spawn_blocking(|| {
                    let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
                        .map_err(|e| ServiceError::internal("generating RSA key", e))?;
                    key.to_pkcs8_pem(LineEnding::LF)
                        .map(|pem| pem.to_string())
                        .map_err(|e| ServiceError::internal("encoding RSA key", e))
                })
                .await
                .map_err(|e| ServiceError::internal("key task", e))??;
                store.setting_or_insert(KEY_SETTING, &generated).await?
            }
        };
        Self::from_pem(&pem)
    }

    fn from_pem(pem: &str) -> ServiceResult<Self> {
        use rsa::pkcs8::DecodePrivateKey;
        let private = RsaPrivateKey::from_pkcs8_pem(pem)
            .map_err(|e| ServiceError::internal("reading RSA key", e))?;
        let public_pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| ServiceError::internal("encoding public key", e))?;
        Ok(Self {
            encoding: Arc::new(
                EncodingKey::from_rsa_pem(pem.as_bytes())
                    .map_err(|e| ServiceError::internal("RSA encoding key", e))?,
            ),
            decoding: Arc::new(
                DecodingKey::from_rsa_pem(public_pem.as_bytes())
                    .map_err(|e| ServiceError::internal("RSA decoding key", e))?,
            ),
        })
    }

    fn sign(
        &self,
        account: AccountId,
        kind: &str,
        now: DateTime<Utc>,
        lifetime: i64,
    ) -> ServiceResult<String> {
        let claims = Claims {
            sub: account.to_string(),
            token_type: kind.to_owned(),
            iat: now.timestamp(),
            exp: now.timestamp() + lifetime,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        encode(&Header::new(Algorithm::RS256), &claims, &self.encoding)
            .map_err(|e| ServiceError::internal("signing token", e))
    }

    /// Issues an access and a refresh token for `account`.
    pub fn issue(&self, account: AccountId, now: DateTime<Utc>) -> ServiceResult<IssuedTokens> {
        Ok(IssuedTokens {
            access_token: self.sign(account, "access", now, ACCESS_TOKEN_SECONDS)?,
            refresh_token: self.sign(account, "refresh", now, REFRESH_TOKEN_SECONDS)?,
            expires_in: ACCESS_TOKEN_SECONDS,
        })
    }

    /// The account an unexpired access token was issued to, if the token is genuine.
    pub fn verify_access(&self, token: &str, now: DateTime<Utc>) -> Option<AccountId> {
        let mut validation = Validation::new(Algorithm::RS256);
        // Expiry is checked against the injected clock below, not the wall clock.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let data = decode::<Claims>(token, &self.decoding, &validation).ok()?;
        let claims = data.claims;
        if claims.token_type != "access" || claims.exp <= now.timestamp() {
            return None;
        }
        claims.sub.parse().ok()
    }
}
