/// The SQLite store of sscl: jobs, metrics, events, idempotency keys. Knows nothing of HTTP.
public enum SSCLStoreModule {}
