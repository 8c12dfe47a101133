import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension WorkerProcess {
    /// The environment variable carrying the supervisor's pid, so a worker whose parent
    /// died before it could ask for a death signal notices and exits.
    public static let parentEnvironmentKey = "SSCL_WORKER_PARENT"

    /// A running child and the read ends of its stdout and stderr pipes.
    struct Spawned {
        var pid: pid_t
        var stdout: Int32
        var stderr: Int32
    }

    /// Starts `arguments[0]` with `arguments` in its own process group (a Ctrl-C at the
    /// server's terminal reaches only the server, which stops workers gracefully itself),
    /// stdin from /dev/null, stdout and stderr on fresh pipes, no other inherited
    /// descriptors (listening sockets, the database) except `sharedDescriptor` as fd 3,
    /// default signal dispositions and an empty signal mask whatever the server set for itself.
    static func spawn(arguments: [String], sharedDescriptor: Int32? = nil) throws(WorkerSpawnError) -> Spawned {
        // A copy numbered above 3, so the dup2 below always makes a new descriptor, without close-on-exec.
        var shared: Int32 = -1
        if let sharedDescriptor {
            shared = fcntl(sharedDescriptor, F_DUPFD_CLOEXEC, 10)
            guard shared >= 0 else { throw WorkerSpawnError(operation: "fcntl F_DUPFD_CLOEXEC", errno: errno) }
        }
        defer { if shared >= 0 { close(shared) } }
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        guard linuxPipe2(&out, O_CLOEXEC) == 0 else { throw WorkerSpawnError(operation: "pipe2", errno: errno) }
        guard linuxPipe2(&err, O_CLOEXEC) == 0 else {
            let code = errno
            close(out[0]); close(out[1])
            throw WorkerSpawnError(operation: "pipe2", errno: code)
        }
        defer { close(out[1]); close(err[1]) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        if shared >= 0 { posix_spawn_file_actions_adddup2(&actions, shared, 3) }
        _ = linuxAddCloseFrom(&actions, shared >= 0 ? 4 : 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        var environment = ProcessInfo.processInfo.environment
        environment[parentEnvironmentKey] = String(getpid())
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(out[0]); close(err[0])
            throw WorkerSpawnError(operation: "posix_spawn \(arguments[0])", errno: status)
        }
        return Spawned(pid: pid, stdout: out[0], stderr: err[0])
    }
}

// Linux-only calls behind _GNU_SOURCE, which Glibc's Swift module does not import.
@_silgen_name("pipe2")
private func linuxPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

/// Makes the child close every descriptor from `lowest` up (glibc 2.34+).
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func linuxAddCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32
