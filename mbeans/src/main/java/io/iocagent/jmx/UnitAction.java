package io.iocagent.jmx;

import io.iocagent.conf.IocName;
import io.iocagent.ops.Lifecycle;
import io.iocagent.ops.OperationException;

/**
 * What an operator does to one IOC's unit, the operations the IOC MBean ({@code start()}) and the
 * Manager ({@code start(name)}) both offer: each is one call of {@link Lifecycle}, run by
 * {@link Operations#act} under the lock of changing operations, audited and followed by a refresh.
 */
enum UnitAction {
    /** Starts and waits for the startup verdict; the transcript ends with the verdict line. */
    START("start") {
        @Override
        Object on(Lifecycle lifecycle, IocName name) throws OperationException {
            return lifecycle.start(name);
        }
    },
    /** Restarts (starts when stopped) and waits for the startup verdict. */
    RESTART("restart") {
        @Override
        Object on(Lifecycle lifecycle, IocName name) throws OperationException {
            return lifecycle.restart(name);
        }
    },
    STOP("stop") {
        @Override
        Object on(Lifecycle lifecycle, IocName name) throws OperationException {
            return lifecycle.stop(name);
        }
    },
    ENABLE("enable") {
        @Override
        Object on(Lifecycle lifecycle, IocName name) throws OperationException {
            return lifecycle.enable(name);
        }
    },
    DISABLE("disable") {
        @Override
        Object on(Lifecycle lifecycle, IocName name) throws OperationException {
            return lifecycle.disable(name);
        }
    };

    private final String word;

    UnitAction(String word) {
        this.word = word;
    }

    /** The operation's name, as the command line and the audit log spell it. */
    String word() {
        return word;
    }

    abstract Object on(Lifecycle lifecycle, IocName name) throws OperationException;
}
