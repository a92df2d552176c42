import services.gateway.identity.adapters.users  # noqa: F401  (identity tables join the metadata)
from services.gateway.adapters.tables import metadata
from shared.migrations_env import run

run(metadata)
