"""gunicorn settings of the production instances (deploy/systemd/kaytantopankki@.service).

The unit's command line gives the bind address (one port per instance) and the app factory;
tests/system/test_deployment.py starts its two instances with that same command line and this file.
Names this gunicorn does not know are ignored (gunicorn reads a config file leniently).
"""
import os

# Sync workers per instance: nginx reads every request completely and buffers every response, so a
# worker is busy only while the app computes. Two instances of two workers on a 2-core machine;
# the second instance lets one restart while the other answers.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# The app is imported and created once, before the port is opened: until then nginx finds the port
# closed and sends every request to another instance, instead of queueing them for workers still
# importing; the workers are forked ready. (New code therefore needs a restart, not a reload.)
preload_app = True
timeout = 60               # a worker silent this long is restarted (nginx waits 70 s)
graceful_timeout = 20      # on stop or reload, requests in progress get this long to finish
limit_request_line = 8190  # as nginx's large_client_header_buffers (8k)
limit_request_field_size = 8190
# X-Forwarded-Proto from nginx on the same machine makes links https (the only header trusted).
forwarded_allow_ips = "127.0.0.1,::1"
accesslog = None           # nginx keeps the access log, without full addresses
errorlog = "-"             # stderr: the journal
control_socket_disable = True  # gunicorn ≥ 27's admin socket: not needed, and one per user would clash


def on_starting(server):  # noqa: ANN001 (gunicorn's hook: after preload_app, before the port opens)
    """Load the Voikko dictionary and simplemma's Swedish and English ones, and compile the templates,
    once in the master, so that the forked workers share them: otherwise each worker does it at its
    first query with an unseen word (seconds, more on a busy machine) while visitors wait. Nothing
    that holds a file open (the index) is opened here."""
    from app.text.finnish import load_dictionary
    from app.text.lexicon import load_lexicon

    seconds = load_dictionary() + load_lexicon()
    app = server.app.wsgi()
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)
    server.log.info("Voikko and simplemma dictionaries loaded in %.1f s; templates compiled", seconds)
