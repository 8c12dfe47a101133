/// A minimal HTTP/1.1 server on POSIX sockets. Knows nothing of jobs.
public enum SSCLHTTPModule {}
