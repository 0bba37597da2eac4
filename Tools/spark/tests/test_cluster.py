"""The job on a real standalone cluster, run with Tools/spark-privatize.sh and
submitted with spark-submit.

A master and one worker on 127.0.0.1 (spark-class, from the PySpark install),
the worker started as an executor machine would be: no PYSPARK_PYTHON, no
Swift toolchain on PATH, and, where mount namespaces are allowed, the
toolchain folder hidden under an empty one. The job ships the static binary
(Tools/install.sh --build-only) and the executors run the workers' `python3`.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

from spark_helpers import SEEDED, TOOLS, concatenated, corpus_records, one_process, write_jsonl

REPO = os.path.dirname(TOOLS)
JOB = os.path.join(TOOLS, "spark", "dptext_spark.py")


def spark_home():
    import pyspark
    return os.path.dirname(os.path.abspath(pyspark.__file__))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def toolchain_folder():
    """The Swift toolchain's root (…/usr/bin/swift → …), or None."""
    swift = shutil.which("swift")
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(swift)))) if swift else None


def hiding(folder, empty):
    """A command prefix that runs a command with `folder` covered by the empty
    folder `empty` (a private mount namespace), or None where that is not
    allowed (an unprivileged container)."""
    if folder is None or shutil.which("unshare") is None:
        return None
    prefix = ["unshare", "-m", "--propagation", "private", "sh", "-c",
              f'mount --bind "{empty}" "{folder}" && exec "$@"', "sh"]
    probe = subprocess.run([*prefix, "sh", "-c", f'test -z "$(ls -A "{folder}")"'], capture_output=True)
    return prefix if probe.returncode == 0 else None


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """spark://127.0.0.1:PORT with one 2-core worker whose environment has no
    toolchain and no PYSPARK_PYTHON; yields (master URL, hidden toolchain or None)."""
    folder = tmp_path_factory.mktemp("cluster")
    home, port = spark_home(), free_port()
    toolchain = toolchain_folder()
    (folder / "empty").mkdir()
    prefix = hiding(toolchain, folder / "empty")
    hidden = toolchain if prefix else None
    path = ":".join(part for part in os.environ["PATH"].split(":")
                    if not (toolchain and part.startswith(toolchain)) and ".venv" not in part)
    env = {"PATH": path, "HOME": os.environ.get("HOME", "/root"), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_HOME": home, "SPARK_LOG_DIR": str(folder / "logs"), "SPARK_WORKER_DIR": str(folder / "work")}
    for name in ("JAVA_HOME", "PYENV_ROOT"):
        if name in os.environ:
            env[name] = os.environ[name]
    url = f"spark://127.0.0.1:{port}"
    spark_class = os.path.join(home, "bin", "spark-class")
    master = subprocess.Popen([spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                               "--port", str(port), "--webui-port", str(free_port())],
                              env=env, stdout=open(folder / "master.log", "wb"), stderr=subprocess.STDOUT)
    worker_command = [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "2",
                      "--memory", "2g", "--webui-port", str(free_port()), "--work-dir", str(folder / "work"), url]
    if prefix:  # the worker and everything it starts see an empty toolchain folder
        worker_command = [*prefix, *worker_command]
    worker = subprocess.Popen(worker_command, env=env, stdout=open(folder / "worker.log", "wb"),
                              stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: b"Successfully registered with master" in (folder / "worker.log").read_bytes(), 90,
                 f"the worker to register (see {folder}/worker.log)")
        yield url, hidden
    finally:
        for process in (worker, master):
            process.terminate()
        for process in (worker, master):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def start(url, arguments, tmp_path, extra_env=None, conf=()):
    """spark-submit of the job, started (the driver on this machine, without
    PYSPARK_PYTHON). spark-submit passes the Python driver's stdout and
    stderr on as its own stdout, so that is where the job's lines are."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYSPARK_PYTHON", "DPTEXT_SPARK_FAIL_ONCE")}
    env.update(PYSPARK_DRIVER_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1", **(extra_env or {}))
    command = [os.path.join(spark_home(), "bin", "spark-submit"), "--master", url,
               "--conf", "spark.executor.memory=1g", *[f"--conf={item}" for item in conf], JOB, *arguments]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               cwd=tmp_path)
    process.started = time.monotonic()
    return process


def run_script(url, arguments, extra_env):
    """Tools/spark-privatize.sh --master URL (its own venv's Python is the driver)."""
    env = {k: v for k, v in os.environ.items() if k != "PYSPARK_PYTHON"}
    env.update(SPARK_LOCAL_IP="127.0.0.1", **extra_env)
    command = [os.path.join(TOOLS, "spark-privatize.sh"), "--master", url, "--conf", "spark.executor.memory=1g",
               *arguments]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    process.started = time.monotonic()
    done = finish(process, "spark-privatize.sh")
    return done


def finish(process, what="spark-submit"):
    stdout, stderr = process.communicate(timeout=600)
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    lines = (stdout + stderr).strip().splitlines()
    last = next((line for line in reversed(lines) if line.startswith("spark-privatize:")), "")
    print(f"{what}: status {done.returncode} in {time.monotonic() - process.started:.1f} s: {last}")
    return done


def test_keyed_seeded_run_on_a_cluster_equals_one_process_through_a_lost_executor(
        cluster, static_binary, binary, tmp_path):
    """One run of the script proves both: its executor JVM is killed while
    partition 1 is privatized and written (the default settings, no
    checkpoint), Spark starts another and recomputes what was lost, and the
    output (a file:// URI) is still byte for byte one dptext process's."""
    url, hidden = cluster
    print(f"worker: toolchain {'hidden: ' + hidden if hidden else 'not on PATH (mount namespaces unavailable)'}")
    source = write_jsonl(tmp_path / "in.jsonl", corpus_records(120))
    marker = tmp_path / "executor-killed"
    arguments = ["--partitions", "3", "--input", source, "--key-field", "id", "--dptext", static_binary,
                 "--output", f"file://{tmp_path}/out", "--", *SEEDED]
    done = run_script(url, arguments, {"DPTEXT_SPARK_FAIL_ONCE": f"executor:1:{marker}"})
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert marker.exists(), "the test hook never fired: no executor was lost"
    assert "120 records in 3 partitions" in done.stderr, done.stderr[-3000:]
    assert concatenated(tmp_path / "out") == one_process(binary, source, tmp_path)[0]
    assert os.path.exists(tmp_path / "out" / "_dptext-report.json")


def test_cluster_failures_end_in_one_line_saying_what_to_do(cluster, static_binary, binary, tmp_path):
    """Workers without the Python named, and a binary that needs the hidden
    toolchain: two applications at once, one core each."""
    url, hidden = cluster
    source = write_jsonl(tmp_path / "in.jsonl", corpus_records(20))
    common = ["--partitions", "2", "--input", source, "--key-field", "id", "--", *SEEDED]
    one_core = ["spark.cores.max=1"]
    no_python = start(url, ["--output", str(tmp_path / "a"), "--dptext", static_binary,
                            "--executor-python", "/nonexistent/python3", *common], tmp_path, conf=one_core)
    dynamic = "libswift" in subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    cannot_load = (start(url, ["--output", str(tmp_path / "b"), "--dptext", binary, *common], tmp_path,
                         conf=one_core) if hidden and dynamic else None)

    done = finish(no_python)
    assert done.returncode == 69
    assert re.fullmatch(r"spark-privatize: error: the executors cannot start Python '/nonexistent/python3'.*"
                        r"--executor-python PATH.*", done.stdout.strip().splitlines()[-1]), \
        (done.stdout + done.stderr)[-3000:]
    assert not (tmp_path / "a").exists()

    if cannot_load is None:
        pytest.skip("no toolchain-linked binary, or the toolchain cannot be hidden: the load failure is not tested")
    done = finish(cannot_load)
    assert done.returncode == 127
    assert re.fullmatch(r"spark-privatize: error: the dptext binary cannot start on executor .*libswift.*"
                        r"Tools/install.sh --build-only.*", done.stdout.strip().splitlines()[-1]), \
        (done.stdout + done.stderr)[-3000:]
    assert not (tmp_path / "b").exists()
