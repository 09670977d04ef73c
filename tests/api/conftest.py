from tests.web.conftest import app, client  # noqa: F401 - the web fixtures: the API is part of the app
