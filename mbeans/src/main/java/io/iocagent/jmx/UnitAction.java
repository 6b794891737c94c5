package io.iocagent.jmx;

import io.iocagent.conf.IocName;
import io.iocagent.ops.Lifecycle;
import io.iocagent.ops.OperationException;

/**
 * What an operator does to one IOC's unit, the operations the IOC MBean ({@code start()}) and the
 * Manager ({@code start(name)}) both offer: each is one call of {@link Lifecycle}, run by
 * {@link Operations#act} under the lock of changing operations, audited and followed by a refresh.
 * A start or restart waits for the startup verdict; its transcript ends with the verdict line.
 */
enum UnitAction {
    START("start", Lifecycle::start),
    RESTART("restart", Lifecycle::restart),
    STOP("stop", Lifecycle::stop),
    ENABLE("enable", Lifecycle::enable),
    DISABLE("disable", Lifecycle::disable);

    /** One call of {@link Lifecycle}; its value is not used (the transcript is the answer). */
    @FunctionalInterface
    private interface Call {
        Object on(Lifecycle lifecycle, IocName name) throws OperationException;
    }

    private final String word;
    private final Call call;

    UnitAction(String word, Call call) {
        this.word = word;
        this.call = call;
    }

    /** The operation's name, as the command line and the audit log spell it. */
    String word() {
        return word;
    }

    Object on(Lifecycle lifecycle, IocName name) throws OperationException {
        return call.on(lifecycle, name);
    }
}
