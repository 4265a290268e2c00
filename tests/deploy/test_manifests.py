"""Kubernetes manifests: schema-valid offline, hardened, and consistent with the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from service.config import Settings

K8S = Path(__file__).resolve().parents[2] / "k8s"
MANIFESTS = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
VERSIONS = ["1.31.0", "1.37.0"]


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((K8S / name).read_text())
    return document


def pod_specs() -> list[dict[str, Any]]:
    return [
        load("deployment.yaml")["spec"]["template"]["spec"],
        load("worker-deployment.yaml")["spec"]["template"]["spec"],
        load("migrate-job.yaml")["spec"]["template"]["spec"],
        load("refresh-cronjob.yaml")["spec"]["jobTemplate"]["spec"]["template"]["spec"],
    ]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifest_is_valid_kubernetes(path: Path, version: str) -> None:
    for document in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(document, version, strict=True)


def test_kustomization_lists_existing_files_but_not_the_secret_template() -> None:
    resources = load("kustomization.yaml")["resources"]
    assert all((K8S / name).is_file() for name in resources)
    assert "secret.template.yaml" not in resources
    kinds = {load(name)["kind"] for name in resources}
    assert kinds == {
        "ConfigMap",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Job",
        "CronJob",
    }


def test_grace_period_exceeds_shutdown_timeout_plus_prestop() -> None:
    # given
    config = load("configmap.yaml")["data"]
    pod = load("deployment.yaml")["spec"]["template"]["spec"]
    [container] = pod["containers"]
    prestop = container["lifecycle"]["preStop"]["exec"]["command"]

    # when
    shutdown_timeout = int(config["AFTERSALES_SHUTDOWN_TIMEOUT_S"])
    prestop_sleep = int(prestop[1]) if prestop[0] == "sleep" else 0

    # then
    assert prestop_sleep > 0
    assert pod["terminationGracePeriodSeconds"] > shutdown_timeout + prestop_sleep


def test_configmap_keys_are_settings_and_run_prod() -> None:
    data = load("configmap.yaml")["data"]
    known = {f"AFTERSALES_{name.upper()}" for name in Settings.model_fields}
    assert set(data) <= known
    assert data["AFTERSALES_ENV"] == "prod"
    Settings.model_validate({k.removeprefix("AFTERSALES_").lower(): v for k, v in data.items()})


def test_secret_template_holds_only_placeholders() -> None:
    secret = load("secret.template.yaml")
    assert set(secret["stringData"]) <= {"AFTERSALES_DATABASE_URL", "AFTERSALES_METRICS_TOKEN"}
    assert all("CHANGE_ME" in value for value in secret["stringData"].values())


@pytest.mark.parametrize(
    "pod", pod_specs(), ids=["deployment", "worker", "migrate-job", "refresh-cronjob"]
)
def test_pods_are_hardened(pod: dict[str, Any]) -> None:
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    assert {"name": "tmp", "emptyDir": pod["volumes"][0]["emptyDir"]} in pod["volumes"]
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["readOnlyRootFilesystem"] is True
        assert context["capabilities"]["drop"] == ["ALL"]
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
        assert container["resources"]["requests"] and container["resources"]["limits"]
        refs = [next(iter(source.values()))["name"] for source in container["envFrom"]]
        assert refs == ["aftersales-config", "aftersales-secrets"]


def test_deployment_probes_replicas_and_availability() -> None:
    deployment = load("deployment.yaml")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert deployment["spec"]["replicas"] >= 2
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert load("hpa.yaml")["spec"]["minReplicas"] >= 2
    assert load("pdb.yaml")["spec"]["minAvailable"] >= 1
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert load("service.yaml")["spec"]["selector"].items() <= labels.items()
    assert load("pdb.yaml")["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_migration_job_runs_migrate() -> None:
    job = load("migrate-job.yaml")
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_refresh_cronjob_sweeps_stale_states_without_piling_up() -> None:
    cronjob = load("refresh-cronjob.yaml")
    job = cronjob["spec"]["jobTemplate"]["spec"]
    [container] = job["template"]["spec"]["containers"]
    assert container["args"] == ["refresh"]
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert job["template"]["spec"]["restartPolicy"] == "Never"
    # a pass must end before the next one would be skipped for ever
    assert job["activeDeadlineSeconds"] > 0


def test_worker_deployment_runs_the_worker_with_probes_and_a_budget() -> None:
    worker = load("worker-deployment.yaml")
    [container] = worker["spec"]["template"]["spec"]["containers"]
    assert container["args"][0] == "worker"
    port = int(container["args"][container["args"].index("--health-port") + 1])
    assert container["ports"][0]["containerPort"] == port
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert worker["spec"]["replicas"] >= 2
    labels = worker["spec"]["template"]["metadata"]["labels"]
    pdb = load("worker-pdb.yaml")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert pdb["spec"]["minAvailable"] >= 1
    # the API pods leave delivery to the worker
    [api] = load("deployment.yaml")["spec"]["template"]["spec"]["containers"]
    assert {"name": "AFTERSALES_DELIVER_INTERVAL_S", "value": "0"} in api["env"]
    # the API's Service and budget do not select worker pods
    assert not load("service.yaml")["spec"]["selector"].items() <= labels.items()
    assert not load("pdb.yaml")["spec"]["selector"]["matchLabels"].items() <= labels.items()
