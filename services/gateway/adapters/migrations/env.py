from services.gateway.adapters.tables import metadata
from shared.migrations_env import run

run(metadata)
