//! HTTPS for the sandbox: a certificate authority made at start, and a server certificate it signs
//! for `127.0.0.1` and `localhost`. A client trusts the sandbox only when given the authority's PEM
//! (its `ca_bundle`), which is how the clients' trust settings are tested.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// A fresh authority and the acceptor serving a certificate it signed.
pub(crate) struct Tls {
    /// The authority's certificate, PEM: what a client must trust.
    pub(crate) ca_pem: String,
    pub(crate) acceptor: TlsAcceptor,
}

impl Tls {
    /// Makes a new authority and server certificate, valid for `127.0.0.1`, `::1` and `localhost`.
    pub(crate) fn generate() -> std::io::Result<Self> {
        let failed = |e: rcgen::Error| std::io::Error::other(format!("making the sandbox's certificates: {e}"));
        let ca_key = KeyPair::generate().map_err(failed)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(failed)?;
        ca_params.distinguished_name.push(DnType::CommonName, "zkit sandbox test authority");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key).map_err(failed)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate().map_err(failed)?;
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
        let mut server_params = CertificateParams::new(names).map_err(failed)?;
        server_params.distinguished_name.push(DnType::CommonName, "zkit sandbox");
        let server_cert = server_params.signed_by(&server_key, &issuer).map_err(failed)?;

        let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(tokio_rustls::rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(std::io::Error::other)?
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .map_err(std::io::Error::other)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self { ca_pem: ca_cert.pem(), acceptor: TlsAcceptor::from(Arc::new(config)) })
    }
}
