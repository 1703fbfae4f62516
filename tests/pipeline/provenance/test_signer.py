"""The signer: with none configured, a clearly labelled local TEST CA is made once under the output
folder and reused; a configured key and chain are checked against the C2PA certificate rules before
the first asset, each problem one line naming the file."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pipeline.errors import ConfigError
from pipeline.provenance import load_or_create_signer, load_signer
from pipeline.provenance.signer import TEST_CA_DIR, TEST_CHAIN_NAME, TEST_KEY_NAME, TEST_ROOT_NAME


def test_the_test_ca_is_made_once_labelled_and_reused(tmp_path: Path):
    signer, created = load_or_create_signer(tmp_path, None, None)
    folder = tmp_path / TEST_CA_DIR
    assert created and signer.is_test
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["README.txt", TEST_CHAIN_NAME, TEST_KEY_NAME, TEST_ROOT_NAME]
    )
    assert all(name.startswith("TEST-ONLY-") for name in (TEST_CHAIN_NAME, TEST_KEY_NAME, TEST_ROOT_NAME))
    assert stat.S_IMODE((folder / TEST_KEY_NAME).stat().st_mode) == 0o600
    assert "NOT FOR PRODUCTION" in (folder / "README.txt").read_text(encoding="utf-8")
    assert signer.trust_anchor == folder / TEST_ROOT_NAME

    root = x509.load_pem_x509_certificate((folder / TEST_ROOT_NAME).read_bytes())
    leaf = x509.load_pem_x509_certificate((folder / TEST_CHAIN_NAME).read_bytes())
    assert "LOCAL TEST" in root.subject.rfc4514_string() and "NOT FOR PRODUCTION" in leaf.subject.rfc4514_string()
    assert (
        leaf.issuer == root.subject and leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    )
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert not any(p.suffix == ".key" or "root" in p.name and "key" in p.name for p in folder.iterdir())

    again, created_again = load_or_create_signer(tmp_path, None, None)
    assert not created_again and again.key_pem == signer.key_pem
    assert not [p for p in (tmp_path / "provenance").iterdir() if p.name != "test-ca"]  # no scratch left


def _ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Name]:
    return ec.generate_private_key(ec.SECP256R1()), x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Brand CA")])


def _leaf(
    tmp: Path, *, self_signed: bool = False, aki: bool = True, eku: bool = True, ku: bool = True
) -> tuple[Path, Path]:
    ca_key, ca_name = _ca()
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Brand signer")]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Brand signer")]) if self_signed else ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
    )
    if ku:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), True
        )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
    if aki:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)
    cert = builder.sign(key if self_signed else ca_key, hashes.SHA256())
    key_path, certs_path = tmp / "signer.key", tmp / "chain.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    certs_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, certs_path


def test_a_configured_key_and_chain_are_used_as_they_are(tmp_path: Path):
    key, certs = _leaf(tmp_path)
    signer, created = load_or_create_signer(tmp_path / "out", key, certs)
    assert not created and not signer.is_test and signer.alg == "es256" and signer.trust_anchor is None
    assert signer.subject == "CN=Brand signer"
    assert not (tmp_path / "out").exists()  # no test CA made


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"self_signed": True}, "is self-signed; C2PA needs a certificate issued by a CA"),
        ({"aki": False}, "has no Authority Key Identifier"),
        ({"eku": False}, "has no ExtendedKeyUsage; C2PA needs emailProtection or documentSigning"),
        ({"ku": False}, "has no KeyUsage extension; C2PA needs digitalSignature"),
    ],
)
def test_a_certificate_c2pa_would_reject_is_a_config_error_naming_the_file(tmp_path: Path, broken, message):
    key, certs = _leaf(tmp_path, **broken)
    with pytest.raises(ConfigError, match=message) as exc:
        load_signer(key, certs)
    assert str(exc.value).startswith(f"{certs}: signing certificate: ")


def test_a_half_configured_or_mismatched_signer_is_a_config_error(tmp_path: Path):
    key, certs = _leaf(tmp_path)
    with pytest.raises(ConfigError, match="a key is configured but no certificate chain"):
        load_or_create_signer(tmp_path, key, None)
    with pytest.raises(ConfigError, match="a certificate chain is configured but no key"):
        load_or_create_signer(tmp_path, None, certs)
    other = tmp_path / "other"
    other.mkdir()
    other_key, _ = _leaf(other)
    with pytest.raises(ConfigError, match=f"is not the certificate of {other_key}"):
        load_signer(other_key, certs)
    with pytest.raises(ConfigError, match="file not found"):
        load_signer(tmp_path / "nope.key", certs)
    with pytest.raises(ConfigError, match="not an unencrypted PEM private key"):
        load_signer(certs, certs)
