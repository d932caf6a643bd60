"""Stand-in for airflow.models.param.Param: keeps the default and the JSON-schema keywords."""


class Param:
    def __init__(self, default=None, description=None, **schema):
        self.default = default
        self.description = description
        self.schema = schema
