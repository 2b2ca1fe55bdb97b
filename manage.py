#!/usr/bin/env python
"""Django's command-line utility for DetoxFlow."""

from detoxflow.__main__ import main

if __name__ == "__main__":
    main()
