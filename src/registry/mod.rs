//! Registry client: the distribution API (manifests, blobs), auth (auth.json, bearer tokens), verified downloads.

pub mod auth;
pub mod client;
