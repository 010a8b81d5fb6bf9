"""Import helpers served beside the upload page: template files to start from."""
