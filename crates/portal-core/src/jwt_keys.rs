//! JWT keys API: public keys that verify private-video JWTs (CONTRACT.md §B).
//!
//! Envelope: `{"success":true,"result":…,"links":{…}|null,"errors":[]}`.
//!
//! Paging follows `links.next` only within the configured base URL (same
//! scheme, host and port, a path under the base path; a relative link is
//! resolved against the list's URL): any other link is `foreign_origin` and
//! nothing is sent there, so the API key goes nowhere else.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::http::{join, segment, shown, status_error, Call, HttpClient, Response};
use crate::origin::same_url_origin;
use crate::paging::Pages;
use crate::secret::Secret;
use crate::service::Service;
use crate::time::lenient_time;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct JwtKey {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub public_key: String,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_by: Option<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub updated_time: Option<DateTime<Utc>>,
}

pub fn validate_key_name(name: &str) -> Result<()> {
    let n = name.chars().count();
    if n == 0 || n > 50 || name.trim().is_empty() {
        return Err(Error::validation(format!(
            "A key name needs 1 to 50 characters (this one has {n})."
        )));
    }
    Ok(())
}

/// Reads `errors`: strings or objects with `message` (shape not documented).
fn error_messages(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| {
                    e.as_str()
                        .map(str::to_owned)
                        .or_else(|| e["message"].as_str().map(str::to_owned))
                        .or_else(|| (!e.is_null()).then(|| e.to_string()))
                        .filter(|m| crate::http::said(Some(m)).is_some())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Parses the envelope; returns `(result, links)`.
pub fn parse_envelope(resp: &Response) -> Result<(Value, Value)> {
    if !resp.status.is_success() {
        let v = resp.json().unwrap_or(Value::Null);
        let messages = error_messages(&v);
        let message = (!messages.is_empty()).then(|| messages.join("; "));
        return Err(status_error(resp, None, message, None));
    }
    let body = resp.json()?;
    match body.get("success").and_then(Value::as_bool) {
        Some(true) => {}
        Some(false) => {
            let messages = error_messages(&body);
            let message = if messages.is_empty() {
                "The service reported a failure.".to_owned()
            } else {
                messages.join("; ")
            };
            return Err(Error::new(ErrorCode::BadResponse, message)
                .with_service(Service::JwtKeys)
                .with_request_id(Some(resp.sent_request_id.clone())));
        }
        None => {
            return Err(resp.not_the_envelope(
                Service::JwtKeys,
                "JWT keys envelope ({\"success\":true,\"result\":…})",
            ));
        }
    }
    Ok((
        body.get("result").cloned().unwrap_or(Value::Null),
        body.get("links").cloned().unwrap_or(Value::Null),
    ))
}

fn decode<T: serde::de::DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| {
        Error::new(
            ErrorCode::BadResponse,
            format!("Unexpected key data in the answer: {e}"),
        )
        .with_service(Service::JwtKeys)
    })
}

pub struct JwtKeysClient<'a> {
    http: &'a HttpClient,
    base: &'a str,
    credential: &'a Secret,
}

impl<'a> JwtKeysClient<'a> {
    pub fn new(http: &'a HttpClient, base: &'a str, credential: &'a Secret) -> Self {
        Self {
            http,
            base,
            credential,
        }
    }

    async fn respond(
        &self,
        method: Method,
        url: url::Url,
        body: Option<Value>,
    ) -> Result<Response> {
        let mut call = Call::new(Service::JwtKeys, method, url).bearer(self.credential);
        if let Some(body) = body {
            call = call.json(body);
        }
        self.http.send(&call).await
    }

    async fn send(
        &self,
        method: Method,
        url: url::Url,
        body: Option<Value>,
    ) -> Result<(Value, Value)> {
        parse_envelope(&self.respond(method, url, body).await?)
    }

    /// Every page, following `links.next` (see [`Self::next_page`] and
    /// [`crate::paging`]).
    pub async fn list_all(&self) -> Result<Vec<JwtKey>> {
        self.list_all_inner()
            .await
            .map_err(|e| e.during("Listing JWT keys"))
    }

    async fn list_all_inner(&self) -> Result<Vec<JwtKey>> {
        let first = join(self.base, "/jwt_keys")?;
        let mut url = first.clone();
        url.query_pairs_mut().append_pair("limit", "25");
        let mut pages = Pages::new(Service::JwtKeys);
        pages.follow(url.as_str())?;
        let mut all: Vec<JwtKey> = Vec::new();
        loop {
            let (result, links) = self.send(Method::GET, url.clone(), None).await?;
            let page: Vec<JwtKey> = decode(result)?;
            let empty = page.is_empty();
            all.extend(pages.take(page, |k| &k.id, None)?);
            match links["next"].as_str().filter(|n| !n.is_empty()) {
                Some(next) if !empty => {
                    url = self.next_page(&first, next)?;
                    pages.follow(url.as_str())?;
                }
                _ => return Ok(all),
            }
        }
    }

    /// The URL of `links.next`, resolved against the list's URL `list`: only
    /// one with the base URL's scheme, host and port and a path under its
    /// path; anything else is `foreign_origin`.
    fn next_page(&self, list: &url::Url, next: &str) -> Result<url::Url> {
        let base = join(self.base, "")?;
        let url = list.join(next).map_err(|e| {
            Error::new(
                ErrorCode::BadResponse,
                format!("The next-page link is not a URL ({e})."),
            )
            .with_service(Service::JwtKeys)
        })?;
        let base_path = base.path().trim_end_matches('/');
        let under = url.path() == base_path
            || url
                .path()
                .strip_prefix(base_path)
                .is_some_and(|rest| rest.starts_with('/'));
        let foreign = |why: &str| {
            Error::new(
                ErrorCode::ForeignOrigin,
                format!(
                    "The JWT keys service gave a next-page link to {} ({why}); the API key goes only to \
                     the configured base URL {}, so nothing was sent there.",
                    shown(&url),
                    shown(&base)
                ),
            )
            .with_service(Service::JwtKeys)
        };
        if !same_url_origin(&url, &base) {
            return Err(foreign("another origin"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(foreign("a link with a user name"));
        }
        if !under {
            return Err(foreign("a path outside the base path"));
        }
        Ok(url)
    }

    /// One small read, to prove URL and key work.
    pub async fn list_page_probe(&self) -> Result<()> {
        let mut url = join(self.base, "/jwt_keys")?;
        url.query_pairs_mut().append_pair("limit", "1");
        let (result, _) = self.send(Method::GET, url, None).await?;
        decode::<Vec<JwtKey>>(result).map(|_| ())
    }

    pub async fn get(&self, id: &str) -> Result<JwtKey> {
        self.get_dated(id).await.0
    }

    /// [`Self::get`], and the service's clock when it answered (its `Date`
    /// header), an error's answer included.
    pub async fn get_dated(&self, id: &str) -> (Result<JwtKey>, Option<DateTime<Utc>>) {
        let mut date = None;
        let read = async {
            let url = join(self.base, &format!("/jwt_keys/{}", segment(id, "key id")?))?;
            let resp = self.respond(Method::GET, url, None).await?;
            date = resp.date();
            let (result, _) = parse_envelope(&resp)?;
            decode(result)
        };
        let key = read
            .await
            .map_err(|e| e.during(&format!("Reading JWT key {id}")));
        (key, date)
    }

    /// Uploads a public key. Never retried automatically.
    pub async fn create(&self, name: &str, public_key_pem: &str) -> Result<JwtKey> {
        validate_key_name(name)?;
        let body = json!({ "name": name, "public_key": public_key_pem });
        let uploaded = async {
            let (result, _) = self
                .send(Method::POST, join(self.base, "/jwt_keys")?, Some(body))
                .await?;
            decode(result)
        };
        uploaded
            .await
            .map_err(|e| e.during(&format!("Uploading JWT key '{name}'")))
    }

    pub async fn delete(&self, id: &str) -> Result<()> {
        let doing = || format!("Deleting JWT key {id}");
        let url = segment(id, "key id")
            .and_then(|seg| join(self.base, &format!("/jwt_keys/{seg}")))
            .map_err(|e| e.during(&doing()))?;
        let call = Call::new(Service::JwtKeys, Method::DELETE, url).bearer(self.credential);
        let resp = self
            .http
            .send(&call)
            .await
            .map_err(|e| e.during(&doing()))?;
        // Gone already is the outcome asked for (see `Response::delete_done`).
        if resp.delete_done() {
            return Ok(());
        }
        parse_envelope(&resp)
            .map(|_| ())
            .map_err(|e| e.during(&doing()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_to_fifty_characters() {
        assert!(validate_key_name("k").is_ok());
        assert!(validate_key_name(&"é".repeat(50)).is_ok());
        assert!(validate_key_name(&"x".repeat(51)).is_err());
        assert!(validate_key_name("").is_err());
        assert!(validate_key_name("   ").is_err());
    }

    #[test]
    fn next_links_stay_under_the_base_url() {
        let http = HttpClient::new(crate::http::HttpConfig::default()).unwrap();
        let key = Secret::new("k");
        let client = JwtKeysClient::new(&http, "https://api.vidbeo.com/v2", &key);
        let list = join(client.base, "/jwt_keys").unwrap();
        let next = |link: &str| client.next_page(&list, link);
        let ok = |link: &str| next(link).unwrap().to_string();
        assert_eq!(
            ok("https://api.vidbeo.com/v2/jwt_keys?cursor=x"),
            "https://api.vidbeo.com/v2/jwt_keys?cursor=x"
        );
        assert_eq!(
            ok("https://API.vidbeo.com:443/v2/jwt_keys?cursor=x"),
            "https://api.vidbeo.com/v2/jwt_keys?cursor=x"
        );
        assert_eq!(
            ok("/v2/jwt_keys?cursor=x"),
            "https://api.vidbeo.com/v2/jwt_keys?cursor=x"
        );
        assert_eq!(
            ok("jwt_keys?cursor=x"),
            "https://api.vidbeo.com/v2/jwt_keys?cursor=x"
        );
        assert_eq!(
            ok("?cursor=x"),
            "https://api.vidbeo.com/v2/jwt_keys?cursor=x"
        );
        for foreign in [
            // A downgrade to plain HTTP, same host and port.
            "http://api.vidbeo.com:443/v2/jwt_keys?cursor=x",
            "http://api.vidbeo.com/v2/jwt_keys?cursor=x",
            "https://api.vidbeo.com:8443/v2/jwt_keys?cursor=x",
            "https://evil.example/v2/jwt_keys?cursor=x",
            "//evil.example/v2/jwt_keys",
            "https://api.vidbeo.com.evil.example/v2/jwt_keys",
            "https://user:pw@api.vidbeo.com/v2/jwt_keys",
            "https://api.vidbeo.com/v2x/jwt_keys",
            "https://api.vidbeo.com/jwt_keys",
            "/v2/../admin",
            "/v2/%2e%2e/admin",
            "../../admin",
        ] {
            let e = next(foreign).unwrap_err();
            assert_eq!(e.code, ErrorCode::ForeignOrigin, "{foreign}: {e}");
            assert_eq!(e.service, Some(Service::JwtKeys));
            assert!(!e.message.contains("cursor"), "no query in: {}", e.message);
        }
        assert_eq!(
            next("http://api.vidbeo.com/v2/jwt_keys?cursor=secret").unwrap_err().message,
            "The JWT keys service gave a next-page link to http://api.vidbeo.com/v2/jwt_keys (another origin); \
             the API key goes only to the configured base URL https://api.vidbeo.com/v2/, so nothing was sent there."
        );
    }

    #[test]
    fn errors_accept_strings_and_objects() {
        let v = json!({"errors":["name is required", {"message":"public_key is not PEM"}]});
        assert_eq!(
            error_messages(&v),
            ["name is required", "public_key is not PEM"]
        );
    }
}
