/// The training service: REST API, scheduler and worker processes.
public enum SSCLServiceModule {}
