"""Tools/install.sh: the installed dptext runs from any folder, finds its
store, and needs no Swift toolchain (hidden under an empty folder in a
private mount namespace where that is allowed; otherwise ldd must show no
Swift library)."""

import json
import os
import shutil
import subprocess

import pytest

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STORE_NAME = "glove-6B-50d-50k.h5"
TEXT = b"The quick brown fox jumps over the lazy dog near the river bank.\n"


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prefix")
    done = subprocess.run([os.path.join(TOOLS, "install.sh"), "--prefix", str(folder)], capture_output=True,
                          text=True, env=dict(os.environ, DPTEXT_BUILD_JOBS=os.environ.get("DPTEXT_BUILD_JOBS", "2")))
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


def toolchain():
    swift = shutil.which("swift")
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(swift)))) if swift else None


def run_hidden(command, empty, **options):
    """Runs command from / with a bare environment and, where mount namespaces
    are allowed, the toolchain folder covered by an empty one; returns
    (CompletedProcess, whether the toolchain was hidden)."""
    folder = toolchain()
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(empty)}
    hidden = ["unshare", "-m", "--propagation", "private", "sh", "-c",
              f'mount --bind "{empty}" "{folder}" && test -z "$(ls -A "{folder}")" && exec "$@"', "sh"]
    if folder and shutil.which("unshare") and subprocess.run([*hidden, "true"], capture_output=True).returncode == 0:
        return subprocess.run([*hidden, *command], env=bare, cwd="/", capture_output=True, **options), True
    return subprocess.run(command, env=bare, cwd="/", capture_output=True, **options), False


def test_installed_binary_runs_from_anywhere_without_the_toolchain(prefix, tmp_path):
    binary = prefix / "bin" / "dptext"
    assert (prefix / "share" / "dptext" / STORE_NAME).is_file()
    linked = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    assert "libswift" not in linked and "libFoundation" not in linked, linked
    empty = tmp_path / "empty"
    empty.mkdir()
    report = tmp_path / "report.json"
    done, hidden = run_hidden([str(binary), "privatize", "--epsilon", "10", "--seed", "3", "--report", str(report)],
                              empty, input=TEXT)
    print(f"toolchain {'hidden' if hidden else 'not hidden (no mount namespace here); ldd checked instead'}")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.count(b"\n") == 1 and done.stdout != TEXT
    with open(report) as handle:
        assert json.load(handle)["embeddings"]["path"] == str(prefix / "share" / "dptext" / STORE_NAME)


def test_store_order_is_option_then_environment_then_install(prefix, tmp_path):
    binary = str(prefix / "bin" / "dptext")
    missing = str(tmp_path / "no-such-store.h5")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DPTEXT_EMBEDDINGS": missing}
    done = subprocess.run([binary, "privatize", "--epsilon", "10"], input=TEXT, env=env, cwd="/",
                          capture_output=True)
    assert done.returncode != 0 and missing in done.stderr.decode()  # $DPTEXT_EMBEDDINGS beats the install
    store = str(prefix / "share" / "dptext" / STORE_NAME)
    done = subprocess.run([binary, "privatize", "--epsilon", "10", "--embeddings", store], input=TEXT, env=env,
                          cwd="/", capture_output=True)
    assert done.returncode == 0, done.stderr.decode()  # --embeddings beats $DPTEXT_EMBEDDINGS
