"""Chromium for the browser tours and the screenshots: Debian's package, installed when missing."""

import os
import shutil
import subprocess

from .env import say

BROWSERS = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")


def ensure_chromium():
    """The tours run in headless Chromium: Debian's package, installed when missing (as
    root), never downloaded from elsewhere. Returns an error message, or None."""
    if any(shutil.which(name) for name in BROWSERS):
        return None
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Chromium from the Debian packages (the browser tours need it)")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                        "chromium", "fonts-dejavu-core"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        if any(shutil.which(name) for name in BROWSERS):
            return None
    return ("no Chromium for the browser tours: run `sudo apt-get install chromium`, "
            "then make test again")
