"""A stand-in for the few Airflow names the deeppipe DAGs use (Airflow itself is not installable
from the registries this project may use). It records what the DAG file builds, for
AirflowDagIT; it is not Airflow and implements none of its scheduling."""

DAGS = []
_current = []


class DAG:
    def __init__(self, dag_id, params=None, default_args=None, **kwargs):
        self.dag_id = dag_id
        self.params = {k: getattr(v, "default", v) for k, v in (params or {}).items()}
        self.default_args = default_args or {}
        self.kwargs = kwargs
        self.tasks = []
        DAGS.append(self)

    def __enter__(self):
        _current.append(self)
        return self

    def __exit__(self, *exc):
        _current.pop()
        return False


def current_dag():
    if not _current:
        raise RuntimeError("an operator was created outside a `with DAG(...)` block")
    return _current[-1]
