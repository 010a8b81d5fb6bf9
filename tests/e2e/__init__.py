"""Browser end-to-end tests: headless Chromium drives the demo app."""
