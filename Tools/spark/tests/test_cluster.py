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
    toolchain and no PYSPARK_PYTHON; yields (master URL, hidden toolchain or
    None, the worker's environment)."""
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
    # 4 cores offered on 2: the three applications below run at once (most of
    # each is JVM start-up and waiting), the successful one on 2 of them.
    worker_command = [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "4",
                      "--memory", "2g", "--webui-port", str(free_port()), "--work-dir", str(folder / "work"), url]
    if prefix:  # the worker and everything it starts see an empty toolchain folder
        worker_command = [*prefix, *worker_command]
    worker = subprocess.Popen(worker_command, env=env, stdout=open(folder / "worker.log", "wb"),
                              stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: b"Successfully registered with master" in (folder / "worker.log").read_bytes(), 90,
                 f"the worker to register (see {folder}/worker.log)")
        yield url, hidden, env
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


def start_script(url, arguments, extra_env):
    """Tools/spark-privatize.sh --master URL, started (its own venv's Python is the driver)."""
    env = {k: v for k, v in os.environ.items() if k != "PYSPARK_PYTHON"}
    env.update(SPARK_LOCAL_IP="127.0.0.1", **extra_env)
    command = [os.path.join(TOOLS, "spark-privatize.sh"), "--master", url, "--conf", "spark.executor.memory=1g",
               "--conf", "spark.cores.max=2", *arguments]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    process.started = time.monotonic()
    return process


def finish(process, what="spark-submit"):
    stdout, stderr = process.communicate(timeout=600)
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    lines = (stdout + stderr).strip().splitlines()
    last = next((line for line in reversed(lines) if line.startswith("spark-privatize:")), "")
    print(f"{what}: status {done.returncode} in {time.monotonic() - process.started:.1f} s: {last}")
    return done


@pytest.fixture(scope="module")
def runs(cluster, static_binary, binary, tmp_path_factory):
    """Three applications at once: (1) the script, keyed and seeded, whose
    executor JVM is killed while partition 1 is privatized and written; with
    spark-submit, (2) workers told to use a Python they do not have and (3) a
    binary that needs the hidden toolchain (when there is one to hide)."""
    url, hidden, _ = cluster
    folder = tmp_path_factory.mktemp("runs")
    source = write_jsonl(folder / "in.jsonl", corpus_records(120))
    common = ["--input", source, "--key-field", "id", "--", *SEEDED]
    started = {"killed": start_script(url, ["--partitions", "3", "--dptext", static_binary, "--output",
                                            f"file://{folder}/out", *common],
                                      {"DPTEXT_SPARK_FAIL_ONCE": f"executor:1:{folder}/executor-killed"}),
               "no python": start(url, ["--partitions", "2", "--output", str(folder / "a"), "--dptext", static_binary,
                                        "--executor-python", "/nonexistent/python3", *common], folder,
                                  conf=["spark.cores.max=1"])}
    # A toolchain-linked binary: the one under test when it is (swift build -c release), else the
    # debug build that `swift test` makes (the README's release build links the runtime in).
    linked = [path for path in (binary, os.path.join(REPO, ".build", "debug", "dptext")) if os.path.exists(path)
              and "libswift" in subprocess.run(["ldd", path], capture_output=True, text=True).stdout]
    if hidden and linked:
        started["cannot load"] = start(url, ["--partitions", "2", "--output", str(folder / "b"), "--dptext", linked[0],
                                             *common], folder, conf=["spark.cores.max=1"])
    print(f"worker: toolchain {'hidden: ' + hidden if hidden else 'not on PATH (mount namespaces unavailable)'}")
    done = {name: finish(process, name) for name, process in started.items()}
    return folder, source, done


def test_keyed_seeded_run_on_a_cluster_equals_one_process_through_a_lost_executor(runs, binary):
    """One run of the script proves both: its executor is lost mid-write (the
    default settings, no checkpoint), Spark starts another and recomputes what
    was lost, and the output (a file:// URI) is still byte for byte one dptext
    process's."""
    folder, source, done = runs
    killed = done["killed"]
    assert killed.returncode == 0, (killed.stdout + killed.stderr)[-3000:]
    assert (folder / "executor-killed").exists(), "the test hook never fired: no executor was lost"
    assert "120 records in 3 partitions" in killed.stderr, killed.stderr[-3000:]
    assert concatenated(folder / "out") == one_process(binary, source, folder)[0]
    assert os.path.exists(folder / "out" / "_dptext-report.json")


def test_the_workers_python_cannot_import_dptext_by_itself(cluster):
    """The executors run the workers' python3, which has no dptext package
    installed: the cluster run above succeeds only because the executors
    import the package the job ships (dptext_spark.package_zip)."""
    worker_env = cluster[2]
    found = subprocess.run(["python3", "-c", "import dptext.stream"], env=worker_env, cwd="/", capture_output=True,
                           text=True)
    assert found.returncode != 0 and "No module named 'dptext'" in found.stderr, found.stdout + found.stderr


def test_cluster_failures_end_in_one_line_saying_what_to_do(runs):
    folder, _, done = runs
    failed = done["no python"]
    assert failed.returncode == 69
    assert re.fullmatch(r"spark-privatize: error: the executors cannot start Python '/nonexistent/python3'.*"
                        r"--executor-python PATH.*", failed.stdout.strip().splitlines()[-1]), \
        (failed.stdout + failed.stderr)[-3000:]
    assert not (folder / "a").exists()

    if "cannot load" not in done:
        pytest.skip("no toolchain-linked binary, or the toolchain cannot be hidden: the load failure is not tested")
    failed = done["cannot load"]
    assert failed.returncode == 127
    assert re.fullmatch(r"spark-privatize: error: the dptext binary cannot start on executor .*libswift.*"
                        r"Tools/install.sh --build-only.*", failed.stdout.strip().splitlines()[-1]), \
        (failed.stdout + failed.stderr)[-3000:]
    assert not (folder / "b").exists()
