"""The C2PA signing key and certificate chain: a configured one, or a local TEST CA made on first use.

`load_signer(key, certs)` reads a PEM private key and a PEM chain (the signing certificate first,
then any intermediates; never the root) and checks them against what C2PA validators demand
(docs/facts.md: the leaf must be issued by a CA, have KeyUsage digitalSignature, ExtendedKeyUsage
emailProtection or documentSigning, and an Authority Key Identifier). A problem is a `ConfigError`
naming the file, instead of the signing library's "the certificate is invalid" at the first asset.

`load_or_create_signer(out_dir, key, certs)` is what a command calls: the configured pair when one
is given, else the local test signer under ``<out_dir>/provenance/test-ca/``, created there on the
first call (a root CA, a signing leaf it issued, a README.txt). Everything in that folder is named
and labelled TEST ONLY: the root's and leaf's subjects say "LOCAL TEST ... NOT FOR PRODUCTION",
and the root's private key is not kept (no more certificates can be issued from it). Files signed
with it validate as ``Valid`` everywhere and as ``Trusted`` only where its root is given as a trust
anchor (``vitrina verify FILE --trust <out>/provenance/test-ca/TEST-ONLY-root-ca.cert.pem``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pipeline.errors import ConfigError

__all__ = [
    "TEST_CA_DIR",
    "TEST_ROOT_NAME",
    "TEST_CHAIN_NAME",
    "TEST_KEY_NAME",
    "TEST_MARKER",
    "SigningAlg",
    "SignerConfig",
    "load_signer",
    "create_test_ca",
    "load_or_create_signer",
]

#: Where the local test signer lives, under an output folder.
TEST_CA_DIR = Path("provenance") / "test-ca"
TEST_ROOT_NAME = "TEST-ONLY-root-ca.cert.pem"
TEST_CHAIN_NAME = "TEST-ONLY-signer.cert-chain.pem"
TEST_KEY_NAME = "TEST-ONLY-signer.key.pem"
#: In the subject (O and CN) of every certificate of the test CA; `read_provenance` reports a
#: signer whose issuer carries it as a test signer.
TEST_MARKER = "Vitrina LOCAL TEST"

SigningAlg = Literal["es256", "es384", "es512", "ps256", "ed25519"]

_README = """\
Vitrina LOCAL TEST signing CA - NOT FOR PRODUCTION
==================================================

Vitrina made this folder because no C2PA signing key was configured (VITRINA_C2PA_KEY and
VITRINA_C2PA_CERTS, or `vitrina publish --c2pa-key KEY --c2pa-certs CHAIN`). Every file Vitrina
published from this output folder carries a C2PA manifest signed with the key here.

  {root}   the root certificate (its private key was thrown away)
  {chain}  the signing certificate the root issued
  {key}    its private key (keep it private all the same)

Such files validate as "Valid" in any C2PA validator, with "signingCredential.untrusted": nobody
trusts this root. They validate as "Trusted" only where this root is given as a trust anchor:

  vitrina verify FILE --trust {root_path}

For production, get a signing certificate from a CA on the C2PA trust list and configure it; then
delete this folder. Signatures made with this key identify nothing and nobody.
"""


@dataclass(frozen=True)
class SignerConfig:
    """A signing key and its certificate chain, checked (`load_signer`), as PEM bytes.

    key_pem: the private key; chain_pem: the signing certificate, then any intermediates;
    alg: the C2PA signature algorithm the key type gives; is_test: the local Vitrina test CA's
    signer; trust_anchor: its root certificate file (None for a configured signer);
    key_path / chain_path: where they were read from; subject: the signing certificate's subject.
    """

    key_pem: bytes
    chain_pem: bytes
    alg: SigningAlg
    is_test: bool
    key_path: Path
    chain_path: Path
    subject: str
    trust_anchor: Path | None = None

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the signing certificate (DER), hex: names this signer in caches, so files
        signed by another key or certificate are signed again."""
        return x509.load_pem_x509_certificates(self.chain_pem)[0].fingerprint(hashes.SHA256()).hex()


def _read(path: Path, field: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, field, str(path), "file not found") from None
    except OSError as exc:
        raise ConfigError(path, field, str(path), f"cannot be read: {exc.strerror or exc}") from None


def _alg(key: object, path: Path) -> SigningAlg:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        by_curve: dict[str, SigningAlg] = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
        if key.curve.name in by_curve:
            return by_curve[key.curve.name]
        raise ConfigError(path, "key", key.curve.name, "C2PA signs with P-256, P-384 or P-521 EC keys only")
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise ConfigError(path, "key", key.key_size, "an RSA signing key needs at least 2048 bits")
        return "ps256"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    raise ConfigError(path, "key", type(key).__name__, "C2PA signs with EC, RSA (PSS) or Ed25519 keys only")


def _check_leaf(leaf: x509.Certificate, path: Path) -> None:
    """The C2PA rules a signing certificate must meet (docs/facts.md), one ConfigError each."""

    def refuse(problem: str) -> ConfigError:
        return ConfigError(path, "signing certificate", leaf.subject.rfc4514_string(), problem)

    if leaf.issuer == leaf.subject:
        raise refuse("is self-signed; C2PA needs a certificate issued by a CA (root or intermediate)")
    now = dt.datetime.now(dt.UTC)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        start, end = leaf.not_valid_before_utc, leaf.not_valid_after_utc
        raise refuse(f"is not valid now (valid {start:%Y-%m-%d} to {end:%Y-%m-%d})")
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise refuse("has no KeyUsage extension; C2PA needs digitalSignature") from None
    if not usage.digital_signature:
        raise refuse("KeyUsage lacks digitalSignature")
    try:
        ext_usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        raise refuse("has no ExtendedKeyUsage; C2PA needs emailProtection or documentSigning") from None
    wanted = {ExtendedKeyUsageOID.EMAIL_PROTECTION, x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")}
    if not wanted & set(ext_usage):
        raise refuse("ExtendedKeyUsage has neither emailProtection nor documentSigning")
    try:
        leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    except x509.ExtensionNotFound:
        raise refuse("has no Authority Key Identifier (C2PA validators reject it as invalid)") from None


def load_signer(key: Path, certs: Path, *, trust_anchor: Path | None = None, is_test: bool = False) -> SignerConfig:
    """Read and check a signing key and its chain (module doc); `ConfigError` names what is wrong."""
    key_pem, chain_pem = _read(key, "key"), _read(certs, "certificate chain")
    try:
        private = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(key, "key", str(key), f"not an unencrypted PEM private key ({exc})") from None
    try:
        chain = x509.load_pem_x509_certificates(chain_pem)
    except ValueError as exc:
        raise ConfigError(certs, "certificate chain", str(certs), f"not PEM certificates ({exc})") from None
    # A root at the end of the chain is not needed (validators hold their own) and costs bytes in
    # every manifest: it is left out.
    kept = [c for c in chain if c.issuer != c.subject] or chain[:1]
    leaf = kept[0]
    _check_leaf(leaf, certs)
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if leaf.public_key().public_bytes(*spki) != private.public_key().public_bytes(*spki):
        subject = leaf.subject.rfc4514_string()
        raise ConfigError(certs, "signing certificate", subject, f"is not the certificate of {key}")
    return SignerConfig(
        key_pem=key_pem,
        chain_pem=b"".join(c.public_bytes(serialization.Encoding.PEM) for c in kept),
        alg=_alg(private, key),
        is_test=is_test,
        key_path=key,
        chain_path=certs,
        subject=leaf.subject.rfc4514_string(),
        trust_anchor=trust_anchor,
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{TEST_MARKER} (not a production identity)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def create_test_ca(folder: Path) -> None:
    """Write a new TEST root CA, a signing leaf it issued (P-256) and README.txt into `folder`
    (which must not exist yet). The root's private key is not written anywhere."""
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"{TEST_MARKER} root CA - NOT FOR PRODUCTION")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # keyCertSign, cRLSign
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{TEST_MARKER} signer - NOT FOR PRODUCTION"))
        .issuer_name(root_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )  # digitalSignature
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    folder.mkdir(parents=True)
    (folder / TEST_ROOT_NAME).write_bytes(root.public_bytes(serialization.Encoding.PEM))
    (folder / TEST_CHAIN_NAME).write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path = folder / TEST_KEY_NAME
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(
            leaf_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    readme = _README.format(
        root=TEST_ROOT_NAME, chain=TEST_CHAIN_NAME, key=TEST_KEY_NAME, root_path=folder / TEST_ROOT_NAME
    )
    (folder / "README.txt").write_text(readme, encoding="utf-8")


def load_or_create_signer(out_dir: Path, key: Path | None, certs: Path | None) -> tuple[SignerConfig, bool]:
    """(signer, created): the configured key and chain when both are given; else the local test
    signer under ``out_dir/provenance/test-ca/``, made there first if it is not there yet
    (`created` is True then: the caller should say so). One of `key`/`certs` alone is a ConfigError.

    Safe against two processes starting at once: the CA is written in a scratch folder and moved
    into place in one rename; the loser of that race uses the winner's.
    """
    if key is not None or certs is not None:
        if key is None or certs is None:
            given, missing = ("key", "certificate chain") if key is not None else ("certificate chain", "key")
            problem = f"a {given} is configured but no {missing}: give both or neither"
            raise ConfigError(str(key or certs), "C2PA signer", given, problem)
        return load_signer(key, certs), False
    folder = out_dir / TEST_CA_DIR
    created = False
    if not (folder / TEST_KEY_NAME).is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".test-ca-", dir=folder.parent))
        try:
            create_test_ca(scratch / "ca")
            try:
                os.rename(scratch / "ca", folder)
                created = True
            except OSError:
                if not (folder / TEST_KEY_NAME).is_file():
                    problem = f"exists without {TEST_KEY_NAME}: delete the folder to make a new test CA"
                    raise ConfigError(folder, "test CA", str(folder), problem) from None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    signer = load_signer(
        folder / TEST_KEY_NAME, folder / TEST_CHAIN_NAME, trust_anchor=folder / TEST_ROOT_NAME, is_test=True
    )
    return signer, created
