"""The driver's view of the cluster: paths through Spark's (Hadoop) file system,
and Spark's failures turned into one line that says what to do.

Paths: the output folder, its existence check, _dptext-report.json and the
private report go through the file system of the path's scheme (HDFS,
file://, a plain local path, whatever connector the cluster has), so the
report lands beside the data it describes. A scheme without a connector is
refused before anything runs.
"""

import re


class JobError(Exception):
    """A failure to print as one line; status is the process exit status."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


def java_error_text(error):
    """A Py4J error's Java message (str() of it is a whole trace)."""
    java = getattr(error, "java_exception", None)
    return java.toString() if java is not None else str(error)


class HadoopPath:
    """A path on the file system its scheme names, through the driver's JVM."""

    def __init__(self, spark, path, role):
        jvm = spark.sparkContext._jvm
        self.spark, self.text, self.role = spark, path, role
        try:
            raw = jvm.org.apache.hadoop.fs.Path(path)
            self.fs = raw.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
            self.path = self.fs.makeQualified(raw)
        except Exception as error:  # Py4JJavaError: no connector for the scheme, bad URI
            raise JobError(f"{role} {path}: Spark has no file system for it ({first_line(java_error_text(error))}); "
                           "use a local path, file://, hdfs:// or a scheme whose connector the cluster has "
                           "(e.g. --conf spark.jars.packages=org.apache.hadoop:hadoop-aws:VERSION for s3a://)",
                           64) from None

    def __str__(self):
        return self.path.toString()

    def exists(self):
        return self.fs.exists(self.path)

    def child(self, name):
        child = HadoopPath.__new__(HadoopPath)
        child.spark, child.text, child.role, child.fs = self.spark, f"{self.text}/{name}", self.role, self.fs
        child.path = self.spark.sparkContext._jvm.org.apache.hadoop.fs.Path(self.path, name)
        return child

    def inside(self, other):
        """True when this path is `other` or below it (qualified, so file:/x and /x compare equal)."""
        mine, theirs = str(self).rstrip("/"), str(other).rstrip("/")
        return mine == theirs or mine.startswith(theirs + "/")

    def put(self, local):
        """Copies a driver-local file here, through a temporary name and a rename,
        so a reader never sees half a report."""
        jvm = self.spark.sparkContext._jvm
        partial = jvm.org.apache.hadoop.fs.Path(self.path.getParent(), "." + self.path.getName() + ".partial")
        self.fs.copyFromLocalFile(False, True, jvm.org.apache.hadoop.fs.Path("file://" + local), partial)
        self.fs.delete(self.path, False)
        if not self.fs.rename(partial, self.path):
            raise JobError(f"could not move {partial.toString()} to {self}; check the folder's permissions", 74)

    def remove(self):
        return self.fs.delete(self.path, True)


def first_line(text):
    return next((line.strip() for line in text.splitlines() if line.strip()), text.strip())


def dptext_failure(text):
    """The DPTextFailed message inside a Spark job failure, if there is one."""
    found = re.findall(r"DPTextFailed: (.*?) \[exit status (-?\d+)\]", text)
    if not found:
        return None
    message, status = found[-1]
    status = int(status)
    return JobError(message, 128 - status if status < 0 else status)


def infrastructure_failure(text, executor_python):
    """A JobError for the cluster failures a data team meets on a first run, or None."""
    program = re.search(r'Cannot run program "([^"]*)"', text)
    if program:
        return JobError(f"the executors cannot start Python '{program.group(1)}' (not installed on the workers?); "
                        "install Python 3.11+ on every worker or name the workers' interpreter with "
                        "--executor-python PATH (or PYSPARK_PYTHON)", 69)
    if "PYTHON_VERSION_MISMATCH" in text or ("different version" in text and "Python in worker" in text):
        found = re.search(r"Python in worker has different version:? \(?([\d.]+)\)?.*?driver:? \(?([\d.]+)", text)
        versions = f" (workers {found.group(1)}, driver {found.group(2)})" if found else ""
        return JobError(f"the executors' Python '{executor_python}' is not the driver's version{versions}; PySpark "
                        "needs the same minor version on both: pass --executor-python PATH to one that matches", 69)
    if "ExecutorLostFailure" in text or "FetchFailed" in text or "CHECKPOINT_RDD_BLOCK_ID_NOT_FOUND" in text:
        return JobError("executors were lost more often than Spark retries a task (spark.task.maxFailures); "
                        "nothing was written. Check the workers' logs (memory, pre-emption) and run again, "
                        "e.g. with --conf spark.executor.memory=4g or --conf spark.task.maxFailures=8", 75)
    if "PATH_ALREADY_EXISTS" in text or "already exists" in text:
        return JobError("the output folder was created by someone else while the job ran; choose a new --output", 73)
    return None
