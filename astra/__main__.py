import sys

from astra.cli.main import main

sys.exit(main())
