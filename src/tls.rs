//! The certificate policy of perfgate's HTTPS calls: the system's store (so a company's TLS proxy CA
//! installed there is trusted; `SSL_CERT_FILE` and `SSL_CERT_DIR` are honoured), and the bundled Mozilla
//! roots only when the system store holds none (a minimal container). Both HTTP clients are built on
//! [`client_config`]: ureq for Prometheus and the Pushgateway, hyper under octocrab for GitHub.

use std::sync::Arc;

/// The roots to trust, per the policy above.
pub fn roots() -> rustls::RootCertStore {
    // Unreadable entries are skipped; what is left is used.
    with_fallback(rustls_native_certs::load_native_certs().certs)
}

fn with_fallback(system: Vec<rustls::pki_types::CertificateDer<'static>>) -> rustls::RootCertStore {
    let mut store = rustls::RootCertStore::empty();
    store.add_parsable_certificates(system);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_unreadable_system_store_falls_back_to_the_bundled_roots() {
        let bundled = webpki_roots::TLS_SERVER_ROOTS.len();
        assert_eq!(with_fallback(Vec::new()).len(), bundled);
        let garbage = rustls::pki_types::CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00]);
        assert_eq!(with_fallback(vec![garbage]).len(), bundled);
    }
}
