"""Import screens: upload, map and review, apply; template files to start from."""
