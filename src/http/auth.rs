//! Who is calling: staff holding an API token (Bearer header, or the pages' encrypted cookie),
//! a candidate holding their interview's resume token, or a practice profile's key. Tokens are looked up by their SHA-256
//! and compared in constant time; use is rate-limited per token, and failures per address.

use crate::error_code::Code;
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use std::collections::HashMap;
use std::sync::Mutex;

use super::ApiError;
use crate::clock::now_ms;
use crate::config::ServerSettings;
use crate::store::Store;
use crate::tokens;
use crate::ws::limiter::KeyedLimiter;

/// The staff pages' login cookie.
pub const COOKIE: &str = "rehearse_staff";
pub use crate::tokens::{Role, TOKEN_PREFIX};

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Staff {
        name: String,
        role: Role,
    },
    Candidate {
        session_id: String,
    },
    /// The holder of a practice profile's key.
    Profile {
        profile_id: String,
    },
}

pub fn unauthorized(message: &str) -> ApiError {
    ApiError::new(Code::Unauthorized, message)
}

fn rate_limited(message: &str) -> ApiError {
    crate::telemetry::rate_limited("http");
    ApiError::new(Code::RateLimited, message)
}

/// Authentication state shared by every request.
pub struct Auth {
    key: Key,
    per_token: (f64, f64),
    per_address: f64,
    buckets: KeyedLimiter,
    touched: Mutex<HashMap<i64, i64>>,
}

impl Auth {
    pub fn new(settings: &ServerSettings) -> anyhow::Result<Auth> {
        let key = match &settings.cookie_key {
            Some(k) => {
                let bytes = hex::decode(k.expose().trim())
                    .map_err(|_| anyhow::anyhow!("server.cookie_key must be hex"))?;
                anyhow::ensure!(
                    bytes.len() >= 64,
                    "server.cookie_key must hold at least 64 bytes (128 hex digits)"
                );
                Key::from(&bytes)
            }
            None => Key::generate(),
        };
        Ok(Auth {
            key,
            per_token: (
                settings.token_requests_per_second,
                settings.token_request_burst,
            ),
            per_address: settings.logins_per_minute,
            buckets: KeyedLimiter::default(),
            touched: Mutex::new(HashMap::new()),
        })
    }

    fn take(&self, key: String, rate: f64, burst: f64) -> bool {
        self.buckets.take(key, rate, burst)
    }

    /// Counts a login attempt or failed authentication from the request's address.
    pub fn allow_attempt(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let addr = req
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default();
        let per_sec = self.per_address / 60.0;
        if self.take(format!("addr:{addr}"), per_sec, self.per_address.max(1.0)) {
            Ok(())
        } else {
            Err(rate_limited(
                "too many attempts from this address; wait a minute",
            ))
        }
    }

    /// The bearer token, or the token held in the login cookie.
    fn presented(&self, req: &HttpRequest) -> Option<String> {
        if let Some(h) = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
        {
            return h
                .strip_prefix("Bearer ")
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
        }
        let cookie = req.cookie(COOKIE)?;
        let mut jar = CookieJar::new();
        jar.add_original(cookie.into_owned());
        jar.private(&self.key)
            .get(COOKIE)
            .map(|c| c.value().to_string())
    }

    /// Authenticates a request: 401 without a valid, unrevoked token; 429 over the rate limit.
    pub async fn authenticate(
        &self,
        req: &HttpRequest,
        store: &Store,
    ) -> Result<Principal, ApiError> {
        let Some(token) = self.presented(req) else {
            return Err(unauthorized("send `Authorization: Bearer <token>`"));
        };
        let hash = tokens::hash_token(&token);
        if !self.take(format!("token:{hash}"), self.per_token.0, self.per_token.1) {
            return Err(rate_limited("too many requests with this token"));
        }
        if token.starts_with(TOKEN_PREFIX) {
            let found = store.token_by_hash(&hash).await?;
            if let Some(t) =
                found.filter(|t| tokens::verify(&token, &t.token_hash) && t.revoked_at.is_none())
            {
                self.touch(store, t.id).await;
                // A stored role that is neither is corrupt data: refused, never a default.
                let role: Role = t.role.parse().map_err(|_| {
                    ApiError::server(
                        Code::Internal,
                        format!("token {} has role `{}`", t.id, t.role),
                    )
                })?;
                return Ok(Principal::Staff { name: t.name, role });
            }
        } else if token.starts_with(crate::profiles::KEY_PREFIX) {
            if let Some(p) = store.profile_by_key_hash(&hash).await? {
                return Ok(Principal::Profile { profile_id: p.id });
            }
        } else {
            let found = store.session_by_resume_hash(&hash).await?;
            if let Some(s) = found.filter(|s| tokens::verify(&token, &s.resume_token_hash)) {
                return Ok(Principal::Candidate { session_id: s.id });
            }
        }
        self.allow_attempt(req)?;
        Err(unauthorized("the token is unknown or revoked"))
    }

    /// Notes a token's use, at most once a minute per token.
    async fn touch(&self, store: &Store, id: i64) {
        let now = now_ms();
        let due = {
            let mut touched = self.touched.lock().unwrap_or_else(|e| e.into_inner());
            let last = touched.entry(id).or_insert(0);
            let due = now - *last > 60_000;
            if due {
                *last = now;
            }
            due
        };
        if due {
            let _ = store.touch_token(id, now).await;
        }
    }

    /// The encrypted login cookie holding `token` (HttpOnly, SameSite=Strict).
    pub fn login_cookie(&self, token: &str, secure: bool) -> Cookie<'static> {
        let mut jar = CookieJar::new();
        let cookie = Cookie::build(COOKIE, token.to_string())
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .max_age(actix_web::cookie::time::Duration::hours(12))
            .finish();
        jar.private_mut(&self.key).add(cookie);
        jar.get(COOKIE)
            .cloned()
            .unwrap_or_else(|| Cookie::new(COOKIE, ""))
    }

    /// A cookie that clears the login.
    pub fn logout_cookie(&self) -> Cookie<'static> {
        let mut c = Cookie::build(COOKIE, "")
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .finish();
        c.make_removal();
        c
    }
}
