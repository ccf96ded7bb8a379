"""ECDSA P-256 key pairs for the signing tests and benchmarks, written as PEM files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec


@dataclass(frozen=True)
class KeyPair:
    private: Path  #: ``NAME.pem``, PKCS#8
    public: Path  #: ``NAME.pub.pem``, SubjectPublicKeyInfo
    key: ec.EllipticCurvePrivateKey


def write_key_pair(folder: Path, name: str, password: bytes | None = None) -> KeyPair:
    """A new P-256 key pair in ``folder`` (created if missing): ``NAME.pem`` (encrypted with
    ``password`` when given) and ``NAME.pub.pem``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    private, public = folder / f"{name}.pem", folder / f"{name}.pub.pem"
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return KeyPair(private, public, key)
