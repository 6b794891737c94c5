package io.iocagent.ops;

import java.time.Duration;
import java.util.Map;

/**
 * How long the start verdict waits: for the readiness marker (30 s), then watching for a crash
 * after it (3 s), polling every 0.2 s — the seed's defaults. Tests shorten them with the seed's
 * own seams {@code IOC_RUNNER_TEST_MAX_INIT_TIMEOUT}, {@code IOC_RUNNER_TEST_CONFIRM_DWELL} and
 * {@code IOC_RUNNER_TEST_POLL_INTERVAL}; a malformed value falls back to the default, as there.
 */
public record StartupTimings(Duration initTimeout, Duration dwell, Duration pollInterval) {

    public static final StartupTimings DEFAULT =
            new StartupTimings(Duration.ofSeconds(30), Duration.ofSeconds(3), Duration.ofMillis(200));

    public static StartupTimings from(Map<String, String> env) {
        return new StartupTimings(
                seconds(env.get("IOC_RUNNER_TEST_MAX_INIT_TIMEOUT"), "[1-9][0-9]*", DEFAULT.initTimeout),
                seconds(env.get("IOC_RUNNER_TEST_CONFIRM_DWELL"), "[0-9]+", DEFAULT.dwell),
                seconds(env.get("IOC_RUNNER_TEST_POLL_INTERVAL"), "[0-9]+(\\.[0-9]+)?", DEFAULT.pollInterval));
    }

    private static Duration seconds(String value, String rule, Duration fallback) {
        if (value == null || !value.matches(rule) || value.length() > 9) {
            return fallback;
        }
        return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
    }
}
