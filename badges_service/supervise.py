"""honcho, with a longer grace period: ``python -m badges_service.supervise start`` (``make serve``).

honcho sends SIGTERM to every process group it supervises, then SIGKILL after 5 seconds. A Celery worker
finishing its batch and a web worker finishing its requests may need longer: ``BADGES_STOP_GRACE_SECONDS``
(default 30; keep it above ``BADGES_WEB_GRACE_SECONDS``). Everything else is honcho's own command line.
"""

import os
import sys

import honcho.manager
from honcho.command import main

if __name__ == "__main__":
    honcho.manager.KILL_WAIT = int(os.environ.get("BADGES_STOP_GRACE_SECONDS", "30"))
    sys.exit(main())
