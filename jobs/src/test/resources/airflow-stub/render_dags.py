"""Loads a DAG file against the stand-in Airflow, renders the templated fields the way Airflow's
Jinja would for the few expressions the DAGs use ({{ params.X }}, {{ ds }}) with the params given
as JSON on the command line over the DAG's defaults, and prints every DAG as JSON."""
import json
import re
import runpy
import sys

import airflow
from airflow.providers.apache.spark.operators.spark_submit import TEMPLATE_FIELDS

dag_file, overrides, ds = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
runpy.run_path(dag_file)


def render(value, params):
    if isinstance(value, list):
        return [render(v, params) for v in value]
    if not isinstance(value, str):
        return value

    def sub(m):
        expr = m.group(1).strip()
        if expr == "ds":
            return ds
        if expr.startswith("params.") and expr[7:] in params:
            return str(params[expr[7:]])
        raise SystemExit("cannot render {{ %s }} in %r" % (expr, value))

    return re.sub(r"\{\{(.*?)\}\}", sub, value)


out = []
for dag in airflow.DAGS:
    params = dict(dag.params, **overrides)
    tasks = []
    for t in dag.tasks:
        args = {k: (render(v, params) if k in TEMPLATE_FIELDS else v) for k, v in t.kwargs.items()}
        retries = t.kwargs.get("retries", dag.default_args.get("retries", 0))
        tasks.append({"task_id": t.task_id, "upstream": t.upstream, "retries": retries, **args})
    out.append({"dag_id": dag.dag_id, "tasks": tasks})
print(json.dumps(out))
