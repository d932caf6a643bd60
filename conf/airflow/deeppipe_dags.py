"""deeppipe on Airflow: ingest -> train -> evaluate and predict, each task one spark-submit of the
shaded jar (io.deeppipe.jobs.Pipeline), for a text corpus and for an image folder.

Install: copy this file into the DAGs folder; `pip install apache-airflow-providers-apache-spark`;
point the `spark_default` connection (or the one named by DEEPPIPE_SPARK_CONN) at the cluster
(host `yarn`, `k8s://...` or `spark://host:7077`); put the jar built by
`mvn -DskipTests package` (jobs/target/deeppipe-jobs-*-all.jar) and the project's conf/ where the
Airflow workers can read them. Paths and sizes are DAG params, so a run can be triggered with other
ones ("Trigger DAG w/ config").

On YARN (README, "On YARN"): the Airflow workers need a Spark 3.5 client (spark-submit on PATH or
the connection's spark-home) and HADOOP_CONF_DIR pointing at the cluster's *-site.xml. Define the
connection once, e.g. as an environment variable of the scheduler and workers:
    AIRFLOW_CONN_SPARK_YARN='spark://yarn?deploy-mode=cluster&queue=default'
and select it and the YARN spark-defaults with
    DEEPPIPE_SPARK_CONN=spark_yarn  DEEPPIPE_CLUSTER_PROPERTIES=spark-yarn.conf
The jar param is best an hdfs:// path (hdfs:///apps/deeppipe/deeppipe-jobs-all.jar): the
NodeManagers localize it from there instead of each submission uploading it. log4j2.properties
goes to every container with `files`.

Every task is safe to retry, and Airflow retries each one (default_args below):
  * ingest-*, evaluate and predict write with --mode overwrite: the output is written under a
    temporary name and renamed when complete, so a killed attempt leaves nothing that looks done
    and the retry replaces it with the same rows, splits and fingerprint;
  * train runs with --resume: a retry continues from the last epoch checkpoint of the killed
    attempt, and a retry of a run that already finished does nothing.
Each run writes under <work>/<logical date>/, so runs for different dates never share outputs.
"""
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models.param import Param
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

PIPELINE_CLASS = "io.deeppipe.jobs.Pipeline"
CONF_DIR = os.environ.get("DEEPPIPE_CONF_DIR", "/opt/deeppipe/conf")
SPARK_CONN = os.environ.get("DEEPPIPE_SPARK_CONN", "spark_default")
# spark-defaults for every task: conf/spark-cluster.conf (Kubernetes, standalone) or
# conf/spark-yarn.conf (YARN, with DEEPPIPE_SPARK_CONN naming a connection whose host is `yarn`).
CLUSTER_PROPERTIES = os.environ.get("DEEPPIPE_CLUSTER_PROPERTIES", "spark-cluster.conf")
# conf/spark-gpu.conf for train/evaluate/predict on GPU executors (a jar built with -Pgpu).
MODEL_PROPERTIES = os.environ.get("DEEPPIPE_MODEL_PROPERTIES", CLUSTER_PROPERTIES)
RUN_DIR = "{{ params.work }}/{{ ds }}"

DEFAULT_ARGS = {
    "owner": "deeppipe",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
}


def pipeline(task_id, command, args, properties=CLUSTER_PROPERTIES):
    """One deeppipe command as a spark-submit of the shaded jar."""
    return SparkSubmitOperator(
        task_id=task_id,
        conn_id=SPARK_CONN,
        application="{{ params.jar }}",
        java_class=PIPELINE_CLASS,
        properties_file=os.path.join(CONF_DIR, properties),
        # into each YARN/Kubernetes container's working directory, where spark-yarn.conf's
        # -Dlog4j2.configurationFile=log4j2.properties finds it
        files=os.path.join(CONF_DIR, "log4j2.properties"),
        name="deeppipe-" + command,
        application_args=[command] + args,
    )


def train_evaluate_predict(dataset, model, score_input, score_args):
    """train -> evaluate and predict, with MODEL_PROPERTIES (spark-gpu.conf on GPU executors)."""
    train = pipeline("train", "train", [
        "--data", dataset, "--output", model, "--model", "{{ params.model }}",
        "--epochs", "{{ params.epochs }}", "--workers", "{{ params.workers }}", "--resume",
    ], MODEL_PROPERTIES)
    evaluate = pipeline("evaluate", "evaluate", [
        "--model", model, "--data", dataset, "--split", "test",
        "--output", RUN_DIR + "/evaluation", "--mode", "overwrite",
    ], MODEL_PROPERTIES)
    predict = pipeline("predict", "predict", [
        "--model", model, "--input", score_input, "--output", RUN_DIR + "/predictions", "--mode", "overwrite",
    ] + score_args, MODEL_PROPERTIES)
    train >> [evaluate, predict]
    return train


COMMON_PARAMS = {
    "jar": Param("/opt/deeppipe/deeppipe-jobs-0.1.0-SNAPSHOT-all.jar", type="string",
                 description="The shaded jar (mvn -DskipTests package)"),
    "work": Param("hdfs:///deeppipe", type="string", description="Outputs go under <work>/<logical date>/"),
    "epochs": Param(10, type="integer", minimum=1),
    "workers": Param(0, type="integer", minimum=0, description="Model replicas; 0 = one per executor core"),
}

with DAG(
    dag_id="deeppipe_text",
    description="Text corpus (JSONL) -> dataset -> Transformer -> evaluation + predictions",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    default_args=DEFAULT_ARGS,
    params={
        **COMMON_PARAMS,
        "raw": Param("hdfs:///raw/text/*.jsonl", type="string", description="Raw JSONL: text, label (id optional)"),
        "score": Param("hdfs:///raw/text-to-score/*.jsonl", type="string", description="Raw JSONL to predict"),
        "model": Param("transformer", enum=["mlp", "lstm", "transformer"]),
        "max_length": Param(128, type="integer", minimum=1),
    },
    tags=["deeppipe"],
) as text_dag:
    dataset = RUN_DIR + "/dataset"
    ingest = pipeline("ingest_text", "ingest-text", [
        "--input", "{{ params.raw }}", "--output", dataset, "--max-length", "{{ params.max_length }}",
        "--mode", "overwrite",
    ])
    ingest >> train_evaluate_predict(dataset, RUN_DIR + "/model", "{{ params.score }}", ["--format", "jsonl"])

with DAG(
    dag_id="deeppipe_images",
    description="Image folder (one sub-folder per label) -> dataset -> CNN -> evaluation + predictions",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    default_args=DEFAULT_ARGS,
    params={
        **COMMON_PARAMS,
        "raw": Param("hdfs:///raw/images", type="string", description="<raw>/<label>/<image>"),
        "score": Param("hdfs:///raw/images-to-score", type="string", description="Images to predict"),
        "model": Param("cnn", enum=["mlp", "cnn"]),
        "size": Param("64x64", type="string", pattern="^[0-9]+x[0-9]+$"),
        "channels": Param(3, enum=[1, 3]),
    },
    tags=["deeppipe"],
) as image_dag:
    dataset = RUN_DIR + "/dataset"
    ingest = pipeline("ingest_images", "ingest-images", [
        "--input", "{{ params.raw }}", "--output", dataset, "--size", "{{ params.size }}",
        "--channels", "{{ params.channels }}", "--mode", "overwrite",
    ])
    ingest >> train_evaluate_predict(dataset, RUN_DIR + "/model", "{{ params.score }}", [])
