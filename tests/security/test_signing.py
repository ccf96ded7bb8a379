"""Trust by signature: mlmodel.signing, ``mlmodel sign`` / ``mlmodel verify``, the lint codes
MLM504-MLM506 and ``save_model(sign_with=)``. Keys and certificates are made here with
``cryptography``; nothing touches the network."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from harness.signing_keys import KeyPair, write_key_pair
from mlmodel.checking.lint.engine import LintOptions, lint_paths
from mlmodel.cli.app import run
from mlmodel.core.errors import UnsafeModelError, UsageError
from mlmodel.signing import (
    SignatureError,
    SignedManifest,
    SigningUnavailableError,
    file_digests,
    sign_model,
    verify_model,
)

# -- keys, certificates, models ---------------------------------------------------------------


_key_pair = write_key_pair


@pytest.fixture
def keys(tmp_path: Path) -> KeyPair:
    return _key_pair(tmp_path / "keys", "signer")


@pytest.fixture
def other_keys(tmp_path: Path) -> KeyPair:
    return _key_pair(tmp_path / "keys", "other")


def _certificate(
    subject: str,
    public: ec.EllipticCurvePublicKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=2 if ca else 1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class Pki:
    leaf_key: KeyPair
    leaf: Path
    ca: Path


def _pki(folder: Path, name: str) -> Pki:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(f"{name} CA", ca_key.public_key(), f"{name} CA", ca_key, ca=True)
    leaf_key = _key_pair(folder, f"{name}-leaf")
    leaf = _certificate(f"{name} signer", leaf_key.key.public_key(), f"{name} CA", ca_key, ca=False)
    ca_path = folder / f"{name}-ca.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    leaf_path = folder / f"{name}-leaf.crt"
    leaf_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    return Pki(leaf_key, leaf_path, ca_path)


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model saved by mlmodel (skops), copied by each test that changes it."""
    from sklearn.linear_model import LogisticRegression

    import mlmodel.sklearn

    estimator = LogisticRegression().fit([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]], [0, 1, 0])
    path = tmp_path_factory.mktemp("saved") / "model"
    mlmodel.sklearn.save_model(estimator, path)
    return path


@pytest.fixture
def model(saved_model: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(saved_model, copy)
    return copy


@pytest.fixture
def signed(model: Path, keys: KeyPair) -> Path:
    sign_model(model, keys.private)
    return model


def _refused(model: Path, keys: list[Path], **kwargs: object) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        verify_model(model, public_keys=keys, **kwargs)  # type: ignore[arg-type]
    return caught.value


def _no_temporaries(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.endswith(".mlmodel-tmp")]


# -- round trips -------------------------------------------------------------------------------


def test_round_trip_of_a_model_saved_by_mlmodel(signed: Path, keys: KeyPair) -> None:
    manifest = verify_model(signed, public_keys=[keys.public])
    assert isinstance(manifest, SignedManifest)
    assert manifest.signature == signed / "model.sig"
    assert manifest.key == keys.public
    assert manifest.algorithm == "sha256"
    files = sorted(
        p.relative_to(signed).as_posix() for p in signed.rglob("*") if p.name != "model.sig"
    )
    assert sorted(manifest.digests) == [f for f in files if (signed / f).is_file()]
    mlmodel_bytes = (signed / "MLmodel").read_bytes()
    assert manifest.digests["MLmodel"] == hashlib.sha256(mlmodel_bytes).hexdigest()
    assert dict(manifest.digests) == file_digests(signed)


def test_round_trip_of_a_model_saved_by_mlflow(tmp_path: Path, keys: KeyPair) -> None:
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression

    path = tmp_path / "mlflow-model"
    mlflow.sklearn.save_model(LogisticRegression().fit([[0], [1]], [0, 1]), str(path))
    files = {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()}
    assert sign_model(path, keys.private) == path / "model.sig"
    manifest = verify_model(path, public_keys=[keys.public])
    assert set(manifest.digests) == files
    assert {"MLmodel", "requirements.txt"} <= files


def test_model_signing_reads_our_signature_and_we_read_its(
    model: Path, keys: KeyPair, tmp_path: Path
) -> None:
    """Interchange with model-signing's own public API, both ways."""
    from model_signing import hashing, signing, verifying

    sign_model(model, keys.private)
    verifier = verifying.Config()  # type: ignore[no-untyped-call]
    verifier.use_elliptic_key_verifier(public_key=keys.public).verify(model, model / "model.sig")
    other = tmp_path / "theirs"
    shutil.copytree(model, other)
    (other / "model.sig").unlink()
    config = hashing.Config()  # type: ignore[no-untyped-call]
    signer = signing.Config()  # type: ignore[no-untyped-call]
    signer.set_hashing_config(config.set_ignored_paths(paths=["model.sig"]))
    signer.use_elliptic_key_signer(private_key=keys.private).sign(other, other / "model.sig")
    assert verify_model(other, public_keys=[keys.public]).digests == file_digests(other)


def test_file_digests_follow_model_signings_path_rules(tmp_path: Path) -> None:
    from model_signing import hashing

    model = tmp_path / "m"
    for name, data in {
        "MLmodel": b"flavors: {}\n",
        ".hidden": b"h",
        "sub/deeper/w.bin": b"\x00" * 3_000_000,
        "sub/.gitignore": b"kept below the top",
        ".git/HEAD": b"left out",
        ".github/workflow.yml": b"left out",
        ".gitattributes": b"left out",
        "model.sig": b"left out",
        "empty": b"",
    }.items():
        (model / name).parent.mkdir(parents=True, exist_ok=True)
        (model / name).write_bytes(data)
    (model / "empty-folder").mkdir()
    config = hashing.Config()  # type: ignore[no-untyped-call]
    theirs = config.set_ignored_paths(paths=["model.sig"]).hash(model)
    expected = {d.identifier: d.digest.digest_hex for d in theirs.resource_descriptors()}
    assert file_digests(model) == expected
    assert set(expected) == {"MLmodel", ".hidden", "sub/deeper/w.bin", "sub/.gitignore", "empty"}


def test_symlinks_are_refused_as_model_signing_refuses_them(
    model: Path, keys: KeyPair, tmp_path: Path
) -> None:
    (model / "link").symlink_to(model / "MLmodel")
    with pytest.raises(UsageError, match="symlink"):
        sign_model(model, keys.private)
    assert not (model / "model.sig").exists()
    with pytest.raises(OSError, match="symlink"):
        file_digests(model)
    (model / "link").unlink()
    sign_model(model, keys.private)
    (model / "MLmodel").rename(tmp_path / "moved")
    (model / "MLmodel").symlink_to(tmp_path / "moved")
    refused = _refused(model, [keys.public])
    assert (refused.reason, refused.files) == ("changed", ("MLmodel",))
    assert "now a symlink" in str(refused)


def test_an_encrypted_key_signs_with_its_password(model: Path, tmp_path: Path) -> None:
    pair = _key_pair(tmp_path / "keys", "locked", password=b"s3cret")
    with pytest.raises(UsageError, match="cannot sign with this key"):
        sign_model(model, pair.private)
    sign_model(model, pair.private, password=b"s3cret")
    verify_model(model, public_keys=[pair.public])


def test_any_of_several_keys_verifies(signed: Path, keys: KeyPair, other_keys: KeyPair) -> None:
    assert verify_model(signed, public_keys=[other_keys.public, keys.public]).key == keys.public


# -- refusals ------------------------------------------------------------------------------------


def test_a_changed_byte_is_refused_naming_the_file(signed: Path, keys: KeyPair) -> None:
    target = signed / "model.skops"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 1
    target.write_bytes(bytes(data))
    refused = _refused(signed, [keys.public])
    assert (refused.reason, refused.files) == ("changed", ("model.skops",))
    assert refused.differences == {"changed": ("model.skops",)}
    assert "changed: model.skops" in str(refused)
    assert isinstance(refused, UnsafeModelError)


def test_an_added_file_is_refused(signed: Path, keys: KeyPair) -> None:
    (signed / "extra").mkdir()
    (signed / "extra" / "payload.pkl").write_bytes(b"\x80\x04N.")
    refused = _refused(signed, [keys.public])
    assert (refused.reason, refused.files) == ("added", ("extra/payload.pkl",))
    assert "added: extra/payload.pkl" in str(refused)


def test_a_removed_file_is_refused(signed: Path, keys: KeyPair) -> None:
    (signed / "requirements.txt").unlink()
    refused = _refused(signed, [keys.public])
    assert (refused.reason, refused.files) == ("removed", ("requirements.txt",))
    assert "removed: requirements.txt" in str(refused)


def test_a_renamed_file_is_reported_as_a_rename(signed: Path, keys: KeyPair) -> None:
    (signed / "model.skops").rename(signed / "renamed.skops")
    refused = _refused(signed, [keys.public])
    assert refused.reason == "renamed"
    assert refused.files == ("model.skops", "renamed.skops")
    assert "renamed: model.skops -> renamed.skops" in str(refused)


def test_several_differences_are_all_named(signed: Path, keys: KeyPair) -> None:
    (signed / "MLmodel").write_text((signed / "MLmodel").read_text() + "# edited\n")
    (signed / "conda.yaml").unlink()
    (signed / "new.txt").write_text("new")
    refused = _refused(signed, [keys.public])
    assert refused.reason == "changed"
    assert refused.differences == {
        "changed": ("MLmodel",),
        "added": ("new.txt",),
        "removed": ("conda.yaml",),
    }


def test_another_key_is_refused_as_wrong_key(
    signed: Path, keys: KeyPair, other_keys: KeyPair
) -> None:
    refused = _refused(signed, [other_keys.public])
    assert refused.reason == "wrong-key"
    assert str(other_keys.public) in str(refused)
    assert refused.files == ()


def test_an_altered_payload_is_told_apart_from_a_wrong_key(signed: Path, keys: KeyPair) -> None:
    """The payload edited to match a swapped file, its summary digest recomputed: the key's
    hint still matches, the signature does not."""
    bundle = json.loads((signed / "model.sig").read_text())
    statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    (signed / "model.skops").write_bytes(b"swapped")
    summary = hashlib.sha256()
    for resource in statement["predicate"]["resources"]:
        if resource["name"] == "model.skops":
            resource["digest"] = hashlib.sha256(b"swapped").hexdigest()
        summary.update(bytes.fromhex(resource["digest"]))
    statement["subject"][0]["digest"]["sha256"] = summary.hexdigest()
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    (signed / "model.sig").write_text(json.dumps(bundle))
    refused = _refused(signed, [keys.public])
    assert refused.reason == "malformed-signature"
    assert "altered after signing" in str(refused)


def test_an_edited_file_list_is_malformed(signed: Path, keys: KeyPair) -> None:
    """The payload edited without recomputing the summary digest: caught before any key."""
    bundle = json.loads((signed / "model.sig").read_text())
    statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    statement["predicate"]["resources"].pop()
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    (signed / "model.sig").write_text(json.dumps(bundle))
    refused = _refused(signed, [keys.public])
    assert refused.reason == "malformed-signature"
    assert "summary digest" in str(refused)


@pytest.mark.parametrize("cut", [0, 1, 100, -1])
def test_a_truncated_signature_is_malformed(signed: Path, keys: KeyPair, cut: int) -> None:
    data = (signed / "model.sig").read_bytes()
    (signed / "model.sig").write_bytes(data[:cut])
    refused = _refused(signed, [keys.public])
    assert refused.reason == "malformed-signature"
    assert "model.sig" in str(refused)


def test_a_missing_signature(model: Path, keys: KeyPair) -> None:
    refused = _refused(model, [keys.public])
    assert refused.reason == "missing-signature"
    assert "not signed" in str(refused)


def test_the_signature_of_another_model_names_the_differences(
    signed: Path, keys: KeyPair, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "MLmodel").write_text("flavors: {}\n")
    (other / "weights.bin").write_bytes(b"w")
    sign_model(other, keys.private)
    shutil.copy(other / "model.sig", signed / "model.sig")
    refused = _refused(signed, [keys.public])
    assert refused.reason == "changed"
    assert refused.differences["changed"] == ("MLmodel",)
    assert refused.differences["removed"] == ("weights.bin",)
    assert "model.skops" in refused.differences["added"]


def test_usage_errors(model: Path, keys: KeyPair, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="public key or a certificate chain"):
        verify_model(model)
    with pytest.raises(UsageError, match="no such key"):
        verify_model(model, public_keys=[tmp_path / "nope.pem"])
    with pytest.raises(UsageError, match="no such model directory"):
        verify_model(tmp_path / "nope", public_keys=[keys.public])
    with pytest.raises(UsageError, match="not an elliptic-curve PEM public key"):
        verify_model(model, public_keys=[model / "MLmodel"])
    with pytest.raises(UsageError, match="no such key"):
        sign_model(model, tmp_path / "nope.pem")
    with pytest.raises(UsageError, match="must be a file name"):
        sign_model(model, keys.private, signature_name="../x.sig")


# -- certificates --------------------------------------------------------------------------------


def test_certificate_round_trip_and_an_untrusted_chain(
    model: Path, keys: KeyPair, tmp_path: Path
) -> None:
    pki = _pki(tmp_path / "pki", "corp")
    stranger = _pki(tmp_path / "pki", "stranger")
    with pytest.raises(UsageError, match="needs its chain"):
        sign_model(model, pki.leaf_key.private, certificate=pki.leaf)
    sign_model(model, pki.leaf_key.private, certificate=pki.leaf, certificate_chain=[pki.ca])
    manifest = verify_model(model, certificate_chains=[pki.ca])
    assert manifest.key == pki.ca
    refused = _refused(model, [], certificate_chains=[stranger.ca])
    assert refused.reason == "wrong-key"
    refused = _refused(model, [pki.leaf_key.public])  # a key, on a certificate signature
    assert refused.reason == "wrong-key"
    (model / "MLmodel").write_text("flavors: {}\n")
    refused = _refused(model, [], certificate_chains=[pki.ca])
    assert (refused.reason, refused.files) == ("changed", ("MLmodel",))


def test_a_certificate_that_is_not_the_keys_is_refused(
    model: Path, keys: KeyPair, tmp_path: Path
) -> None:
    pki = _pki(tmp_path / "pki", "corp")
    with pytest.raises(UsageError, match="cannot sign with this key"):
        sign_model(model, keys.private, certificate=pki.leaf, certificate_chain=[pki.ca])


# -- CLI ---------------------------------------------------------------------------------------


def test_cli_sign_and_verify_exit_codes(
    model: Path,
    keys: KeyPair,
    other_keys: KeyPair,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["verify", str(model), "--key", str(keys.public)]) == 1
    assert "not signed" in capsys.readouterr().err
    assert run(["sign", str(model), "--key", str(keys.private)]) == 0
    assert "model.sig" in capsys.readouterr().out
    assert run(["verify", str(model), "--key", str(keys.public)]) == 0
    assert "verified" in capsys.readouterr().out
    argv = ["verify", str(model), "--key", str(other_keys.public), "--key", str(keys.public)]
    assert run(argv) == 0
    assert run(["verify", str(model), "--key", str(other_keys.public)]) == 1
    assert "not signed by the given key" in capsys.readouterr().err
    (model / "model.skops").rename(model / "moved.skops")
    assert run(["verify", str(model), "--key", str(keys.public)]) == 1
    assert "renamed: model.skops -> moved.skops" in capsys.readouterr().err
    (model / "model.sig").write_bytes((model / "model.sig").read_bytes()[:50])
    assert run(["verify", str(model), "--key", str(keys.public)]) == 1
    assert "not a usable model signature" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "{model}"],
        ["verify", "{model}", "--key", "{missing}"],
        ["verify", "{missing}", "--key", "{public}"],
        ["sign", "{model}"],
        ["sign", "{model}", "--key", "{missing}"],
        ["sign", "{missing}", "--key", "{private}"],
        ["sign", "{model}", "--key", "{private}", "--password-env", "MLMODEL_TEST_UNSET_VAR"],
        ["sign", "{model}", "--key", "{private}", "--certificate-chain", "{public}"],
    ],
)
def test_cli_usage_errors_exit_2(
    argv: list[str], model: Path, keys: KeyPair, tmp_path: Path
) -> None:
    names = {
        "model": model,
        "missing": tmp_path / "missing",
        "public": keys.public,
        "private": keys.private,
    }
    assert run([a.format(**names) for a in argv]) == 2


def test_cli_password_env_and_certificates(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = _key_pair(tmp_path / "keys", "locked", password=b"pw")
    monkeypatch.setenv("MLMODEL_TEST_KEY_PASSWORD", "pw")
    argv = ["sign", str(model), "--key", str(locked.private)]
    assert run([*argv, "--password-env", "MLMODEL_TEST_KEY_PASSWORD"]) == 0
    assert run(["verify", str(model), "--key", str(locked.public)]) == 0
    pki = _pki(tmp_path / "pki", "corp")
    argv = ["sign", str(model), "--key", str(pki.leaf_key.private), "--certificate", str(pki.leaf)]
    assert run(argv) == 2  # without its chain
    assert run([*argv, "--certificate-chain", str(pki.ca)]) == 0
    assert run(["verify", str(model), "--certificate-chain", str(pki.ca)]) == 0
    assert run(["verify", str(model), "--key", str(locked.public)]) == 1


def test_a_missing_model_signing_names_the_extra(
    model: Path, keys: KeyPair, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [m for m in sys.modules if m == "model_signing" or m.startswith("model_signing.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "model_signing", None)
    with pytest.raises(SigningUnavailableError, match=r'pip install "mlmodel\[sign\]"'):
        sign_model(model, keys.private)
    assert run(["sign", str(model), "--key", str(keys.private)]) == 2
    assert 'pip install "mlmodel[sign]"' in capsys.readouterr().err
    assert run(["verify", str(model), "--key", str(keys.public)]) == 2


def test_importing_the_package_loads_no_model_signing() -> None:
    probe = (
        "import sys, mlmodel, mlmodel.signing, mlmodel.signing.verify, mlmodel.signing.sign; "
        "from mlmodel.signing import file_digests, read_signature, SignatureError; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('model_signing', 'cryptography', 'OpenSSL', 'sigstore_models')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# -- lint ---------------------------------------------------------------------------------------


def _lint(model: Path, *codes: str) -> list[tuple[str, str]]:
    result = lint_paths([model], LintOptions(select=codes or ("MLM5",))).result
    return [(d.code, d.message) for d in result.diagnostics if d.code.startswith("MLM50")]


def test_lint_checks_the_signature_without_a_key(signed: Path, never_unpickle: None) -> None:
    assert _lint(signed, "MLM504", "MLM505", "MLM506") == []
    (signed / "model.skops").write_bytes(b"swapped")
    (signed / "added.pkl").write_bytes(b"\x80\x04N.")
    [(code, message)] = _lint(signed, "MLM504")
    assert code == "MLM504"
    assert "changed: model.skops" in message and "added: added.pkl" in message


def test_lint_reports_an_unreadable_signature(signed: Path) -> None:
    (signed / "model.sig").write_bytes((signed / "model.sig").read_bytes()[:-10])
    [(code, message)] = _lint(signed, "MLM504")
    assert code == "MLM504" and "not JSON" in message


def test_an_inline_suppression_cannot_hide_a_mismatch(signed: Path) -> None:
    text = (signed / "MLmodel").read_text()
    (signed / "MLmodel").write_text(text + "# mlmodel: disable=MLM504\n")
    [(_, message)] = _lint(signed, "MLM504")
    assert "changed: MLmodel" in message


def test_required_signature(model: Path, tmp_path: Path, keys: KeyPair) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mlmodel.trust]\nrequire-signature = true\n")
    [(code, message)] = _lint(model, "MLM505")
    assert code == "MLM505" and "not signed" in message
    # a configuration inside the model directory cannot waive it
    (model / ".mlmodel.toml").write_text("[trust]\nrequire-signature = false\n")
    assert [c for c, _ in _lint(model, "MLM505")] == ["MLM505"]
    (model / ".mlmodel.toml").unlink()
    sign_model(model, keys.private)
    assert _lint(model, "MLM504", "MLM505") == []


def test_unknown_trust_keys_are_usage_errors(model: Path, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mlmodel.trust]\nrequire-signatures = 1\n")
    with pytest.raises(UsageError, match=r"trust\.require-signatures"):
        lint_paths([model], LintOptions())


def test_a_model_too_large_to_hash_is_noted_not_hashed(
    signed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = signed / "weights.bin"
    with big.open("wb") as handle:  # sparse: 5 GB that takes no space
        handle.truncate(5 * 1024**3)
    from mlmodel.signing import digests

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("nothing is hashed above the bound")

    monkeypatch.setattr(digests, "file_digest", refuse)
    found = _lint(signed, "MLM504", "MLM506")
    assert [code for code, _ in found] == ["MLM506"]
    assert "above the 4294967296-byte bound" in found[0][1]


# -- save_model(sign_with=) -------------------------------------------------------------------


def test_save_model_signs_before_the_directory_takes_its_name(
    tmp_path: Path, keys: KeyPair
) -> None:
    from sklearn.linear_model import LinearRegression

    import mlmodel.sklearn

    path = tmp_path / "signed-model"
    mlmodel.sklearn.save_model(
        LinearRegression().fit([[0], [1]], [0, 1]), path, sign_with=keys.private
    )
    manifest = verify_model(path, public_keys=[keys.public])
    assert "MLmodel" in manifest.digests
    bundle = json.loads((path / "model.sig").read_text())
    statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    assert statement["subject"][0]["name"] == "signed-model"  # not the staging folder's name
    assert _no_temporaries(tmp_path)


def test_a_failed_signing_leaves_no_directory_and_no_temporary(
    tmp_path: Path, keys: KeyPair
) -> None:
    from sklearn.linear_model import LinearRegression

    import mlmodel.sklearn

    path = tmp_path / "unsigned-model"
    estimator = LinearRegression().fit([[0], [1]], [0, 1])
    with pytest.raises(UsageError, match="cannot sign with this key"):
        mlmodel.sklearn.save_model(estimator, path, sign_with=keys.public)  # not a private key
    assert not path.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "keys"]


def test_a_failed_signature_write_leaves_no_temporary(
    model: Path, keys: KeyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace: Callable[[Path, Path], Path] = Path.replace

    def failing_replace(self: Path, target: Path) -> Path:
        if self.name.endswith(".mlmodel-tmp"):
            raise OSError(28, "No space left on device")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        sign_model(model, keys.private)
    assert not (model / "model.sig").exists()
    assert _no_temporaries(model)
    assert os.listdir(model)


def test_validate_reports_the_signature_as_lint_does(
    signed: Path, saved_model: Path, tmp_path: Path
) -> None:
    """``mlmodel validate`` checks model.sig against the files (no key), and reports an
    unsigned model where the project requires signatures; a comment cannot hide either."""
    from mlmodel.checking.validate import validate_paths

    assert run(["validate", str(signed)]) == 0
    (signed / "MLmodel").write_text(
        (signed / "MLmodel").read_text() + "# mlmodel: disable=MLM504\n"
    )
    result = validate_paths([signed])
    codes = [d.code for report in result.reports for d in report.diagnostics]
    assert codes == ["MLM504"]
    assert "changed: MLmodel" in result.reports[0].diagnostics[0].message
    assert run(["validate", str(signed)]) == 1
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(saved_model, project / "unsigned")
    (project / ".mlmodel.toml").write_text("[trust]\nrequire-signature = true\n")
    assert [d.code for d in validate_paths([project / "unsigned"]).reports[0].diagnostics] == [
        "MLM505"
    ]
    assert run(["validate", str(project / "unsigned")]) == 1
