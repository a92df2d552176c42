from services.hazards.adapters.tables import metadata
from shared.migrations_env import run

run(metadata)
