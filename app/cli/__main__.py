"""``python -m app.cli`` is ``kaytantopankki``."""
from . import main

main(prog_name="kaytantopankki")
