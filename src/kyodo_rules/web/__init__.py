"""`kyodo-rules serve`: the interview in a browser, and an HTTP API.

An optional part (`pip install 'kyodo-rules[web]'`): a library user pulls in no
server. `app.create_app(data_dir)` is the ASGI application; `store` keeps the
interviews in SQLite under the data directory; templates and the stylesheet
are package data.
"""
