// Implemented by the http/storage work in progress.
