//! The certificate policy of perfgate's HTTPS calls: the system's store (so a company's TLS proxy CA
//! installed there is trusted; `SSL_CERT_FILE` and `SSL_CERT_DIR` are honoured), and the bundled Mozilla
//! roots only when the system store holds none (a minimal container).

use std::sync::Arc;

/// The roots to trust, per the policy above.
pub fn roots() -> rustls::RootCertStore {
    let mut store = rustls::RootCertStore::empty();
    // Unreadable entries are skipped; what is left is used.
    let found = rustls_native_certs::load_native_certs();
    store.add_parsable_certificates(found.certs);
    if store.is_empty() {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    store
}

/// A client configuration with those roots, on the ring provider the HTTP clients are built with.
pub fn client_config() -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up: {e}"))?
        .with_root_certificates(roots())
        .with_no_client_auth();
    Ok(Arc::new(config))
}
