package io.iocagent.systemd;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.freedesktop.dbus.DBusPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues a unit job (start, stop, restart; job mode {@code replace}) and waits for systemd to
 * finish it: the {@code JobRemoved} signal of the call's own connection reports the result
 * ({@link JobTracker} matches it to the job even when it arrives before the reply). Waiting is
 * bounded by the caller's job timeout; a job still running then is left running. A job whose
 * connection drops while we wait is not retried (systemd may have acted): it fails with
 * {@link SystemdException.Reason#BUS_UNREACHABLE}. Thread-safe.
 */
final class UnitJobs {

    private static final Logger LOG = LoggerFactory.getLogger(UnitJobs.class);

    private static final String MODE_REPLACE = "replace";

    private final ManagerLink link;
    private final ManagerEndpoint endpoint;
    private final String address;

    UnitJobs(ManagerLink link, ManagerEndpoint endpoint, String address) {
        this.link = link;
        this.endpoint = endpoint;
        this.address = address;
    }

    /** The job started by {@code call} and the session whose signals will report its end. */
    private record Job(BusSession session, String path, CompletableFuture<String> result) {
    }

    /**
     * Calls {@code method} ({@code StartUnit}, {@code StopUnit} or {@code RestartUnit}) for
     * {@code unit} and waits for its job; see {@link SystemdBus#start}.
     */
    JobResult run(String operation, Method method, UnitName unit, Duration jobTimeout) {
        Objects.requireNonNull(unit, "unit");
        SystemdBus.requirePositive(jobTimeout, "jobTimeout");
        Action action = Action.manageUnit(operation, unit);
        Job job = link.invoke(action, false, s -> {
            // Announce before sending: JobRemoved may be dispatched before the reply is.
            s.jobs().expectReply();
            boolean claimed = false;
            try {
                String path = ((DBusPath) s.call(BusSession.MANAGER_PATH, method, unit.toString(), MODE_REPLACE)).getPath();
                CompletableFuture<String> result = s.jobs().claim(path);
                claimed = true;
                return new Job(s, path, result);
            } finally {
                if (!claimed) {
                    s.jobs().replyFailed();
                }
            }
        });
        try {
            String result = job.result().get(jobTimeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.debug("{} {}: job {} {}", operation, unit, job.path(), result);
            return new JobResult(unit, operation, result);
        } catch (TimeoutException e) {
            job.session().jobs().forget(job.path());
            throw new SystemdException(SystemdException.Reason.JOB_TIMEOUT,
                    "Timed out after " + ManagerEndpoint.seconds(jobTimeout) + " waiting for systemd to " + operation + " " + unit
                            + " (job " + job.path() + " may still be queued or running).",
                    "Check '" + endpoint.systemctl() + " status " + unit + "' and '" + endpoint.journalctl() + " -u " + unit
                            + "'; '" + endpoint.systemctl() + " list-jobs' shows what systemd is waiting for.",
                    null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CallFailure f) {
                link.discard(job.session());
                throw new SystemdException(SystemdException.Reason.BUS_UNREACHABLE,
                        "Lost the connection to systemd on D-Bus at " + address + " while waiting for the "
                                + operation + " job of " + unit + " (" + f.detail() + "); the job may still complete.",
                        "Check '" + endpoint.systemctl() + " status " + unit + "'. " + endpoint.busHint(),
                        f);
            }
            throw new SystemdException(SystemdException.Reason.FAILED,
                    "Waiting for the " + operation + " job of " + unit + " failed: " + CallFailure.describe(cause), null, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.session().jobs().forget(job.path());
            throw new SystemdException(SystemdException.Reason.FAILED,
                    "Interrupted while waiting for systemd to " + operation + " " + unit + " (job " + job.path() + ").",
                    null, e);
        }
    }
}
