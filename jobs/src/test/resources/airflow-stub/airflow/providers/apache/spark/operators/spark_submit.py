"""Stand-in for SparkSubmitOperator: records its arguments and the task graph (>>)."""
import airflow

# the operator's real template fields that the deeppipe DAGs rely on
TEMPLATE_FIELDS = ("application", "application_args", "name")


class SparkSubmitOperator:
    def __init__(self, task_id, **kwargs):
        self.task_id = task_id
        self.kwargs = kwargs
        self.upstream = []
        self.dag = airflow.current_dag()
        self.dag.tasks.append(self)

    def __rshift__(self, other):
        for o in other if isinstance(other, (list, tuple)) else [other]:
            o.upstream.append(self.task_id)
        return other

    def __rrshift__(self, other):
        for o in other if isinstance(other, (list, tuple)) else [other]:
            self.upstream.append(o.task_id)
        return self
