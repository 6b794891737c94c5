package io.iocagent.testbed;

import io.iocagent.model.IocSnapshot;
import io.iocagent.model.Refresher;
import java.time.Duration;

/**
 * One healthy stand-in IOC under the live model, the starting point of a fault test: a
 * {@link ModelBed}, a {@link Refresher} over it, the IOC installed and started, READY in the model,
 * and a {@link ModelRecorder} of every snapshot published after that. Closing stops the IOC's unit
 * (the operator's stop) and closes the refresher and the bed, whatever the test did.
 */
public final class ReadyIoc implements AutoCloseable {

    private final ModelBed bed;
    private final Refresher refresher;
    private final String name;
    private final IocSnapshot ready;
    private final ModelRecorder recorder;

    private ReadyIoc(ModelBed bed, Refresher refresher, String name, IocSnapshot ready, ModelRecorder recorder) {
        this.bed = bed;
        this.refresher = refresher;
        this.name = name;
        this.ready = ready;
        this.recorder = recorder;
    }

    /**
     * Opens a bed, starts a refresher polling every {@code pollInterval} and IOC {@code label}
     * (made unique by {@link TestBed#iocName}), and returns once the model shows it READY.
     */
    public static ReadyIoc start(String label, Duration pollInterval) throws Exception {
        ModelBed bed = ModelBed.open();
        Refresher refresher = null;
        String name = bed.bed().iocName(label);
        try {
            refresher = bed.refresher(pollInterval);
            IocSnapshot ready = bed.startReady(refresher, name);
            return new ReadyIoc(bed, refresher, name, ready, ModelRecorder.of(refresher));
        } catch (Exception | Error e) {
            close(bed, refresher, name);
            throw e;
        }
    }

    public ModelBed bed() {
        return bed;
    }

    public Refresher refresher() {
        return refresher;
    }

    /** The IOC's name in the bed. */
    public String name() {
        return name;
    }

    /** The IOC as the model first showed it READY. */
    public IocSnapshot ready() {
        return ready;
    }

    /** Every snapshot published since the IOC was READY. */
    public ModelRecorder recorder() {
        return recorder;
    }

    /** The IOC in the model's current snapshot (null when the model no longer holds it). */
    public IocSnapshot now() {
        return refresher.current().iocs().get(name);
    }

    @Override
    public void close() {
        close(bed, refresher, name);
    }

    private static void close(ModelBed bed, Refresher refresher, String name) {
        try {
            bed.operator().stop(bed.unit(name), ModelBed.JOB_TIMEOUT);
        } finally {
            if (refresher != null) {
                refresher.close();
            }
            bed.close();
        }
    }
}
