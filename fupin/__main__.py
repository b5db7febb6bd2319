import sys

from fupin.cli import main

sys.exit(main())
