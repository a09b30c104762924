package io.longseq.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The wait for an empty JIT queue before the class-data layer is written (JDK-8306460; see CdsTrainingRun). */
class CdsTrainingRunTest {

    /** Texts as JDK 17.0.15's Compiler.queue printed them (jcmd PID Compiler.queue), cut to a few lines. */
    private static final String IDLE = "Current compiles: \n\nC1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n\n";
    private static final String COMPILING = "Current compiles: \n"
            + "C1 CompilerThread0  1641       3       java.lang.String::split (327 bytes)\n\n"
            + "C1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n\n";
    private static final String QUEUED = "Current compiles: \n\nC1 compile queue:\nEmpty\n\n"
            + "C2 compile queue:\n1664       4       java.util.HashMap::put (13 bytes)\n\n";

    @Test
    void onlyAQueueWithNoTaskIsIdle() {
        assertTrue(CdsTrainingRun.isIdle(IDLE));
        assertFalse(CdsTrainingRun.isIdle(COMPILING), "a compile running");
        assertFalse(CdsTrainingRun.isIdle(QUEUED), "a method queued");
    }

    @Test
    void thisJvmsQueuesDrainOnceNothingRunsHot() throws Exception {
        assertTrue(CdsTrainingRun.awaitEmptyCompileQueues(CdsTrainingRun.SETTLE_MILLIS));
    }
}
