from tests.edit.world import as_user, policy, world  # noqa: F401
