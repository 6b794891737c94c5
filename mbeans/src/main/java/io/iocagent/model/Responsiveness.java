package io.iocagent.model;

/**
 * What the hang probe last found about one IOC child's Channel Access server: whether it answers,
 * and how fast. Produced outside the model (the probe's own thread) and folded in by
 * {@link Refresher#probed}; an IOC whose current child was not probed is {@link #UNPROBED}.
 *
 * @param state        see {@link State}
 * @param childPid     the IOC child the probe talked to; a result for another child does not apply
 * @param probeSeconds round-trip time of the last answered probe, NaN when none was answered
 *                     while the current state holds
 */
public record Responsiveness(State state, int childPid, double probeSeconds) {

    /** No probe applies: the IOC serves no Channel Access, is not READY, or was not probed yet. */
    public static final Responsiveness UNPROBED = new Responsiveness(State.UNPROBED, -1, Double.NaN);

    public Responsiveness {
        java.util.Objects.requireNonNull(state, "state");
    }

    /** Whether the IOC child's Channel Access server answers the probe. */
    public enum State {
        /** Not probed (see {@link Responsiveness#UNPROBED}). */
        UNPROBED,
        /** The last probe was answered, or fewer failures than the limit followed the last answer. */
        RESPONSIVE,
        /** The limit of consecutive failures was reached: the server did not answer in time that often in a row. */
        UNRESPONSIVE
    }

    /** 1 responsive, 0 unresponsive, -1 not probed (the JMX attribute and the metric's presence). */
    public int flag() {
        return switch (state) {
            case RESPONSIVE -> 1;
            case UNRESPONSIVE -> 0;
            case UNPROBED -> -1;
        };
    }
}
