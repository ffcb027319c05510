"""`python -m bot` is `chibo`."""

from bot.cli import main

main()
