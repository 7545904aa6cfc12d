//! Certificates minted at start: a CA and a server certificate for `localhost` and `127.0.0.1`.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;

use super::FakeError;

/// The CA PEM and a TLS server config presenting a certificate it signed.
pub(super) struct Minted {
    pub(super) ca_pem: String,
    pub(super) server: Arc<ServerConfig>,
}

pub(super) fn mint() -> Result<Minted, FakeError> {
    let ca_key = KeyPair::generate().map_err(FakeError::Certificate)?;
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).map_err(FakeError::Certificate)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "baton-service fake C1 CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .map_err(FakeError::Certificate)?;

    let server_key = KeyPair::generate().map_err(FakeError::Certificate)?;
    let mut params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .map_err(FakeError::Certificate)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "baton-service fake C1");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = params
        .signed_by(&server_key, &ca_cert, &ca_key)
        .map_err(FakeError::Certificate)?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let mut config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(FakeError::Tls)?
        .with_no_client_auth()
        .with_single_cert(vec![server_cert.der().clone(), ca_cert.der().clone()], key)
        .map_err(FakeError::Tls)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Minted {
        ca_pem: ca_cert.pem(),
        server: Arc::new(config),
    })
}
